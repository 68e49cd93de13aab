#include "ph3mpi/driver/scattering_plan.hpp"

#include <algorithm>
#include <cstdio>
#include <numeric>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {

ScatteringPlan make_scattering_plan(const grid::BZGrid& bz_grid, const grid::IrGridPoints& ir,
                                    std::size_t num_band, bool is_kappa_star) {
  ScatteringPlan plan;
  if (is_kappa_star) {
    plan.grid_points = ir.ir_grid_points_bz;
    plan.weights = ir.ir_weights;
  } else {  // phono3py's --noks: every grid point (grg2bzg, GR order), weight 1
    plan.grid_points = bz_grid.grg2bzg;
    plan.weights.assign(plan.grid_points.size(), 1);
  }
  const double n = static_cast<double>(bz_grid.num_gr_points());
  const double band_cube = static_cast<double>(num_band * num_band * num_band);
  plan.costs.reserve(plan.grid_points.size());
  for (const std::int64_t gp : plan.grid_points) {
    const auto m = static_cast<double>(transport::kappa_star_multiplicity(bz_grid, gp));
    plan.costs.push_back(n / m * band_cube);
  }
  return plan;
}

std::vector<std::size_t> part_share(const std::vector<double>& costs, int part, int num_parts) {
  if (num_parts < 1 || part < 1 || part > num_parts) {
    throw Error("part " + std::to_string(part) + " of " + std::to_string(num_parts) +
                ": need 1 <= part <= number of parts");
  }
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  std::vector<double> load(static_cast<std::size_t>(num_parts), 0.0);
  std::vector<std::size_t> share;
  for (const std::size_t i : order) {
    const std::size_t to =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());  // first minimum
    load[to] += costs[i];
    if (to == static_cast<std::size_t>(part - 1)) share.push_back(i);
  }
  std::sort(share.begin(), share.end());
  return share;
}

namespace {

// What every stored per-grid-point result depends on: the phonons (inputs, symmetry, NAC,
// the grid), the integration methods, the cutoff frequency, the bands, and the program.
io::Fingerprint harmonic_fingerprint(const Inputs& in, const grid::BZGrid& bz_grid,
                                     const std::string& stage) {
  const config::Settings& s = in.settings;
  io::Fingerprint f;
  f.add("stage", stage);
  f.add("program", "ph3mpi " PH3MPI_VERSION);
  f.add_file("phono3py_yaml", s.phono3py_yaml);
  f.add_file("fc2", s.fc2);
  if (s.born) f.add_file("born", *s.born);
  // The eigenvector basis inside degenerate subspaces changes tetrahedron results: a run
  // on read phonons must not resume from shards of solved ones (or of another file).
  if (s.read_phonon) f.add_file("read_phonon", *s.read_phonon);
  f.add("degenerate_average", s.degenerate_average ? "true" : "false");
  f.add_number("symprec", in.symprec);
  f.add("is_symmetry", s.is_symmetry ? "true" : "false");
  f.add("is_mesh_symmetry", s.is_mesh_symmetry ? "true" : "false");
  f.add("nac", in.nac ? std::string(config::to_string(s.nac_method)) : "off");
  std::vector<std::int64_t> grid_matrix;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) grid_matrix.push_back(bz_grid.grid_matrix(i, j));
  }
  f.add_ints("D_diag", {bz_grid.D_diag(0), bz_grid.D_diag(1), bz_grid.D_diag(2)});
  f.add_ints("grid_matrix", grid_matrix);
  f.add("use_grg", s.use_grg ? "true" : "false");
  f.add("tetrahedron", s.tetrahedron ? "true" : "false");
  f.add_numbers("sigmas", s.sigmas);
  f.add_number("cutoff_frequency", s.cutoff_frequency);
  f.add_ints("band_indices", s.band_indices.value_or(std::vector<std::int64_t>{}));
  return f;
}

}  // namespace

io::Fingerprint phph_fingerprint(const Inputs& in, const grid::BZGrid& bz_grid, const std::string& stage,
                                 bool depends_on_kappa_star) {
  const config::Settings& s = in.settings;
  io::Fingerprint f = harmonic_fingerprint(in, bz_grid, stage);
  f.add_file("fc3", s.fc3);
  f.add_numbers("temperatures", s.temperatures);
  f.add_numbers("sigma_cutoff",
                s.sigma_cutoff ? std::vector<double>{*s.sigma_cutoff} : std::vector<double>{});
  f.add("is_N_U", s.is_N_U ? "true" : "false");
  if (depends_on_kappa_star) f.add("is_kappa_star", s.is_kappa_star ? "true" : "false");
  return f;
}

io::Fingerprint isotope_fingerprint(const Inputs& in, const grid::BZGrid& bz_grid,
                                    const std::vector<double>& mass_variances, const std::string& stage) {
  io::Fingerprint f = harmonic_fingerprint(in, bz_grid, stage);
  f.add_numbers("mass_variances", mass_variances);
  return f;
}

std::uint64_t MemoryEstimate::per_rank(int ranks_per_node, int threads) const {
  const std::uint64_t share =
      eigenvectors_per_node / static_cast<std::uint64_t>(ranks_per_node > 0 ? ranks_per_node : 1);
  return force_constants + share + frequencies +
         per_thread * static_cast<std::uint64_t>(threads > 0 ? threads : 1);
}

MemoryEstimate estimate_scattering_memory(const Inputs& in, const grid::BZGrid& bz_grid) {
  MemoryEstimate m;
  const std::uint64_t nb = in.num_bands();
  const std::uint64_t n_bz = static_cast<std::uint64_t>(bz_grid.num_bz_points());
  m.force_constants = in.fc2.fc.size() * sizeof(double);
  if (in.fc3) {
    // From the shapes: ranks that share a node's fc3 hold no values (Inputs::fc3).
    m.force_constants +=
        NdArray<double>::element_count(in.fc3->fc.shape) * sizeof(double) +
        (in.fc3->has_nonzero_indices ? NdArray<std::int8_t>::element_count(in.fc3->fc3_nonzero_indices.shape)
                                     : 0);
  }
  m.eigenvectors_per_node = n_bz * nb * nb * 16;
  m.frequencies = n_bz * nb * sizeof(double);
  // Per triplet in flight: fc3 in reciprocal space (nb^3 complex), the interaction and two
  // weight components (nb^3 doubles each), the g_zero mask; a few triplets per thread.
  m.per_thread = 4 * (nb * nb * nb * (16 + 3 * 8 + 1));
  return m;
}

std::string format_bytes(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int u = 0;
  while (value >= 1024.0 && u < 4) {
    value /= 1024.0;
    ++u;
  }
  char text[32];
  if (u == 0) {
    std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
  } else {
    std::snprintf(text, sizeof text, "%.2f %s", value, units[u]);
  }
  return text;
}

RankThreadSplit suggest_rank_thread_split(int cores, std::size_t num_ir_grid_points,
                                          const MemoryEstimate& memory, std::uint64_t memory_per_rank) {
  RankThreadSplit best;
  if (cores < 1) cores = 1;
  best.ranks = 1;
  best.threads = cores;
  best.reason = "one rank with all threads";
  for (int ranks = cores; ranks >= 1; --ranks) {
    if (cores % ranks != 0) continue;
    const int threads = cores / ranks;
    const bool balanced = num_ir_grid_points >= 4 * static_cast<std::size_t>(ranks);
    const bool fits = memory_per_rank == 0 || memory.per_rank(ranks, threads) <= memory_per_rank;
    if (balanced && fits) {
      best.ranks = ranks;
      best.threads = threads;
      best.reason = std::to_string(num_ir_grid_points / static_cast<std::size_t>(ranks)) +
                    " grid points per rank" + (memory_per_rank ? ", fits memory_per_rank" : "");
      return best;
    }
  }
  return best;
}

}  // namespace ph3mpi::driver
