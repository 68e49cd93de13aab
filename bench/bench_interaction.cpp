// Micro-benchmark of the three-phonon interaction and Gamma, stage by stage.
//
//   bench_interaction [case=si-pbesol] [grid_point=105] [repeats=5] [data_dir]
//                     [--grid 9 or 7,7,5] [--batch N] [--no-reference]
//
// One grid point of a BZ grid (default: the reference mesh of the case, 9x9x9, AlN
// 7x7x5, si-conv8 8x8x8), everything built by ph3mpi from phono3py.yaml, fc2.hdf5 and
// fc3.hdf5 (grid, phonons, triplets, tetrahedron weights). Prints, for one thread, the
// median over `repeats` runs of the thread CPU time of every stage: tetrahedron
// integration weights (per triplet, as the driver calls them); fc3 real -> reciprocal
// (q0 sums and per-triplet part) with the atom-pair kernel of before issue 13
// (RealToReciprocalPairs) and with RealToReciprocal in its direct and in its separable
// form, side by side; reciprocal -> normal; the Gamma sum. Then the GFLOP/s of each
// kernel (the flops its own algorithm performs) next to OpenBLAS ZGEMM of the direct
// product's shape and DGEMM 1000^3 on the same thread, and the whole low-memory path
// with the OMP_NUM_THREADS threads next to the same GEMMs running on as many threads
// (--no-reference: without the GEMMs, e.g. under valgrind). The CPU model heads the
// output. The case si-conv8 (24 bands) is the 8-atom conventional cell of Si.
//
//   bench_interaction --mesh [case=si-pbesol] [mesh=19 or e.g. 13,13,9] [data_dir] [--batch N]
//                     [--pairs]
//
// Gamma at 300 K (tetrahedron method) on every irreducible grid point of a full mesh,
// as phono3py's RTA run does it: BZ grid, ir grid points, phonons on the grid, and per
// grid point triplets -> per-triplet tetrahedron weights -> low-memory pp_collision.
// Prints the wall time of that production path, then runs the same pipeline again built
// from its stage kernels and prints the CPU time of each stage (integration weights,
// real -> reciprocal, reciprocal -> normal, Gamma sum); both passes must give the same
// Gamma bits (exit code 1 otherwise). --pairs also times the atom-pair kernel on the same
// batches in that pass (its results are discarded).
// The anchors (phono3py's C backend, 2 cores): Si 19x19x19 113 s, AlN 13x13x9 51 s.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <complex>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "integration_weights_reference.hpp"
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
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"
#include "real_to_reciprocal_pairs.hpp"
#include "reciprocal_to_normal_reference.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

#ifndef PH3MPI_BENCH_DATA_DIR
#define PH3MPI_BENCH_DATA_DIR "tests/data"
#endif

extern "C" {
void zgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const std::complex<double>* alpha, const std::complex<double>* a, const int* lda,
            const std::complex<double>* b, const int* ldb, const std::complex<double>* beta,
            std::complex<double>* c, const int* ldc, std::size_t transa_len, std::size_t transb_len);
void dgemm_(const char* transa, const char* transb, const int* m, const int* n, const int* k,
            const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
            const double* beta, double* c, const int* ldc, std::size_t transa_len, std::size_t transb_len);
}

namespace {

using namespace ph3mpi;
using Clock = std::chrono::steady_clock;
using Complex = std::complex<double>;

int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median over the repeats of the wall time and of the CPU time of `clock` (the calling
// thread's for serial stages, the process's for OpenMP ones): on a shared, busy machine
// the thread CPU time is the steadier figure.
struct Timing {
  double wall = 0;
  double cpu = 0;
};

template <typename F>
Timing median_of(int repeats, clockid_t clock, F&& f) {
  std::vector<double> wall, cpu;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = Clock::now();
    const double c0 = cpu_seconds(clock);
    f();
    cpu.push_back(cpu_seconds(clock) - c0);
    wall.push_back(seconds_since(t0));
  }
  return {median(wall), median(cpu)};
}

// ---------------------------------------------------------------- inputs

grid::Vector3l parse_mesh(std::string m) {
  std::replace(m.begin(), m.end(), ',', ' ');
  std::istringstream is(m);
  long long a = 0, b = -1, c = -1;
  is >> a >> b >> c;
  return b < 0 ? grid::Vector3l(a, a, a) : grid::Vector3l(a, b, c);
}

// Crystal, fc3, BZ grid and phonons on every BZ grid point, built by ph3mpi.
struct Inputs {
  crystal::Primitive prim;
  interaction::AtomTriplets atoms;
  io::ForceConstants fc3;
  grid::BZGrid bz;
  phonon::Phonons ph;
  double setup_seconds = 0;

  std::vector<std::int32_t> degenerate_first;  // as driver::BZPhonons: first band of each band's set

  interaction::PhononView phonons() const {
    return {ph.frequencies.ptr(), ph.eigenvectors.ptr(), degenerate_first.data(), ph.frequencies.shape[0],
            ph.frequencies.shape[1]};
  }
  std::vector<double> frequencies_at(std::int64_t gp) const {
    const std::size_t nb = ph.frequencies.shape[1];
    const double* f = ph.frequencies.ptr() + static_cast<std::size_t>(gp) * nb;
    return std::vector<double>(f, f + nb);
  }
};

Inputs load_inputs(const std::string& dir, const grid::Vector3l& mesh) {
  const auto t0 = Clock::now();
  Inputs in;
  const io::Phono3pyYaml yaml = io::read_phono3py_yaml(dir + "phono3py.yaml");
  const crystal::Supercell sc = crystal::build_supercell(yaml.unitcell, yaml.supercell_matrix, 1e-5);
  in.prim = crystal::build_primitive(sc, yaml.primitive_matrix, 1e-5);
  in.atoms = interaction::make_atom_triplets(sc, in.prim, crystal::shortest_vectors(sc, in.prim, 1e-5));
  in.fc3 = io::read_fc3(dir + "fc3.hdf5", sc.num_atoms(), in.prim.p2s_map);
  const crystal::Supercell psc = crystal::build_supercell(yaml.unitcell, yaml.phonon_supercell_matrix, 1e-5);
  const crystal::Primitive pprim = crystal::build_primitive(psc, yaml.primitive_matrix, 1e-5);
  io::ForceConstants fc2 = io::read_fc2(dir + "fc2.hdf5", psc.num_atoms(), pprim.p2s_map);
  const phonon::DynamicalMatrix dm(phonon::make_dynamical_matrix_input(
                                       pprim, crystal::shortest_vectors(psc, pprim, 1e-5), std::move(fc2.fc)),
                                   yaml.nac);
  const crystal::Symmetry sym = crystal::get_symmetry(in.prim, 1e-5);
  grid::GridSymmetry gsym;
  gsym.rotations = sym.rotations;
  gsym.transformation_matrix = sym.transformation_matrix;
  gsym.std_lattice = sym.std_lattice;
  in.bz = grid::make_phono3py_bz_grid(grid::MeshSpec::from_numbers(mesh), in.prim.lattice, gsym);
  std::vector<std::int64_t> all(in.bz.addresses.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::int64_t>(i);
  in.ph = phonon::solve_phonons(dm, grid::qpoints_of_bz_points(in.bz, all));
  const std::size_t nb = in.ph.frequencies.shape[1];
  in.degenerate_first.assign(in.ph.frequencies.size(), 0);
  for (std::size_t gp = 0; gp < in.ph.frequencies.shape[0]; ++gp) {
    for (const auto& set : phonon::degenerate_sets(in.ph.frequencies.ptr() + gp * nb, nb)) {
      for (const std::size_t band : set)
        in.degenerate_first[gp * nb + band] = static_cast<std::int32_t>(set.front());
    }
  }
  in.setup_seconds = seconds_since(t0);
  return in;
}

const std::int8_t* nonzero_indices(const Inputs& in) {
  return in.fc3.has_nonzero_indices ? in.fc3.fc3_nonzero_indices.ptr() : nullptr;
}

// ---------------------------------------------------------------- flop counts

// The lattice-vector kernel, direct form: per triplet the product (triplets x rows) x
// (rows x 27), complex; its q0 sums add 27 real-times-complex terms (4 flops) per term.
double flops_lattice(const interaction::RealToReciprocal& r2r) { return 8.0 * 27.0 * double(r2r.num_rows()); }
double flops_w(const interaction::RealToReciprocal& r2r) { return 4.0 * 27.0 * double(r2r.num_terms()); }
// Separable form: per triplet the sum over the groups; once per grid point the sums over
// c0 (|a0| x rows) and c1 (|(a0, a1)| x lines) on top of W.
double flops_separable_triplet(const interaction::RealToReciprocal& r2r) {
  return 8.0 * 27.0 * double(r2r.num_groups());
}
double flops_separable_q0(const interaction::RealToReciprocal& r2r, std::size_t n_a0, std::size_t n_a01) {
  return flops_w(r2r) +
         8.0 * 27.0 * (double(n_a0) * double(r2r.num_rows()) + double(n_a01) * double(r2r.num_lines()));
}

// The atom-pair kernel: per nonzero fc3 row of leg 1, 27 real-times-complex
// multiply-adds (4 flops); per (a, u, k) the complex scaling by P1 (27 complex products,
// 6 flops each, and 27 complex adds); legs 2 and 3 as complex sums over one atom index.
double flops_pairs(const interaction::AtomTriplets& atoms, std::size_t nonzero_rows) {
  const double n_p = double(atoms.n_patom), n_s = double(atoms.n_satom), n_c = n_s / n_p;
  return 4.0 * 27.0 * double(nonzero_rows) + 8.0 * 27.0 * n_p * n_s * n_p +
         2 * 8.0 * 27.0 * n_p * n_p * n_p * n_c;
}

// reciprocal -> normal, all elements: three complex contractions of nb0 nb^3 each.
double flops_r2n(std::size_t nb0, std::size_t nb) { return 3.0 * 8.0 * double(nb0) * double(nb * nb * nb); }

// ---------------------------------------------------------------- reference GEMMs

struct GemmRate {
  double one_thread = 0;   // GFLOP/s, thread CPU time
  double all_threads = 0;  // GFLOP/s summed over max_threads() concurrent calls, wall time
};

// ZGEMM C (m x n) = A (m x k) B (k x n), column-major, as our product (m = 27, n = batch,
// k = rows of a block). Repeated until ~0.2 s per measurement, median of 3.
GemmRate zgemm_rate(int m, int n, int k) {
  GemmRate rate;
  const double flops = 8.0 * m * n * k;
  const int reps = std::max(1, static_cast<int>(0.2 * 4e10 / flops));
  const auto run = [&](std::vector<Complex>& a, std::vector<Complex>& b, std::vector<Complex>& c) {
    const Complex one(1.0, 0.0), zero(0.0, 0.0);
    for (int r = 0; r < reps; ++r)
      zgemm_("N", "N", &m, &n, &k, &one, a.data(), &m, b.data(), &k, &zero, c.data(), &m, 1, 1);
  };
  {
    std::vector<Complex> a(std::size_t(m) * k, Complex(0.3, 0.1)), b(std::size_t(k) * n, Complex(0.2, -0.4)),
        c(std::size_t(m) * n);
    rate.one_thread = flops * reps / median_of(3, CLOCK_THREAD_CPUTIME_ID, [&] { run(a, b, c); }).cpu * 1e-9;
  }
  const int threads = max_threads();
  const Timing t = median_of(3, CLOCK_PROCESS_CPUTIME_ID, [&] {
#pragma omp parallel num_threads(threads)
    {
      std::vector<Complex> a(std::size_t(m) * k, Complex(0.3, 0.1)),
          b(std::size_t(k) * n, Complex(0.2, -0.4)), c(std::size_t(m) * n);
      run(a, b, c);
    }
  });
  rate.all_threads = flops * reps * threads / t.wall * 1e-9;
  return rate;
}

GemmRate dgemm_rate(int size) {
  GemmRate rate;
  const double flops = 2.0 * size * size * size;
  const auto run = [&](std::vector<double>& a, std::vector<double>& b, std::vector<double>& c) {
    const double one = 1.0, zero = 0.0;
    dgemm_("N", "N", &size, &size, &size, &one, a.data(), &size, b.data(), &size, &zero, c.data(), &size, 1,
           1);
  };
  const std::size_t n2 = std::size_t(size) * size;
  {
    std::vector<double> a(n2, 0.3), b(n2, 0.2), c(n2);
    rate.one_thread = flops / median_of(3, CLOCK_THREAD_CPUTIME_ID, [&] { run(a, b, c); }).cpu * 1e-9;
  }
  const int threads = max_threads();
  const Timing t = median_of(3, CLOCK_PROCESS_CPUTIME_ID, [&] {
#pragma omp parallel num_threads(threads)
    {
      std::vector<double> a(n2, 0.3), b(n2, 0.2), c(n2);
      run(a, b, c);
    }
  });
  rate.all_threads = flops * threads / t.wall * 1e-9;
  return rate;
}

// ---------------------------------------------------------------- one grid point

int run_grid_point(const std::string& name, std::int64_t gp, int repeats, const std::string& data,
                   const grid::Vector3l& mesh, std::size_t batch, bool with_reference) {
  const Inputs in = load_inputs(data + "/" + name + "/", mesh);
  const interaction::PhononView phonons = in.phonons();
  const interaction::Interaction itr(in.fc3.fc, nonzero_indices(in), in.atoms, in.prim.masses, in.bz, {},
                                     true, 1e-4, batch);
  const interaction::RealToReciprocal& gemm = itr.real_to_reciprocal();
  const interaction::RealToReciprocalPairs pairs(in.fc3.fc, nonzero_indices(in), in.atoms, in.bz);
  if (gp < 0 || gp >= in.bz.num_bz_points()) throw std::runtime_error("grid point outside the BZ grid");
  const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, in.bz);
  const std::vector<interaction::Triplet>& triplets = tq.triplets;
  const std::size_t n = triplets.size();
  const std::size_t nb = itr.num_band(), nb0 = itr.num_band0(), nb3 = nb * nb * nb, per = nb0 * nb * nb;
  const std::vector<double> fpoints = in.frequencies_at(gp);

  // Tetrahedron weights of all triplets (the inputs of the later stages).
  std::vector<double> g(2 * n * per);
  std::vector<std::int8_t> g_zero(n * per);
  interaction::set_triplets_integration_weights_tetrahedron(g.data(), g_zero.data(), 2, fpoints, triplets,
                                                            in.ph.frequencies, in.bz);
  std::size_t active = 0;
  for (std::size_t t = 0; t < n; ++t) {
    active += itr.reciprocal_to_normal().any_needed(phonons, triplets[t], &g_zero[t * per]) ? 1 : 0;
  }
  std::size_t nonzero_rows = 0;  // nonzero fc3 blocks, as the atom-pair kernel keeps them
  {
    const std::size_t n_p = in.atoms.n_patom, n_s = in.atoms.n_satom;
    const bool compact = in.fc3.fc.shape[0] != in.fc3.fc.shape[1];
    for (std::size_t a = 0; a < n_p; ++a) {
      const std::size_t row = compact ? a : static_cast<std::size_t>(in.atoms.p2s_map[a]);
      for (std::size_t jk = 0; jk < n_s * n_s; ++jk) {
        const std::size_t block = row * n_s * n_s + jk;
        if (nonzero_indices(in) != nullptr && nonzero_indices(in)[block] == 0) continue;
        const double* f = in.fc3.fc.ptr() + block * 27;
        nonzero_rows += std::any_of(f, f + 27, [](double x) { return x != 0.0; }) ? 1 : 0;
      }
    }
  }

  std::printf("CPU: %s; %d OpenMP threads\n", cpu_model().c_str(), max_threads());
  std::printf(
      "case %s, mesh %lldx%lldx%lld, grid point %lld: %zu triplets (%zu with nonzero tetrahedron weights), "
      "%zu "
      "bands, %zu supercell atoms; setup %.2f s\n",
      name.c_str(), static_cast<long long>(mesh(0)), static_cast<long long>(mesh(1)),
      static_cast<long long>(mesh(2)), static_cast<long long>(gp), n, active, nb, in.atoms.n_satom,
      in.setup_seconds);
  std::printf(
      "fc3: %zu nonzero atom-pair blocks; lattice-vector form: %zu distinct lattice vectors, %zu rows over "
      "the "
      "%zu atom blocks (%.1f per block), %zu terms in the q0 sums, batch %zu\n",
      nonzero_rows, gemm.num_lattice_vectors(), gemm.num_rows(), nb3 / 27,
      double(gemm.num_rows()) / double(nb3 / 27), gemm.num_terms(), gemm.batch_size());

  // ---- per stage, one thread
  const Timing t_weights = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    std::vector<double> gt(2 * per);
    std::vector<std::int8_t> gzt(per);
    for (std::size_t t = 0; t < n; ++t) {
      interaction::set_triplets_integration_weights_tetrahedron(gt.data(), gzt.data(), 2, fpoints,
                                                                {triplets[t]}, in.ph.frequencies, in.bz);
    }
  });
  // fc3 real -> reciprocal three ways: the atom-pair kernel (before issue 13), the
  // lattice-vector form with direct q0 sums (prepare_q0) and in the form prepare_q0s
  // chooses for these triplets (separable here unless the grid point has few).
  std::vector<interaction::RealToReciprocalPairs::Q0Sums> q0_pairs;
  std::vector<interaction::RealToReciprocal::Q0Sums> q0_direct, q0_chosen;
  const Timing t_q0_pairs =
      median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] { q0_pairs = pairs.prepare_q0s(triplets.data(), n); });
  Timing t_q0_direct, t_q0_chosen;
  {
#ifdef _OPENMP
    const int saved = omp_get_max_threads();
    omp_set_num_threads(1);  // the q0 sums are OpenMP-parallel over atom blocks
#endif
    t_q0_direct = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      q0_direct.clear();
      for (const auto& tp : triplets) {
        if (std::none_of(q0_direct.begin(), q0_direct.end(),
                         [&](const auto& q) { return q.grid_point == tp[0]; })) {
          q0_direct.push_back(gemm.prepare_q0(tp[0]));
        }
      }
    });
    t_q0_chosen = median_of(repeats, CLOCK_THREAD_CPUTIME_ID,
                            [&] { q0_chosen = gemm.prepare_q0s(triplets.data(), n); });
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
  }
  std::size_t n_a01 = 0, n_a0 = 0;
  for (const auto& q : q0_chosen) {
    std::vector<bool> seen(q.pair01.size(), false);
    for (std::size_t k = 0; k < q.pair01.size(); ++k) n_a01 += q.pair01[k] >= 0 ? 1 : 0;
    const std::size_t d1 = static_cast<std::size_t>(in.bz.D_diag(1));
    for (std::size_t k = 0; k < q.pair01.size(); k += d1) {
      n_a0 += std::any_of(q.pair01.begin() + std::ptrdiff_t(k), q.pair01.begin() + std::ptrdiff_t(k + d1),
                          [](std::int32_t x) { return x >= 0; })
                  ? 1
                  : 0;
    }
  }
  const bool separable = q0_chosen.front().separable();
  std::printf("chosen q0 sums: %s form (%zu lines, %zu groups; %zu a0 values, %zu (a0, a1) address pairs)\n",
              separable ? "separable" : "direct", gemm.num_lines(), gemm.num_groups(), n_a0, n_a01);
  std::vector<Complex> rec_pairs(n * nb3), rec_direct(n * nb3), rec_chosen(n * nb3);
  const Timing t_r2r_pairs = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    interaction::RealToReciprocalPairs::Workspace ws;
    for (std::size_t s = 0; s < n; s += pairs.batch_size()) {
      const std::size_t m = std::min(pairs.batch_size(), n - s);
      pairs.run(q0_pairs, &triplets[s], m, &rec_pairs[s * nb3], ws);
    }
  });
  const auto run_lattice = [&](const std::vector<interaction::RealToReciprocal::Q0Sums>& q0s,
                               std::vector<Complex>& out) {
    return median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      interaction::RealToReciprocal::Workspace ws;
      for (std::size_t s = 0; s < n; s += gemm.batch_size()) {
        const std::size_t m = std::min(gemm.batch_size(), n - s);
        gemm.run(q0s, &triplets[s], m, &out[s * nb3], ws);
      }
    });
  };
  const Timing t_r2r_direct = run_lattice(q0_direct, rec_direct);
  const Timing t_r2r_chosen = run_lattice(q0_chosen, rec_chosen);
  double scale = 0, worst = 0;
  for (std::size_t i = 0; i < rec_pairs.size(); ++i) scale = std::max(scale, std::abs(rec_pairs[i]));
  for (std::size_t i = 0; i < rec_pairs.size(); ++i) {
    worst = std::max({worst, std::abs(rec_direct[i] - rec_pairs[i]), std::abs(rec_chosen[i] - rec_pairs[i])});
  }
  std::vector<double> pp(n * per);
  const Timing t_r2n = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    interaction::ReciprocalToNormal::Workspace ws;
    for (std::size_t t = 0; t < n; ++t) {
      itr.reciprocal_to_normal().run(&rec_chosen[t * nb3], phonons, triplets[t], nullptr, &pp[t * per], ws);
    }
  });
  // The tetrahedron weights and reciprocal -> normal of commit 734e1dd (kept in
  // tests/reference_kernels, same results bit for bit) on the same triplets: the "before"
  // of the two kernels; r->n also with the tetrahedron weights' g_zero mask, as RTA runs it.
  const Timing t_weights_734e1dd = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    std::vector<double> gt(2 * per);
    std::vector<std::int8_t> gzt(per);
    for (std::size_t t = 0; t < n; ++t) {
      interaction::set_triplets_integration_weights_tetrahedron_reference(
          gt.data(), gzt.data(), 2, fpoints, {triplets[t]}, in.ph.frequencies, in.bz);
    }
  });
  const auto r2n_734e1dd = [&](bool masked) {
    return median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
      for (std::size_t t = 0; t < n; ++t) {
        interaction::reciprocal_to_normal_reference(&rec_chosen[t * nb3], in.prim.masses, itr.band_indices(),
                                                    itr.cutoff_frequency(), phonons, triplets[t],
                                                    masked ? &g_zero[t * per] : nullptr, &pp[t * per]);
      }
    });
  };
  const Timing t_r2n_734e1dd = r2n_734e1dd(false), t_r2n_masked_734e1dd = r2n_734e1dd(true);
  const Timing t_r2n_masked = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    interaction::ReciprocalToNormal::Workspace ws;
    for (std::size_t t = 0; t < n; ++t) {
      itr.reciprocal_to_normal().run(&rec_chosen[t * nb3], phonons, triplets[t], &g_zero[t * per],
                                     &pp[t * per], ws);
    }
  });
  // (pp last written with all elements: the Gamma sum below reads the masked ones only.)
  const std::vector<double> temps_thz = {self_energy::temperature_to_thz(300.0)};
  std::vector<double> ise(n * nb0), scratch(2 * nb);
  const Timing t_sum = median_of(repeats, CLOCK_THREAD_CPUTIME_ID, [&] {
    for (std::size_t t = 0; t < n; ++t) {
      self_energy::detail::imag_self_energy_at_triplet(
          &pp[t * per], &g[t * per], &g[(n + t) * per], &g_zero[t * per], nb0, nb,
          phonons.frequencies_at(static_cast<std::size_t>(triplets[t][1])),
          phonons.frequencies_at(static_cast<std::size_t>(triplets[t][2])), tq.weights[t], temps_thz, 1e-4,
          &ise[t * nb0], scratch.data());
    }
  });

  // Reference GEMMs: the direct product's shape (27 x batch x mean rows per block) and 1000^3.
  const int mean_rows = std::max(1, static_cast<int>(gemm.num_rows() / (nb3 / 27)));
  const GemmRate z =
      with_reference ? zgemm_rate(27, static_cast<int>(gemm.batch_size()), mean_rows) : GemmRate{1, 1};
  const GemmRate d = with_reference ? dgemm_rate(1000) : GemmRate{1, 1};

  const double us = 1e6 / double(n);
  std::printf(
      "\nper stage, 1 thread, median of %d, thread CPU time [us per triplet]\n"
      "                                                  before   after: direct  separable   speed-up\n",
      repeats);
  const auto row3 = [&](const char* label, double before, double direct, double chosen) {
    std::printf("  %-44s %9.2f %14.2f %10.2f %9.2fx\n", label, before, direct, chosen, before / chosen);
  };
  const auto row1 = [&](const char* label, double after) {
    std::printf("  %-44s %9s %14s %10.2f\n", label, "", "", after);
  };
  const double chosen_q0 = us * t_q0_chosen.cpu, chosen_r2r = us * t_r2r_chosen.cpu;
  row1("tetrahedron weights (per triplet, as driver)", us * t_weights.cpu);
  row3("q0 sums (per grid point / its triplets)", us * t_q0_pairs.cpu, us * t_q0_direct.cpu,
       separable ? chosen_q0 : NAN);
  row3("fc3 real -> reciprocal per triplet", us * t_r2r_pairs.cpu, us * t_r2r_direct.cpu,
       separable ? chosen_r2r : NAN);
  row3("fc3 real -> reciprocal, both", us * (t_q0_pairs.cpu + t_r2r_pairs.cpu),
       us * (t_q0_direct.cpu + t_r2r_direct.cpu), separable ? chosen_q0 + chosen_r2r : NAN);
  row1("reciprocal -> normal (all elements)", us * t_r2n.cpu);
  row1("Gamma sum (1 temperature)", us * t_sum.cpu);
  std::printf(
      "  (before: atom-pair kernel; after: lattice-vector form, q0 sums direct or separable, whichever\n"
      "   prepare_q0s picks (here %s); speed-up of the picked one; max |after - before| / max |fc3| %.1e)\n",
      separable ? "separable" : "direct", worst / scale);
  std::printf(
      "\n  kernels against those of commit 734e1dd                 734e1dd          now   speed-up\n");
  const auto row2 = [&](const char* label, double before, double now) {
    std::printf("  %-50s %9.2f %12.2f %9.2fx\n", label, before, now, before / now);
  };
  row2("tetrahedron weights (per triplet, as driver)", us * t_weights_734e1dd.cpu, us * t_weights.cpu);
  row2("reciprocal -> normal (all elements)", us * t_r2n_734e1dd.cpu, us * t_r2n.cpu);
  row2("reciprocal -> normal (g_zero of the weights, as RTA)", us * t_r2n_masked_734e1dd.cpu,
       us * t_r2n_masked.cpu);

  // Flops each form performs (the lattice kernels' rows are 27 complex elements; the
  // padding to 32 and the phase, gather and assembly work are not counted, their time is).
  const double f_pairs = flops_pairs(in.atoms, nonzero_rows), f_r2n = flops_r2n(nb0, nb);
  const double f_direct = flops_lattice(gemm), f_w = flops_w(gemm);
  const double f_sep_q0 = flops_separable_q0(gemm, n_a0, n_a01), f_sep = flops_separable_triplet(gemm);
  const double flops_per_triplet = separable ? f_sep : f_direct;
  const double flops_q0 = separable ? f_sep_q0 : f_w;
  std::printf(
      "\nGFLOP/s, 1 thread                                   flops    GFLOP/s   of ZGEMM %dx%zux%d   of "
      "DGEMM "
      "1000\n",
      27, gemm.batch_size(), mean_rows);
  const auto rate = [&](const char* label, double flops, double seconds) {
    const double gf = flops / seconds * 1e-9;
    std::printf("  %-44s %9.3g %9.1f %14.0f %% %12.0f %%\n", label, flops, gf, 100 * gf / z.one_thread,
                100 * gf / d.one_thread);
  };
  rate("before: fc3 r->r per triplet (atom pairs)", f_pairs, t_r2r_pairs.cpu / double(n));
  rate("after, direct: q0 sums W (per grid point)", f_w, t_q0_direct.cpu);
  rate("after, direct: product per triplet", f_direct, t_r2r_direct.cpu / double(n));
  if (separable) {
    rate("after, separable: q0 sums (per grid point)", f_sep_q0, t_q0_chosen.cpu);
    rate("after, separable: sum over c2 per triplet", f_sep, t_r2r_chosen.cpu / double(n));
  }
  rate("reciprocal -> normal per triplet", f_r2n, t_r2n.cpu / double(n));
  std::printf("  %-44s %9s %9.1f\n", "OpenBLAS ZGEMM of the direct product's shape", "", z.one_thread);
  std::printf("  %-44s %9s %9.1f\n", "OpenBLAS DGEMM 1000x1000x1000", "", d.one_thread);

  // ---- whole low-memory path with all threads (weights computed in the callback, as the driver)
  const auto weights = [&](std::size_t t, double* gt, std::int8_t* gzt) {
    interaction::set_triplets_integration_weights_tetrahedron(gt, gzt, 2, fpoints, {triplets[t]},
                                                              in.ph.frequencies, in.bz);
  };
  self_energy::ImagSelfEnergy result;
  const Timing t_low = median_of(repeats, CLOCK_PROCESS_CPUTIME_ID, [&] {
    result = self_energy::pp_collision(itr, phonons, gp, triplets, tq.weights, {300.0}, weights, in.bz);
  });
  const double gf_path = (flops_per_triplet * double(active) + flops_q0) / t_low.wall * 1e-9;
  std::printf(
      "\nwhole low-memory path (weights + pp_collision), %d threads: wall %.2f ms, CPU %.2f ms "
      "(%.2f us CPU per triplet)\n",
      max_threads(), 1e3 * t_low.wall, 1e3 * t_low.cpu, us * t_low.cpu);
  std::printf(
      "  fc3 r->r flops (chosen form, with the q0 sums) of its %zu active triplets / wall: %.1f GFLOP/s = "
      "%.0f "
      "%% of ZGEMM %.1f and "
      "%.0f %% of DGEMM %.1f GFLOP/s on %d threads\n",
      active, gf_path, 100 * gf_path / z.all_threads, z.all_threads, 100 * gf_path / d.all_threads,
      d.all_threads, max_threads());
  std::printf("Gamma(300 K) [THz]:");
  for (std::size_t i = 0; i < nb0; ++i) std::printf(" %.10g", result.gamma[i]);
  std::printf("\n");
  return 0;
}

// ---------------------------------------------------------------- whole mesh

// Per-stage CPU time (summed over threads) of the instrumented low-memory pipeline.
struct StageTimes {
  std::atomic<long long> weights{0}, r2r{0}, r2n{0}, sum{0}, r2r_pairs{0};
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
// With `pairs`, the atom-pair kernel also runs on every batch (timed, results discarded).
std::vector<double> instrumented_gamma(const interaction::Interaction& itr,
                                       const interaction::RealToReciprocalPairs* pairs,
                                       const interaction::PhononView& phonons, const NdArray<double>& freqs,
                                       const grid::BZGrid& bz, std::int64_t gp,
                                       const interaction::TripletsAtQ& tq, const std::vector<double>& fpoints,
                                       double temperature, StageTimes& times) {
  const std::size_t n = tq.triplets.size();
  const std::size_t nb = itr.num_band(), nb0 = itr.num_band0(), per = nb0 * nb * nb, nb3 = nb * nb * nb;
  const std::vector<double> temps_thz = {self_energy::temperature_to_thz(temperature)};
  std::vector<interaction::RealToReciprocal::Q0Sums> q0s;
  timed(times.r2r, [&] { q0s = itr.real_to_reciprocal().prepare_q0s(tq.triplets.data(), n); });
  std::vector<interaction::RealToReciprocalPairs::Q0Sums> q0s_pairs;
  if (pairs != nullptr)
    timed(times.r2r_pairs, [&] { q0s_pairs = pairs->prepare_q0s(tq.triplets.data(), n); });
  const auto threads = static_cast<std::size_t>(max_threads());
  const std::size_t B = itr.real_to_reciprocal().batch_size();
  const std::size_t chunk = std::max<std::size_t>(1, std::min(B, n / (4 * threads)));
  const std::size_t num_chunks = (n + chunk - 1) / chunk;
  const bool inside = interaction::Interaction::prefer_parallel_inside(n);
  std::vector<double> ise(n * nb0);
  // Scratch of one thread, reused over its batches (as pp_collision's Buffers).
  struct Buffers {
    std::vector<double> g, pp, scratch;
    std::vector<std::int8_t> g_zero;
    std::vector<Complex> fc3_rec, fc3_rec_pairs;
    interaction::RealToReciprocal::Workspace r2r_ws;
    interaction::RealToReciprocalPairs::Workspace pairs_ws;
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
      if (pairs != nullptr) {
        b.fc3_rec_pairs.resize(B * nb3);
        timed(times.r2r_pairs, [&] {
          for (std::size_t s = 0; s < m; s += pairs->batch_size()) {
            pairs->run(q0s_pairs, &b.active[start + s], std::min(pairs->batch_size(), m - s),
                       &b.fc3_rec_pairs[s * nb3], b.pairs_ws, parallel_inside);
          }
        });
      }
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

int run_mesh(const std::string& name, const grid::Vector3l& mesh, const std::string& data, std::size_t batch,
             bool with_pairs) {
  const Inputs in = load_inputs(data + "/" + name + "/", mesh);
  const interaction::PhononView phonons = in.phonons();
  auto t0 = Clock::now();
  const interaction::Interaction itr(in.fc3.fc, nonzero_indices(in), in.atoms, in.prim.masses, in.bz, {},
                                     true, 1e-4, batch);
  std::unique_ptr<interaction::RealToReciprocalPairs> pairs;
  if (with_pairs) {
    pairs =
        std::make_unique<interaction::RealToReciprocalPairs>(in.fc3.fc, nonzero_indices(in), in.atoms, in.bz);
  }
  const double t_itr = seconds_since(t0);
  const grid::IrGridPoints ir = grid::get_ir_grid_points(in.bz);
  const int threads = max_threads();
  std::printf("CPU: %s\n", cpu_model().c_str());
  std::printf(
      "case %s, mesh %lldx%lldx%lld: %zu BZ points, %zu ir grid points, %zu bands, %d threads, batch %zu; "
      "setup "
      "(cells, grid, phonons on the grid) %.2f s, Interaction %.2f s\n",
      name.c_str(), static_cast<long long>(mesh(0)), static_cast<long long>(mesh(1)),
      static_cast<long long>(mesh(2)), in.bz.addresses.size(), ir.ir_grid_points_bz.size(), itr.num_band(),
      threads, itr.real_to_reciprocal().batch_size(), in.setup_seconds, t_itr);

  const std::size_t nb = itr.num_band();
  const std::size_t n_ir = ir.ir_grid_points_bz.size();
  std::vector<interaction::TripletsAtQ> all_triplets;
  auto t1 = Clock::now();
  std::size_t total_triplets = 0;
  for (const std::int64_t gp : ir.ir_grid_points_bz) {
    all_triplets.push_back(interaction::get_triplets_at_q(gp, in.bz));
    total_triplets += all_triplets.back().size();
  }
  const double t_triplets = seconds_since(t1);

  // 1) The production path: per-triplet tetrahedron weights -> self_energy::pp_collision.
  double t_gamma = 0, worst_gp = 0, production_top = 0;
  const double cpu0 = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
  for (std::size_t i = 0; i < n_ir; ++i) {
    const std::int64_t gp = ir.ir_grid_points_bz[i];
    const interaction::TripletsAtQ& tq = all_triplets[i];
    const std::vector<double> fpoints = in.frequencies_at(gp);
    const auto weights = [&](std::size_t t, double* g, std::int8_t* g_zero) {
      interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, fpoints, {tq.triplets[t]},
                                                                in.ph.frequencies, in.bz);
    };
    t1 = Clock::now();
    const self_energy::ImagSelfEnergy r =
        self_energy::pp_collision(itr, phonons, gp, tq.triplets, tq.weights, {300.0}, weights, in.bz);
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
    const std::vector<double> g = instrumented_gamma(itr, pairs.get(), phonons, in.ph.frequencies, in.bz, gp,
                                                     all_triplets[i], in.frequencies_at(gp), 300.0, times);
    if (i == 1) instrumented_top = g[nb - 1];
  }
  const double t_instrumented = seconds_since(t1);
  const double stage_total = 1e-9 * double(times.weights + times.r2r + times.r2n + times.sum);
  std::printf("\nper-stage split (same pipeline, instrumented; wall %.2f s), CPU summed over threads:\n",
              t_instrumented);
  const auto row = [&](const char* label, long long ns, bool share) {
    std::printf("  %-44s %9.2f s", label, 1e-9 * double(ns));
    if (share) {
      std::printf("  %5.1f %%", 100 * 1e-9 * double(ns) / stage_total);
    } else {
      std::printf("  %7s", "");
    }
    std::printf("  %8.2f us/triplet\n", 1e-3 * double(ns) / double(total_triplets));
  };
  row("integration weights (tetrahedron)", times.weights.load(), true);
  row("real -> reciprocal (incl. q0 sums)", times.r2r.load(), true);
  row("reciprocal -> normal (incl. g_zero filter)", times.r2n.load(), true);
  row("Gamma sum (+ final reduction)", times.sum.load(), true);
  std::printf("  %-44s %9.2f s\n", "total", stage_total);
  if (pairs) row("[not in total] real -> reciprocal, atom-pair kernel", times.r2r_pairs.load(), false);
  std::printf("Gamma(300 K) of the top band at the second ir grid point: %.12g THz (instrumented: %.12g)\n",
              production_top, instrumented_top);
  return production_top == instrumented_top ? 0 : 1;
}

grid::Vector3l default_mesh(const std::string& name) {
  if (name == "aln-lda") return {7, 7, 5};
  if (name == "si-conv8") return {8, 8, 8};
  return {9, 9, 9};
}

}  // namespace

int main(int argc, char** argv) {
  // Options anywhere; the rest are positional.
  std::vector<std::string> args;
  std::size_t batch = 0;
  bool with_pairs = false, with_reference = true;
  std::string grid_option;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--batch" && i + 1 < argc) {
      batch = std::stoul(argv[++i]);
    } else if (a == "--grid" && i + 1 < argc) {
      grid_option = argv[++i];
    } else if (a == "--pairs") {
      with_pairs = true;
    } else if (a == "--no-reference") {
      with_reference = false;
    } else {
      args.push_back(a);
    }
  }
  try {
    if (!args.empty() && args[0] == "--mesh") {
      const std::string name = args.size() > 1 ? args[1] : "si-pbesol";
      const grid::Vector3l mesh = args.size() > 2 ? parse_mesh(args[2]) : grid::Vector3l(19, 19, 19);
      return run_mesh(name, mesh, args.size() > 3 ? args[3] : PH3MPI_BENCH_DATA_DIR, batch, with_pairs);
    }
    const std::string name = !args.empty() ? args[0] : "si-pbesol";
    const std::int64_t gp = args.size() > 1 ? std::stoll(args[1]) : 105;
    const int repeats = args.size() > 2 ? std::stoi(args[2]) : 5;
    const std::string data = args.size() > 3 ? args[3] : PH3MPI_BENCH_DATA_DIR;
    const grid::Vector3l mesh = grid_option.empty() ? default_mesh(name) : parse_mesh(grid_option);
    return run_grid_point(name, gp, repeats, data, mesh, batch, with_reference);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_interaction: %s\n", e.what());
    return 1;
  }
}
