// The memory a run will need, per mode, before it allocates anything large (issue 16).
//
// Every mode's large arrays are written down here as formulas in the sizes of the run
// (docs/operations.md "Memory pre-flight" has the table):
//   nb bands (nb0 of them computed), N grid points (prod D_diag), N_bz BZ grid points,
//   N_ir irreducible ones, N_t triplets of one grid point (at most about N / 2), n_T
//   temperatures, n_m integration methods, n_fp frequency points, P ranks, T threads
//   per rank; for LBTE the collision matrix n x n, n = 3 N_ir nb (n = N nb reducible), on a
//   p x q BLACS grid.
// Items are held by every rank, by rank 0 only (mode phonons' arrays, the gathered results
// of the grid-point modes), or once per node (the phonon eigenvectors live in an MPI-3
// shared window).
//
// The pre-flight compares the worst rank's need,
//   every-rank items + rank-0 items + per-node items / (ranks on the node),
// with what a rank can have: the node's physical memory (or its cgroup limit) divided by
// the ranks on the node, lowered to memory_per_rank when that is set. It runs twice: first
// from the mesh alone (N_bz >= N, N_ir >= N / |G|: lower bounds, so nothing is refused
// wrongly) before the BZ grid is built, then with the grid's exact counts.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/parallel/node_resources.hpp"

namespace ph3mpi::driver {

enum class MemoryScope { kEveryRank, kRootOnly, kPerNode };

struct MemoryItem {
  std::string name;     // "phonon eigenvectors"
  std::string formula;  // "16 N_bz nb^2"
  double bytes = 0.0;   // doubles: the formulas may exceed 2^64 for absurd meshes
  MemoryScope scope = MemoryScope::kEveryRank;
};

// Solvers of the LBTE: the direct one (ScaLAPACK eigen-decomposition) and, with issue 12, a
// conjugate-gradient one that keeps only the distributed matrix (~8 n^2 / P) and a few
// vectors, no eigenvectors and no eigen-solver workspace.
enum class LbteSolverKind { kDirect, kConjugateGradient };

// The fc3 real -> reciprocal work (interaction::RealToReciprocal) as the built grid and
// fc3's values give it; `known` false when this process did not read fc3's values (then
// these items are not counted).
struct InteractionCounts {
  bool known = false;
  double table_bytes = 0;           // the tables, once per node
  double lattice_sums_bytes = 0;    // W of a grid point
  double separable_sums_bytes = 0;  // its largest separable partial sums
};

// The sizes the formulas take.
struct MemorySizes {
  config::Mode mode = config::Mode::kRta;
  double num_grid_points = 0;  // N
  double num_bz_points = 0;    // N_bz
  double num_ir_points = 0;    // N_ir
  double max_triplets = 0;     // N_t of the largest grid point
  bool exact_grid = false;     // counts from the built grid (false: lower bounds from the mesh)
  std::size_t num_band = 0;    // nb
  std::size_t num_band0 = 0;   // nb0 (band_indices), = nb when unset
  std::size_t num_temperatures = 0;
  std::size_t num_methods = 0;            // tetrahedron + sigmas (rse: epsilons)
  std::size_t num_grid_points_asked = 0;  // settings.grid_points (ise, rse, jdos, isotope)
  double num_frequency_points = 0;        // 0: none (or not known before the phonons)
  double force_constant_bytes = 0;        // fc2 + fc3 as loaded
  bool stored_pp = false;                 // ise: interaction strength kept for a grid point
  int ranks = 1;                          // P
  int threads = 1;                        // T
  // LBTE
  bool reducible = false;
  LbteSolverKind lbte_solver = LbteSolverKind::kDirect;
  std::size_t lbte_triplet_chunk = 1;  // lbte_triplet_chunk()
  bool interband = false;              // transport_type: velocity matrices in the output phase
  int blacs_block_size = 64;
  int nprow = 1, npcol = 1;
  bool pdsyevr = false;
  std::size_t num_temperatures_solved =
      0;  // collision rows kept per grid point (T > 0 ones and others alike)
  // The real -> reciprocal work of rta, lbte, ise and rse.
  InteractionCounts interaction;
};

struct MemoryModel {
  std::string title;  // "mode rta"
  std::vector<MemoryItem> items;
  // The collision matrix dimension for LBTE (0 otherwise), for messages.
  double lbte_matrix_size = 0;
  // LBTE with the direct solver: the model of the same run with lbte_solver = "cg", so that
  // a refusal can say whether that fits (null otherwise).
  std::shared_ptr<const MemoryModel> lbte_cg_model;
  // Bytes of the worst rank with `ranks_on_node` ranks sharing its node.
  double worst_rank_bytes(int ranks_on_node) const;
  // The largest items, for messages: "phonon eigenvectors 16 N_bz nb^2 = 1.2 TiB, ...".
  std::string largest_items_text(std::size_t count = 3) const;
};

// Triplets per chunk of an LBTE grid point (driver/grid_point_collision): its interaction
// strength and weights, 33 nb0 nb^2 bytes per triplet, are computed a chunk at a time within
// 32 MiB, or memory_per_rank / 16 when that is set and smaller.
std::size_t lbte_triplet_chunk(std::optional<std::uint64_t> memory_per_rank, std::size_t num_band0,
                               std::size_t num_band);

// The model of `sizes.mode` (LBTE with sizes.lbte_solver).
MemoryModel model_memory(const MemorySizes& sizes);

// Sizes of a run of `inputs` on `ranks` ranks with `threads` threads each. With `exact`
// (the grid built) N_bz and N_ir are taken from it; without, lower bounds from the mesh.
struct GridCounts {
  double num_grid_points = 0, num_bz_points = 0, num_ir_points = 0, max_triplets = 0;
  bool exact = false;
  InteractionCounts interaction;
};
// The real -> reciprocal sizes of the modes that need fc3, for this grid (a pass over the
// fc3 terms, as the table build's sizing); unknown without fc3's values.
InteractionCounts interaction_counts(const Inputs& inputs, const grid::BZGrid& bz_grid, double max_triplets);
MemorySizes memory_sizes(const Inputs& inputs, const GridCounts& grid, int ranks, int threads);

// What one rank may use.
struct MemoryBudget {
  double bytes = 0;  // 0: unknown (no check)
  bool from_memory_per_rank = false;
  std::string text;  // "11.6 GiB per rank (23.2 GiB physical memory / 2 ranks on this node)"
};
MemoryBudget memory_budget(const parallel::NodeMemory& node, int ranks_on_node,
                           std::optional<std::uint64_t> memory_per_rank);

// Throws ConfigError (key memory_per_rank when that set the budget, else mesh) when the
// worst rank needs more than the budget: the message names the estimate, its largest items
// and what is available.
void check_memory(const MemoryModel& model, const MemoryBudget& budget, int ranks_on_node,
                  const config::Settings& settings);

// The model as --dry-run prints it: one line per item with formula and bytes, the worst
// rank's total and the budget.
void print_memory_model(std::ostream& out, const MemoryModel& model, const MemoryBudget& budget,
                        int ranks_on_node);

// "1.50 GiB" for doubles that may exceed 2^64.
std::string format_byte_estimate(double bytes);

}  // namespace ph3mpi::driver
