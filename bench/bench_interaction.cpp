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
// Gamma without a q-direction: fine for timing). Prints the wall time of that production
// path, then runs the same pipeline again built from its stage kernels and prints the CPU
// time of each stage (integration weights, real -> reciprocal, reciprocal -> normal,
// Gamma sum); both passes must give the same Gamma bits (exit code 1 otherwise).
// The anchors (phono3py's C backend, 2 cores): Si 19x19x19 113 s, AlN 13x13x9 51 s.
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

// Per-stage CPU time (summed over threads) of the instrumented low-memory pipeline.
struct StageTimes {
  std::atomic<long long> weights{0}, r2r{0}, r2n{0}, sum{0};
};

// Thread CPU time of one call, added to `total` in nanoseconds.
template <typename F>
void timed(std::atomic<long long>& total, F&& f) {
  const double c0 = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  f();
  total += static_cast<long long>(1e9 * (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - c0));
}

// The low-memory Gamma of one grid point exactly as self_energy::pp_collision computes it
// (same batches, same skipping of triplets without nonzero weights, same per-triplet sums
// added in triplet order), built from the public stage kernels so that each stage can be
// timed: tetrahedron weights, fc3 real -> reciprocal, reciprocal -> normal modes, Gamma sum.
std::vector<double> instrumented_gamma(const interaction::Interaction& itr,
                                       const interaction::PhononView& phonons, const NdArray<double>& freqs,
                                       const grid::BZGrid& bz, std::int64_t gp,
                                       const interaction::TripletsAtQ& tq, const std::vector<double>& fpoints,
                                       double temperature, StageTimes& times) {
  const std::size_t n = tq.triplets.size();
  const std::size_t nb = itr.num_band(), nb0 = itr.num_band0(), per = nb0 * nb * nb, nb3 = nb * nb * nb;
  const std::vector<double> temps_thz = {self_energy::temperature_to_thz(temperature)};
  std::vector<interaction::RealToReciprocal::Q0Sums> q0s;
  timed(times.r2r, [&] { q0s = itr.real_to_reciprocal().prepare_q0s(tq.triplets.data(), n); });
#ifdef _OPENMP
  const auto threads = static_cast<std::size_t>(omp_get_max_threads());
#else
  const std::size_t threads = 1;
#endif
  const std::size_t B = itr.real_to_reciprocal().batch_size();
  const std::size_t chunk = std::max<std::size_t>(1, std::min(B, n / (4 * threads)));
  const std::size_t num_chunks = (n + chunk - 1) / chunk;
  const bool inside = interaction::Interaction::prefer_parallel_inside(n);
  std::vector<double> ise(n * nb0);
  // Scratch of one thread, reused over its batches (as pp_collision's Buffers).
  struct Buffers {
    std::vector<double> g, pp, scratch;
    std::vector<std::int8_t> g_zero;
    std::vector<std::complex<double>> fc3_rec;
    interaction::RealToReciprocal::Workspace r2r_ws;
    interaction::ReciprocalToNormal::Workspace r2n_ws;
    std::vector<interaction::Triplet> active;
    std::vector<std::size_t> index;
  };
  const auto batch = [&](std::size_t t0, std::size_t len, Buffers& b, bool parallel_inside) {
    b.g.resize(len * 2 * per);
    b.pp.assign(len * per, 0.0);
    b.scratch.resize(2 * nb);
    b.g_zero.resize(len * per);
    b.fc3_rec.resize(B * nb3);
    b.active.clear();
    b.index.clear();
    timed(times.weights, [&] {
      for (std::size_t i = 0; i < len; ++i) {
        interaction::set_triplets_integration_weights_tetrahedron(&b.g[i * 2 * per], &b.g_zero[i * per], 2,
                                                                  fpoints, {tq.triplets[t0 + i]}, freqs, bz);
      }
    });
    timed(times.r2n, [&] {
      for (std::size_t i = 0; i < len; ++i) {
        if (itr.reciprocal_to_normal().any_needed(phonons, tq.triplets[t0 + i], &b.g_zero[i * per])) {
          b.active.push_back(tq.triplets[t0 + i]);
          b.index.push_back(i);
        }
      }
    });
    for (std::size_t start = 0; start < b.active.size(); start += B) {
      const std::size_t m = std::min(B, b.active.size() - start);
      timed(times.r2r, [&] {
        itr.real_to_reciprocal().run(q0s, &b.active[start], m, b.fc3_rec.data(), b.r2r_ws, parallel_inside);
      });
      timed(times.r2n, [&] {
        for (std::size_t k = 0; k < m; ++k) {
          const std::size_t i = b.index[start + k];
          itr.reciprocal_to_normal().run(&b.fc3_rec[k * nb3], phonons, b.active[start + k],
                                         &b.g_zero[i * per], &b.pp[i * per], b.r2n_ws, parallel_inside);
        }
      });
    }
    timed(times.sum, [&] {
      for (std::size_t i = 0; i < len; ++i) {
        const auto& tp = tq.triplets[t0 + i];
        self_energy::detail::imag_self_energy_at_triplet(
            &b.pp[i * per], &b.g[i * 2 * per], &b.g[i * 2 * per + per], &b.g_zero[i * per], nb0, nb,
            phonons.frequencies_at(static_cast<std::size_t>(tp[1])),
            phonons.frequencies_at(static_cast<std::size_t>(tp[2])), tq.weights[t0 + i], temps_thz,
            itr.cutoff_frequency(), &ise[(t0 + i) * nb0], b.scratch.data());
      }
    });
  };
  if (inside) {
    // The thread CPU clock of the calling thread misses the helpers of parallel_inside;
    // such grid points (fewer triplets than 2 threads) are negligible in a mesh.
    Buffers b;
    for (std::size_t t = 0; t < n; ++t) batch(t, 1, b, true);
  } else {
#pragma omp parallel
    {
      Buffers b;
#pragma omp for schedule(dynamic)
      for (std::size_t c = 0; c < num_chunks; ++c) batch(c * chunk, std::min(chunk, n - c * chunk), b, false);
    }
  }
  NdArray<double> gamma({1, nb0}, 0.0);
  timed(times.sum, [&] {
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t b = 0; b < nb0; ++b) gamma[b] += ise[t * nb0 + b];
    }
    for (double& v : gamma.data) v *= self_energy::unit_conversion_factor() * itr.unit_conversion_factor();
    self_energy::average_by_degeneracy(gamma, itr.band_indices(),
                                       phonons.frequencies_at(static_cast<std::size_t>(gp)), nb);
  });
  return gamma.data;
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
  const std::size_t n_ir = ir.ir_grid_points_bz.size();
  std::vector<interaction::TripletsAtQ> all_triplets;
  auto t1 = Clock::now();
  std::size_t total_triplets = 0;
  for (const std::int64_t gp : ir.ir_grid_points_bz) {
    all_triplets.push_back(interaction::get_triplets_at_q(gp, bz));
    total_triplets += all_triplets.back().size();
  }
  const double t_triplets = seconds_since(t1);
  const auto band_frequencies = [&](std::int64_t gp) {
    const double* f = phonons.frequencies_at(static_cast<std::size_t>(gp));
    return std::vector<double>(f, f + nb);
  };

  // 1) The production path: per-triplet tetrahedron weights -> self_energy::pp_collision.
  double t_gamma = 0, worst_gp = 0, production_top = 0;
  const double cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (std::size_t i = 0; i < n_ir; ++i) {
    const std::int64_t gp = ir.ir_grid_points_bz[i];
    const interaction::TripletsAtQ& tq = all_triplets[i];
    const std::vector<double> fpoints = band_frequencies(gp);
    const auto weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
      interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, fpoints, {tq.triplets[t]},
                                                                ph.frequencies, bz);
    };
    t1 = Clock::now();
    const self_energy::ImagSelfEnergy r =
        self_energy::pp_collision(itr, phonons, gp, tq.triplets, tq.weights, {300.0}, weights, bz);
    const double dt = seconds_since(t1);
    t_gamma += dt;
    worst_gp = std::max(worst_gp, dt);
    if (i == 1) production_top = r.gamma[nb - 1];
  }
  const double cpu_production = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  std::printf("%zu triplets in all (%.0f per grid point); triplets at q %.2f s\n", total_triplets,
              double(total_triplets) / double(n_ir), t_triplets);
  std::printf(
      "production path (tetrahedron weights + pp_collision), T = 300 K, all %zu ir grid points: "
      "wall %.2f s (CPU %.2f s over %d threads); slowest grid point %.3f s\n",
      n_ir, t_gamma, cpu_production, threads, worst_gp);

  // 2) The same computation split into its stages (CPU time summed over the threads).
  StageTimes times;
  double instrumented_top = 0;
  t1 = Clock::now();
  for (std::size_t i = 0; i < n_ir; ++i) {
    const std::int64_t gp = ir.ir_grid_points_bz[i];
    const std::vector<double> g = instrumented_gamma(itr, phonons, ph.frequencies, bz, gp, all_triplets[i],
                                                     band_frequencies(gp), 300.0, times);
    if (i == 1) instrumented_top = g[nb - 1];
  }
  const double t_instrumented = seconds_since(t1);
  const double stage_total = 1e-9 * double(times.weights + times.r2r + times.r2n + times.sum);
  std::printf("\nper-stage split (same pipeline, instrumented; wall %.2f s), CPU summed over threads:\n",
              t_instrumented);
  const auto row = [&](const char* label, long long ns) {
    std::printf("  %-44s %9.2f s  %5.1f %%  %8.2f us/triplet\n", label, 1e-9 * double(ns),
                100 * 1e-9 * double(ns) / stage_total, 1e-3 * double(ns) / double(total_triplets));
  };
  row("integration weights (tetrahedron)", times.weights.load());
  row("real -> reciprocal (incl. q0 sums)", times.r2r.load());
  row("reciprocal -> normal (incl. g_zero filter)", times.r2n.load());
  row("Gamma sum (+ final reduction)", times.sum.load());
  std::printf("  %-44s %9.2f s\n", "total", stage_total);
  std::printf("Gamma(300 K) of the top band at the second ir grid point: %.12g THz (instrumented: %.12g)\n",
              production_top, instrumented_top);
  return production_top == instrumented_top ? 0 : 1;
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
