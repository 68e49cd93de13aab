// Microbenchmark of the three-phonon interaction and Gamma.
//
//   bench_interaction [case=si-pbesol] [grid_point=105] [repeats=5] [data_dir]
//
// One grid point of the reference data (tests/data/<case>/reference): phonons, triplets
// and tetrahedron weights from phono3py's files, so only ph3mpi's interaction and
// self-energy kernels run. Prints the per-stage split for one thread (real->reciprocal,
// reciprocal->normal, Gamma sum), then the whole low-memory path (weights -> interaction
// where g_zero allows -> Gamma) and the full interaction array with the OpenMP threads
// of OMP_NUM_THREADS. Times are the minimum over the repeats.
//
//   bench_interaction --mesh [case=si-pbesol] [mesh=19 or e.g. 13,13,9] [data_dir]
//
// Gamma at 300 K (tetrahedron method) on every irreducible grid point of a full mesh,
// as phono3py's RTA run does it: BZ grid, ir grid points, phonons on the grid, and per
// grid point triplets -> per-triplet tetrahedron weights -> low-memory pp_collision.
// Uses ph3mpi's grid, phonon and triplet modules too (phonons with NAC as in the yaml,
// Gamma without a q-direction: fine for timing).
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <complex>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/crystal/symmetry.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef PH3MPI_BENCH_DATA_DIR
#define PH3MPI_BENCH_DATA_DIR "tests/data"
#endif

namespace {

using namespace ph3mpi;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Minimum over the repeats of the wall time and of the CPU time of `clock` (the
// calling thread's for serial stages, the process's for OpenMP ones): on a shared,
// busy machine the CPU time is the steadier figure.
struct Timing {
  double wall = 1e300;
  double cpu = 1e300;
};

template <typename F>
Timing best_of(int repeats, clockid_t clock, F&& f) {
  Timing best;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds(clock);
    f();
    best.cpu = std::min(best.cpu, cpu_seconds(clock) - c0);
    best.wall = std::min(best.wall, seconds_since(t0));
  }
  return best;
}

int run_mesh(const std::string& name, const grid::Vector3l& mesh, const std::string& data) {
  const std::string dir = data + "/" + name + "/";
  auto t0 = Clock::now();
  const io::Phono3pyYaml yaml = io::read_phono3py_yaml(dir + "phono3py.yaml");
  const crystal::Supercell sc = crystal::build_supercell(yaml.unitcell, yaml.supercell_matrix, 1e-5);
  const crystal::Primitive prim = crystal::build_primitive(sc, yaml.primitive_matrix, 1e-5);
  const interaction::AtomTriplets atoms =
      interaction::make_atom_triplets(sc, prim, crystal::shortest_vectors(sc, prim, 1e-5));
  const io::ForceConstants fc3 = io::read_fc3(dir + "fc3.hdf5", sc.num_atoms(), prim.p2s_map);
  const crystal::Supercell psc = crystal::build_supercell(yaml.unitcell, yaml.phonon_supercell_matrix, 1e-5);
  const crystal::Primitive pprim = crystal::build_primitive(psc, yaml.primitive_matrix, 1e-5);
  io::ForceConstants fc2 = io::read_fc2(dir + "fc2.hdf5", psc.num_atoms(), pprim.p2s_map);
  const phonon::DynamicalMatrix dm(phonon::make_dynamical_matrix_input(
                                       pprim, crystal::shortest_vectors(psc, pprim, 1e-5), std::move(fc2.fc)),
                                   yaml.nac);
  const crystal::Symmetry sym = crystal::get_symmetry(prim, 1e-5);
  grid::GridSymmetry gsym;
  gsym.rotations = sym.rotations;
  gsym.transformation_matrix = sym.transformation_matrix;
  gsym.std_lattice = sym.std_lattice;
  const grid::BZGrid bz = grid::make_phono3py_bz_grid(grid::MeshSpec::from_numbers(mesh), prim.lattice, gsym);
  const grid::IrGridPoints ir = grid::get_ir_grid_points(bz);
  std::vector<std::int64_t> all(bz.addresses.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  const phonon::Phonons ph = phonon::solve_phonons(dm, grid::qpoints_of_bz_points(bz, all));
  const interaction::PhononView phonons{ph.frequencies.ptr(), ph.eigenvectors.ptr(), ph.frequencies.shape[0],
                                        ph.frequencies.shape[1]};
  const interaction::Interaction itr(
      fc3.fc, fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr, atoms, prim.masses, bz);
  const double t_setup = seconds_since(t0);
#ifdef _OPENMP
  const int threads = omp_get_max_threads();
#else
  const int threads = 1;
#endif
  std::printf(
      "case %s, mesh %lldx%lldx%lld: %zu BZ points, %zu ir grid points, %zu bands, %d threads; setup "
      "(cells, grid, phonons on the grid, Interaction) %.2f s\n",
      name.c_str(), static_cast<long long>(mesh(0)), static_cast<long long>(mesh(1)),
      static_cast<long long>(mesh(2)), bz.addresses.size(), ir.ir_grid_points_bz.size(), itr.num_band(),
      threads, t_setup);

  const std::size_t nb = itr.num_band();
  std::atomic<long long> weights_ns{0};
  std::size_t total_triplets = 0;
  double t_triplets = 0, t_gamma = 0, worst_gp = 0;
  double first_gamma = 0;
  const auto t_all = Clock::now();
  for (std::size_t i = 0; i < ir.ir_grid_points_bz.size(); ++i) {
    const std::int64_t gp = ir.ir_grid_points_bz[i];
    auto t1 = Clock::now();
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz);
    t_triplets += seconds_since(t1);
    total_triplets += tq.size();
    const std::vector<double> fpoints(phonons.frequencies_at(static_cast<std::size_t>(gp)),
                                      phonons.frequencies_at(static_cast<std::size_t>(gp)) + nb);
    const auto weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
      const double c0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
      interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, fpoints, {tq.triplets[t]},
                                                                ph.frequencies, bz);
      weights_ns += static_cast<long long>(1e9 * (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c0));
    };
    t1 = Clock::now();
    const self_energy::ImagSelfEnergy r =
        self_energy::pp_collision(itr, phonons, gp, tq.triplets, tq.weights, {300.0}, weights, bz);
    const double dt = seconds_since(t1);
    t_gamma += dt;
    worst_gp = std::max(worst_gp, dt);
    if (i == 1) first_gamma = r.gamma[nb - 1];
  }
  const double wall = seconds_since(t_all);
  std::printf("%zu triplets in all (%.0f per grid point)\n", total_triplets,
              double(total_triplets) / double(ir.ir_grid_points_bz.size()));
  std::printf(
      "wall: all grid points %.2f s = triplets %.2f s + Gamma (pp_collision) %.2f s; slowest grid point "
      "%.3f s\n",
      wall, t_triplets, t_gamma, worst_gp);
  std::printf("per triplet: %.2f us wall; of which tetrahedron weights %.2f us CPU (summed over threads)\n",
              1e6 * t_gamma / double(total_triplets),
              1e-3 * double(weights_ns.load()) / double(total_triplets));
  std::printf("Gamma(300 K) of the top band at the second ir grid point: %.10g THz\n", first_gamma);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--mesh") {
    try {
      grid::Vector3l mesh(19, 19, 19);
      if (argc > 3) {
        std::string m = argv[3];
        std::replace(m.begin(), m.end(), ',', ' ');
        std::istringstream is(m);
        long long a = 0, b = -1, c = -1;
        is >> a >> b >> c;
        mesh = b < 0 ? grid::Vector3l(a, a, a) : grid::Vector3l(a, b, c);
      }
      return run_mesh(argc > 2 ? argv[2] : "si-pbesol", mesh, argc > 4 ? argv[4] : PH3MPI_BENCH_DATA_DIR);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "bench_interaction: %s\n", e.what());
      return 1;
    }
  }
  const std::string name = argc > 1 ? argv[1] : "si-pbesol";
  const std::int64_t gp = argc > 2 ? std::stoll(argv[2]) : 105;
  const int repeats = argc > 3 ? std::stoi(argv[3]) : 5;
  const std::string data = argc > 4 ? argv[4] : PH3MPI_BENCH_DATA_DIR;
  const std::string dir = data + "/" + name + "/";
  const std::string group = name == "aln-lda" ? "m775/" : "m999/";
  try {
    // ---- inputs
    auto t0 = Clock::now();
    const io::Phono3pyYaml yaml = io::read_phono3py_yaml(dir + "phono3py.yaml");
    const crystal::Supercell sc = crystal::build_supercell(yaml.unitcell, yaml.supercell_matrix, 1e-5);
    const crystal::Primitive prim = crystal::build_primitive(sc, yaml.primitive_matrix, 1e-5);
    const interaction::AtomTriplets atoms =
        interaction::make_atom_triplets(sc, prim, crystal::shortest_vectors(sc, prim, 1e-5));
    const io::ForceConstants fc3 = io::read_fc3(dir + "fc3.hdf5", sc.num_atoms(), prim.p2s_map);
    const io::Hdf5File grid_file(dir + "reference/grid.hdf5");
    grid::BZGrid bz;
    const auto d_diag = grid_file.read_int(group + "D_diag");
    const auto q = grid_file.read_int(group + "Q");
    const auto adr = grid_file.read_int(group + "addresses");
    for (int i = 0; i < 3; ++i) {
      bz.D_diag(i) = d_diag[static_cast<std::size_t>(i)];
      for (int j = 0; j < 3; ++j) bz.Q(i, j) = q[static_cast<std::size_t>(3 * i + j)];
    }
    for (std::size_t i = 0; i < adr.shape[0]; ++i)
      bz.addresses.emplace_back(adr[3 * i], adr[3 * i + 1], adr[3 * i + 2]);
    const std::vector<double> masses = grid_file.read_double("cell/primitive_masses").data;
    const io::Hdf5File ph_file(dir + "reference/phonons.hdf5");
    const NdArray<double> freqs = ph_file.read_double("grid/frequencies");
    const NdArray<std::complex<double>> eigs = ph_file.read_complex("grid/eigenvectors");
    interaction::PhononView phonons{freqs.ptr(), eigs.ptr(), freqs.shape[0], freqs.shape[1]};
    const io::Hdf5File ref(dir + "reference/interaction_gp" + std::to_string(gp) + ".hdf5");
    const auto tp = ref.read_int("triplets_at_q");
    std::vector<interaction::Triplet> triplets;
    for (std::size_t i = 0; i < tp.shape[0]; ++i)
      triplets.push_back({tp[3 * i], tp[3 * i + 1], tp[3 * i + 2]});
    const std::vector<std::int64_t> weights = ref.read_int("weights").data;
    const NdArray<double> g = ref.read_double("g_tetrahedron");
    const auto g_zero_i64 = ref.read_int("g_zero_tetrahedron");
    std::vector<std::int8_t> g_zero(g_zero_i64.size());
    for (std::size_t i = 0; i < g_zero.size(); ++i) g_zero[i] = static_cast<std::int8_t>(g_zero_i64[i]);
    const std::vector<double> temperatures = {300.0};
    const double t_inputs = seconds_since(t0);

    t0 = Clock::now();
    const interaction::Interaction itr(
        fc3.fc, fc3.has_nonzero_indices ? fc3.fc3_nonzero_indices.ptr() : nullptr, atoms, masses, bz);
    const double t_setup = seconds_since(t0);

    const std::size_t n = triplets.size();
    const std::size_t nb = itr.num_band(), nb0 = itr.num_band0(), nb3 = nb * nb * nb, per = nb0 * nb * nb;
    std::size_t active = 0;
    for (std::size_t t = 0; t < n; ++t) {
      active += itr.reciprocal_to_normal().any_needed(phonons, triplets[t], &g_zero[t * per]) ? 1 : 0;
    }
#ifdef _OPENMP
    const int threads = omp_get_max_threads();
#else
    const int threads = 1;
#endif
    std::printf(
        "case %s, grid point %lld: %zu triplets (%zu with nonzero tetrahedron weights), %zu bands, "
        "%zu supercell atoms\n",
        name.c_str(), static_cast<long long>(gp), n, active, nb, atoms.n_satom);
    std::printf("inputs %.3f s, Interaction setup %.4f s, batch size %zu, threads %d\n", t_inputs, t_setup,
                itr.real_to_reciprocal().batch_size(), threads);

    // ---- per-stage split, one thread, all triplets, no g_zero skipping
    std::vector<std::complex<double>> fc3_rec(n * nb3);
    std::vector<double> pp(n * per);
    interaction::RealToReciprocal::Workspace r2r_ws;
    interaction::ReciprocalToNormal::Workspace r2n_ws;
    std::vector<interaction::RealToReciprocal::Q0Sums> q0;
    const Timing t_q0 = best_of(repeats, CLOCK_THREAD_CPUTIME_ID,
                                [&] { q0 = itr.real_to_reciprocal().prepare_q0s(triplets.data(), n); });
    const Timing t_r2r = best_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      itr.real_to_reciprocal().run(q0, triplets.data(), n, fc3_rec.data(), r2r_ws);
    });
    const Timing t_r2n = best_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      for (std::size_t t = 0; t < n; ++t) {
        itr.reciprocal_to_normal().run(&fc3_rec[t * nb3], phonons, triplets[t], nullptr, &pp[t * per],
                                       r2n_ws);
      }
    });
    std::vector<double> temps_thz = {self_energy::temperature_to_thz(300.0)};
    std::vector<double> ise(n * nb0), scratch(2 * nb);
    const Timing t_sum = best_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      for (std::size_t t = 0; t < n; ++t) {
        self_energy::detail::imag_self_energy_at_triplet(
            &pp[t * per], &g[t * per], &g[(n + t) * per], &g_zero[t * per], nb0, nb,
            phonons.frequencies_at(static_cast<std::size_t>(triplets[t][1])),
            phonons.frequencies_at(static_cast<std::size_t>(triplets[t][2])), weights[t], temps_thz, 1e-4,
            &ise[t * nb0], scratch.data());
      }
    });
    std::printf("\nstage (1 thread, all %zu triplets)     wall [ms]  cpu [ms]  cpu per triplet [us]\n", n);
    const auto row = [n](const char* label, const Timing& t, bool per_triplet) {
      std::printf("  %-34s %9.3f %9.3f", label, 1e3 * t.wall, 1e3 * t.cpu);
      if (per_triplet) std::printf(" %12.2f", 1e6 * t.cpu / double(n));
      std::printf("\n");
    };
    row("prepare_q0 (once per grid point)", t_q0, false);
    row("real -> reciprocal", t_r2r, true);
    row("reciprocal -> normal (all elements)", t_r2n, true);
    row("Gamma sum (1 temperature)", t_sum, true);

    // ---- whole paths with OpenMP
    const auto copy_weights = [&](std::size_t t, double* out, std::int8_t* out_zero) {
      std::copy(&g[t * per], &g[(t + 1) * per], out);
      std::copy(&g[(n + t) * per], &g[(n + t + 1) * per], out + per);
      std::copy(&g_zero[t * per], &g_zero[(t + 1) * per], out_zero);
    };
    self_energy::ImagSelfEnergy result;
    const Timing t_low = best_of(repeats, CLOCK_PROCESS_CPUTIME_ID, [&] {
      result = self_energy::pp_collision(itr, phonons, gp, triplets, weights, temperatures, copy_weights, bz);
    });
    NdArray<double> full;
    const Timing t_full =
        best_of(repeats, CLOCK_PROCESS_CPUTIME_ID, [&] { full = itr.run(phonons, triplets); });
    std::printf("\nwhole path (%d threads)                wall [ms]  cpu [ms]  cpu per triplet [us]\n",
                threads);
    row("low memory (pp_collision, tetra.)", t_low, true);
    row("full interaction strength array", t_full, true);
    std::printf("\nGamma(300 K) [THz]:");
    for (std::size_t i = 0; i < nb0; ++i) std::printf(" %.10g", result.gamma[i]);
    std::printf("\n");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_interaction: %s\n", e.what());
    return 1;
  }
  return 0;
}
