// Memory formulas per mode (see memory_model.hpp and docs/operations.md "Memory pre-flight").
#include "ph3mpi/driver/memory_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"

namespace ph3mpi::driver {
namespace {

using config::Mode;

// Bytes of scratch one OpenMP thread holds per triplet in flight (interaction::Interaction:
// fc3 in reciprocal space nb^3 complex, the interaction and two weight components nb^3
// doubles, the g_zero mask nb^3 bytes; a few triplets per thread), as estimate_scattering_memory.
double per_thread_scratch(double nb) { return 4.0 * nb * nb * nb * (16 + 3 * 8 + 1); }

double ceil_div(double a, double b) { return b > 0 ? std::ceil(a / b) : a; }

// The local block of the largest BLACS process of an n x n matrix in blocks of `block`.
double local_block_elements(double n, int block, int nprow, int npcol) {
  const double nb = block > 0 ? block : 64;
  const double blocks = std::ceil(n / nb);
  const double rows = std::min(n, std::ceil(blocks / nprow) * nb);
  const double cols = std::min(n, std::ceil(blocks / npcol) * nb);
  return rows * cols;
}

}  // namespace

double MemoryModel::worst_rank_bytes(int ranks_on_node) const {
  const double share = ranks_on_node > 0 ? ranks_on_node : 1;
  double total = 0.0;
  for (const MemoryItem& item : items)
    total += item.scope == MemoryScope::kPerNode ? item.bytes / share : item.bytes;
  return total;
}

std::string MemoryModel::largest_items_text(std::size_t count) const {
  std::vector<const MemoryItem*> sorted;
  for (const MemoryItem& item : items) sorted.push_back(&item);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const MemoryItem* a, const MemoryItem* b) { return a->bytes > b->bytes; });
  std::string text;
  for (std::size_t i = 0; i < sorted.size() && i < count; ++i) {
    if (sorted[i]->bytes <= 0) break;
    text += (text.empty() ? "" : ", ") + sorted[i]->name + " " + sorted[i]->formula + " = " +
            format_byte_estimate(sorted[i]->bytes) +
            (sorted[i]->scope == MemoryScope::kPerNode ? " per node" : "");
  }
  return text;
}

std::string format_byte_estimate(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  double value = bytes;
  while (value >= 1024.0 && u < 6) {
    value /= 1024.0;
    ++u;
  }
  char text[48];
  if (!std::isfinite(bytes) || value >= 1024.0) {
    std::snprintf(text, sizeof text, "%.3g B", bytes);
  } else if (u == 0) {
    std::snprintf(text, sizeof text, "%.0f B", value);
  } else {
    std::snprintf(text, sizeof text, "%.2f %s", value, units[u]);
  }
  return text;
}

std::size_t lbte_triplet_chunk(std::optional<std::uint64_t> memory_per_rank, std::size_t num_band0,
                               std::size_t num_band) {
  std::uint64_t bytes = std::uint64_t{32} << 20;
  if (memory_per_rank) bytes = std::min(bytes, *memory_per_rank / 16);
  const std::uint64_t per_triplet = 33 * static_cast<std::uint64_t>(num_band0) * num_band * num_band;
  return static_cast<std::size_t>(
      std::max<std::uint64_t>(1, bytes / std::max<std::uint64_t>(1, per_triplet)));
}

// The LBTE items: the grid-point stage (phonons, one triplet chunk's interaction, the rows of
// a grid point) and the solver's (block-cyclic matrix, and eigenvectors + workspace for the
// direct solver or a few vectors for CG).
void add_lbte_items(MemoryModel& m, const MemorySizes& z) {
  const double nb = static_cast<double>(z.num_band);
  const double N = z.num_grid_points, N_bz = z.num_bz_points, N_ir = z.num_ir_points, N_t = z.max_triplets;
  const double n_T = static_cast<double>(z.num_temperatures);
  const double P = z.ranks > 0 ? z.ranks : 1;
  auto add = [&m](std::string name, std::string formula, double bytes, MemoryScope scope) {
    m.items.push_back(MemoryItem{std::move(name), std::move(formula), bytes, scope});
  };
  const MemoryScope every = MemoryScope::kEveryRank, node = MemoryScope::kPerNode;
  const double rows_per_gp = z.reducible ? nb : 3 * nb;
  const double n = z.reducible ? N * nb : 3 * N_ir * nb;
  m.lbte_matrix_size = n;
  const double rows_T =
      static_cast<double>(z.num_temperatures_solved > 0 ? z.num_temperatures_solved : z.num_temperatures);
  add("phonon eigenvectors", "16 N_bz nb^2", 16 * N_bz * nb * nb, node);
  add("phonon frequencies", "8 N_bz nb (+ one per node)", 8 * N_bz * nb, every);
  add("phonon frequencies (node copy)", "8 N_bz nb", 8 * N_bz * nb, node);
  add("triplets of a grid point", "40 N_t + 16 N", 40 * N_t + 16 * N, every);
  // A grid point's triplets go through the interaction a chunk at a time; per triplet its
  // Gamma sums stay, and the reducible rows of the grid point are built whole.
  add("weights and interaction of a triplet chunk", "33 min(N_t, chunk) nb^3",
      33 * std::min(N_t, static_cast<double>(z.lbte_triplet_chunk)) * nb * nb * nb, every);
  add("Gamma sums per triplet, reducible rows", "8 n_T nb (N_t + N nb)", 8 * n_T * nb * (N_t + N * nb),
      every);
  // The solver reads the stored rows one grid point per assembly round (and one star
  // of rows in the reducible form).
  add("collision rows of a grid point (all T)", "8 n_T rows n", 8 * rows_T * rows_per_gp * n, every);
  const double block = 8 * local_block_elements(n, z.blacs_block_size, z.nprow, z.npcol);
  if (z.lbte_solver == LbteSolverKind::kConjugateGradient) {
    // The CG solver: the matrix once (multiplied by (A + A^T) / 2 without a symmetrized
    // copy), seven replicated vectors per right-hand side, no eigenvectors.
    add("collision matrix block", "8 n^2 / P", block, every);
    add("CG vectors", "8 n x 3 x 7", 8 * n * 3 * 7, every);
  } else {
    add("matrix block + symmetrized copy + eigenvectors", "3 x 8 n^2 / P", 3 * block, every);
    double workspace = 0.0;
    if (n < 2e9 && n * n / P < 4e18) {
      const parallel::EigenMemoryEstimate e = parallel::estimate_eigen_memory(
          static_cast<std::int64_t>(n), z.blacs_block_size, parallel::GridShape{z.nprow, z.npcol},
          z.pdsyevr ? parallel::EigenSolver::kPdsyevr : parallel::EigenSolver::kPdsyevd, z.ranks == 1);
      workspace = static_cast<double>(e.workspace_bytes);
    } else {
      workspace = 2 * 8 * n * n / P;  // pdsyevd's work array is of the order of the matrix
    }
    add(std::string(z.pdsyevr ? "pdsyevr" : "pdsyevd") + " workspace", "ScaLAPACK lwork + liwork", workspace,
        every);
  }
  add("replicated vectors (X, Y, Gamma, velocities)", "8 (12 n + 3 n_T N_ir nb)",
      8 * (12 * n + 3 * n_T * N_ir * nb), every);
  if (z.lbte_solver == LbteSolverKind::kDirect) {
    MemorySizes cg = z;
    cg.lbte_solver = LbteSolverKind::kConjugateGradient;
    m.lbte_cg_model = std::make_shared<const MemoryModel>(model_memory(cg));
  }
}

MemoryModel model_memory(const MemorySizes& z) {
  MemoryModel m;
  m.title = "mode " + std::string(config::to_string(z.mode));
  const double nb = static_cast<double>(z.num_band);
  const double nb0 = static_cast<double>(z.num_band0 > 0 ? z.num_band0 : z.num_band);
  const double N = z.num_grid_points, N_bz = z.num_bz_points, N_ir = z.num_ir_points, N_t = z.max_triplets;
  const double n_T = static_cast<double>(z.num_temperatures);
  const double n_m = static_cast<double>(z.num_methods);
  const double n_gp = static_cast<double>(z.num_grid_points_asked);
  const double n_fp = z.num_frequency_points;
  const double P = z.ranks > 0 ? z.ranks : 1;
  const double T = z.threads > 0 ? z.threads : 1;
  auto add = [&m](std::string name, std::string formula, double bytes, MemoryScope scope) {
    m.items.push_back(MemoryItem{std::move(name), std::move(formula), bytes, scope});
  };
  const MemoryScope every = MemoryScope::kEveryRank, root = MemoryScope::kRootOnly,
                    node = MemoryScope::kPerNode;

  // The grid-point modes (driver/grid_point_modes): phonons on the BZ grid as rta holds
  // them, one grid point's work on whichever rank computes it, the results gathered on rank 0.
  const auto add_grid_point_mode_phonons = [&](bool triplets) {
    add("phonon eigenvectors", "16 N_bz nb^2", 16 * N_bz * nb * nb, node);
    add("phonon frequencies", "8 N_bz nb (+ one per node)", 8 * N_bz * nb, every);
    add("phonon frequencies (node copy)", "8 N_bz nb", 8 * N_bz * nb, node);
    if (triplets) add("triplets of a grid point", "40 N_t + 16 N", 40 * N_t + 16 * N, every);
  };

  add("force constants", "fc2 + fc3 as loaded", z.force_constant_bytes, every);
  if (mode_needs_fc3(z.mode)) {
    // interaction::RealToReciprocal beyond its input: the tables (one copy per node), and
    // per grid point in flight W and its separable partial sums; per thread the batched
    // products. The tables' sizes need fc3's values (interaction_counts).
    const auto num_band = static_cast<std::size_t>(z.num_band);
    add("batched fc3 products (per thread)", "512 (nb/3)^3 batch T",
        static_cast<double>(interaction::RealToReciprocal::products_bytes_per_thread(
            num_band, interaction::RealToReciprocal::automatic_batch_size(num_band))) *
            T,
        every);
    if (z.interaction.known) {
      add("fc3 tables (real -> reciprocal)", "nonzero fc3 blocks padded + index", z.interaction.table_bytes,
          node);
      add("lattice-vector sums W of a grid point", "512 rows", z.interaction.lattice_sums_bytes, every);
      add("separable sums of a grid point (largest)", "512 min(N_t, D0 D1) groups, <= 256 MiB",
          z.interaction.separable_sums_bytes, every);
    }
  }
  // BZ grid: addresses (3 int64) and BZ -> GR map per BZ point, GR -> BZ map and the
  // irreducible mapping per grid point.
  add("BZ grid", "32 N_bz + 40 N", 32 * N_bz + 40 * N, every);

  if (z.interband && (z.mode == Mode::kRta || z.mode == Mode::kLbte)) {
    // solvers/interband_term: per grid point in flight (one per thread) dD/dq (4 nb^2 complex),
    // v (3 nb^2 complex), vm_by_vm (6 nb^2) and the heat-capacity matrix; nothing per N_q nb^2.
    add("inter-band velocity matrices (per thread)", "200 nb^2 T", 200 * nb * nb * T, every);
  }
  switch (z.mode) {
    case Mode::kPhonons:
      add("phonon eigenvectors", "16 N_bz nb^2", 16 * N_bz * nb * nb, root);
      add("frequencies, group velocities, q-points", "8 N_bz (4 nb + 6)", 8 * N_bz * (4 * nb + 6), root);
      break;
    case Mode::kRta:
      add("phonon eigenvectors", "16 N_bz nb^2", 16 * N_bz * nb * nb, node);
      add("phonon frequencies", "8 N_bz nb (+ one per node)", 8 * N_bz * nb, every);
      add("phonon frequencies (node copy)", "8 N_bz nb", 8 * N_bz * nb, node);
      add("triplets of a grid point", "40 N_t + 16 N", 40 * N_t + 16 * N, every);
      add("interaction scratch", "164 nb^3 T", per_thread_scratch(nb) * T, every);
      add("kappa rows of this rank", "8 nb ceil(N_ir/P) (11 + 10 n_T + 3 n_m n_T)",
          8 * nb * ceil_div(N_ir, P) * (11 + 10 * n_T + 3 * n_m * n_T), every);
      break;
    case Mode::kLbte:
      add_lbte_items(m, z);
      break;
    case Mode::kIse:
      add_grid_point_mode_phonons(true);
      if (z.stored_pp) {
        add("interaction strength and weights of a grid point", "25 N_t nb0 nb^2", 25 * N_t * nb0 * nb * nb,
            every);
      } else {
        add("interaction scratch", "164 nb^3 T", per_thread_scratch(nb) * T, every);
      }
      add("results", "8 n_m n_T n_gp nb0 (3 + n_fp)", 8 * n_m * n_T * n_gp * nb0 * (3 + n_fp), root);
      break;
    case Mode::kRse:
      add_grid_point_mode_phonons(true);
      add("interaction strength of a grid point", "8 N_t nb0 nb^2", 8 * N_t * nb0 * nb * nb, every);
      add("results", "8 n_m n_T n_gp nb0 (1 + n_fp)", 8 * n_m * n_T * n_gp * nb0 * (1 + n_fp), root);
      break;
    case Mode::kJdos:
      add_grid_point_mode_phonons(true);
      add("results", "16 n_m n_T n_gp n_fp", 16 * n_m * std::max(1.0, n_T) * n_gp * n_fp, root);
      break;
    case Mode::kIsotope:
      add_grid_point_mode_phonons(false);
      add("results", "8 n_m n_gp nb0", 8 * n_m * n_gp * nb0, root);
      break;
  }
  return m;
}

InteractionCounts interaction_counts(const Inputs& inputs, const grid::BZGrid& bz_grid, double max_triplets) {
  InteractionCounts c;
  if (!mode_needs_fc3(inputs.settings.mode) || !inputs.fc3 || !inputs.fc3->has_values) return c;
  using interaction::RealToReciprocal;
  const RealToReciprocal::TableSizes sizes =
      RealToReciprocal::table_sizes(fc3_view(*inputs.fc3), make_atom_triplets(inputs), &bz_grid);
  // The (a_0 mod D_0, a_1 mod D_1) pairs of one grid point's q1: at most D_0 D_1 and N_t.
  const double pairs = std::min(static_cast<double>(bz_grid.D_diag(0) * bz_grid.D_diag(1)), max_triplets);
  c.known = true;
  c.table_bytes = static_cast<double>(sizes.bytes());
  c.lattice_sums_bytes = static_cast<double>(RealToReciprocal::lattice_sums_bytes(sizes));
  c.separable_sums_bytes = static_cast<double>(
      RealToReciprocal::separable_sums_bytes(sizes, static_cast<std::size_t>(std::max(1.0, pairs))));
  return c;
}

MemorySizes memory_sizes(const Inputs& in, const GridCounts& grid, int ranks, int threads) {
  const config::Settings& s = in.settings;
  MemorySizes z;
  z.mode = s.mode;
  z.num_grid_points = grid.num_grid_points;
  z.num_bz_points = grid.num_bz_points;
  z.num_ir_points = grid.num_ir_points;
  z.max_triplets = grid.max_triplets;
  z.exact_grid = grid.exact;
  z.interaction = grid.interaction;
  z.num_band = in.num_bands();
  z.num_band0 = s.band_indices ? s.band_indices->size() : z.num_band;
  z.num_temperatures = s.temperatures.size();
  z.num_methods = (s.tetrahedron ? 1U : 0U) + s.sigmas.size();
  if (s.mode == Mode::kRse && !s.epsilons.empty()) z.num_methods = s.epsilons.size();
  z.num_grid_points_asked = s.grid_points.size();
  if (s.num_frequency_points) {
    z.num_frequency_points = static_cast<double>(*s.num_frequency_points);
  } else if (s.mode == Mode::kJdos && !s.frequency_step) {
    z.num_frequency_points = 201;  // phono3py's default frequency points
  }
  z.force_constant_bytes = static_cast<double>(in.fc2.fc.size() * sizeof(double));
  if (in.fc3) {
    z.force_constant_bytes += static_cast<double>(
        NdArray<double>::element_count(in.fc3->fc.shape) * sizeof(double) +
        (in.fc3->has_nonzero_indices ? NdArray<std::int8_t>::element_count(in.fc3->fc3_nonzero_indices.shape)
                                     : 0));
  }
  z.stored_pp = s.is_full_pp || s.write_pp || s.read_pp || s.use_ave_pp || s.const_ave_pp.has_value() ||
                s.write_gamma_detail;
  z.ranks = ranks;
  z.threads = threads;
  z.reducible = s.reducible_collision_matrix;
  z.blacs_block_size = static_cast<int>(s.blacs_block_size);
  const parallel::GridShape shape = parallel::near_square_grid_shape(ranks);
  z.nprow = shape.nprow;
  z.npcol = shape.npcol;
  z.pdsyevr = s.pinv_solver == config::PinvSolver::kPdsyevr;
  z.num_temperatures_solved = s.temperatures.size();
  z.lbte_solver =
      s.lbte_solver == config::LbteSolver::kCg ? LbteSolverKind::kConjugateGradient : LbteSolverKind::kDirect;
  z.lbte_triplet_chunk = lbte_triplet_chunk(s.memory_per_rank, z.num_band, z.num_band);
  z.interband = s.transport_type.has_value();
  return z;
}

MemoryBudget memory_budget(const parallel::NodeMemory& node, int ranks_on_node,
                           std::optional<std::uint64_t> memory_per_rank) {
  MemoryBudget b;
  const int share = ranks_on_node > 0 ? ranks_on_node : 1;
  if (node.bytes > 0) {
    b.bytes = static_cast<double>(node.bytes) / share;
    b.text = format_byte_estimate(b.bytes) + " per rank (" +
             format_byte_estimate(static_cast<double>(node.bytes)) + " " + node.source + " of this node / " +
             std::to_string(share) + " rank" + (share > 1 ? "s" : "") + " on it)";
  }
  if (memory_per_rank && (b.bytes == 0 || static_cast<double>(*memory_per_rank) < b.bytes)) {
    b.bytes = static_cast<double>(*memory_per_rank);
    b.from_memory_per_rank = true;
    b.text = "memory_per_rank = " + format_byte_estimate(b.bytes);
  }
  return b;
}

void check_memory(const MemoryModel& model, const MemoryBudget& budget, int ranks_on_node,
                  const config::Settings& settings) {
  if (budget.bytes <= 0) return;
  const double need = model.worst_rank_bytes(ranks_on_node);
  if (need <= budget.bytes) return;
  std::ostringstream what;
  if (settings.mode == Mode::kLbte) {
    // Wording kept from the LBTE check it replaces (tests and users grep for it).
    what << "the LBTE run needs about " << format_byte_estimate(need) << " per rank (collision matrix "
         << std::fixed << std::setprecision(0) << model.lbte_matrix_size << " x " << model.lbte_matrix_size
         << " = " << format_byte_estimate(8 * model.lbte_matrix_size * model.lbte_matrix_size)
         << " distributed over the BLACS grid; largest items: " << model.largest_items_text() << ")";
  } else {
    what << "mode '" << config::to_string(settings.mode) << "' needs about " << format_byte_estimate(need)
         << " on its largest rank (largest items: " << model.largest_items_text() << ")";
  }
  what << ", more than the " << budget.text << " available";
  const double cg_need = model.lbte_cg_model ? model.lbte_cg_model->worst_rank_bytes(ranks_on_node) : 0.0;
  if (settings.mode == Mode::kLbte && model.lbte_cg_model && cg_need <= budget.bytes) {
    what << "; lbte_solver = \"cg\" needs about " << format_byte_estimate(cg_need)
         << " and fits, or use more ranks (more nodes)";
  } else if (settings.mode == Mode::kLbte) {
    what << "; use more ranks (more nodes), a smaller mesh";
  } else {
    what << "; use a smaller mesh";
    if (ranks_on_node > 1) what << " or fewer ranks per node";
  }
  if (!budget.from_memory_per_rank) what << " (or set memory_per_rank if this node has more for this run)";
  throw config::settings_error(settings, budget.from_memory_per_rank ? "memory_per_rank" : "mesh",
                               what.str());
}

void print_memory_model(std::ostream& out, const MemoryModel& model, const MemoryBudget& budget,
                        int ranks_on_node) {
  std::ostringstream s;
  s << "memory model:    " << model.title << ", " << ranks_on_node << " rank"
    << (ranks_on_node > 1 ? "s" : "") << " on this node\n";
  for (const MemoryItem& item : model.items) {
    const char* scope = item.scope == MemoryScope::kEveryRank  ? "every rank"
                        : item.scope == MemoryScope::kRootOnly ? "rank 0"
                                                               : "per node";
    s << "  " << std::left << std::setw(50) << item.name << " " << std::setw(44) << item.formula << std::right
      << std::setw(12) << format_byte_estimate(item.bytes) << "  " << scope << "\n";
  }
  const double need = model.worst_rank_bytes(ranks_on_node);
  s << "  largest rank needs about " << format_byte_estimate(need) << "; available "
    << (budget.bytes > 0 ? budget.text : std::string("unknown")) << "; "
    << (budget.bytes <= 0 || need <= budget.bytes ? "fits" : "does NOT fit: a real run is refused") << "\n";
  out << s.str();
}

}  // namespace ph3mpi::driver
