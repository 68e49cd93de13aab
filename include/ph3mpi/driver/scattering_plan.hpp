// What a conductivity run (rta, lbte) will do, before it does it: the irreducible grid
// points with a cost estimate each (the coordinator hands out the largest first), the
// fingerprint of every number-changing input (the checkpoint's identity), the memory a
// rank needs and a rank x thread split for a core count (--dry-run prints all of it).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/io/checkpoint.hpp"

namespace ph3mpi::driver {

struct ScatteringPlan {
  std::vector<std::int64_t> grid_points;  // ir grid points, BZ indices, in kappa-file row order
  std::vector<std::int64_t> weights;      // their star sizes
  std::vector<double> costs;              // relative cost of each (see make_scattering_plan)
};

// Cost of grid point q: (N / m_q) * nband^3, N = prod(D_diag), m_q the order of its little
// group. The number of symmetry-reduced triplets at q grows like N / m_q and every triplet
// costs ~nband^3 interaction elements, so this orders grid points as their run times do
// without building the triplets of every point on rank 0 first.
// Without kappa star (phono3py's --noks) the plan holds every grid point (grg2bzg, GR
// order) with weight 1; the cost of a grid point does not change.
ScatteringPlan make_scattering_plan(const grid::BZGrid& bz_grid, const grid::IrGridPoints& ir,
                                    std::size_t num_band, bool is_kappa_star = true);

// The plan indices of share `part` (1-based) of `num_parts` disjoint shares of the grid
// points, balanced by cost (longest-processing-time rule: largest cost first, each to the
// share with the least cost so far, ties to the lowest share). A function of the costs
// alone, so that concurrent job-array parts (ph3mpi --part I/N) agree on the split whatever
// the checkpoint holds. Ascending. Throws ph3mpi::Error unless 1 <= part <= num_parts.
std::vector<std::size_t> part_share(const std::vector<double>& costs, int part, int num_parts);

// The checkpoint fingerprints: everything that changes the numbers of one stored stage,
// and nothing else (io/checkpoint.hpp).
//  * ph-ph (Gamma, its N/U split, LBTE collision rows): contents of phono3py.yaml, fc2, fc3,
//    BORN and read_phonon, the resolved symmetry/NAC/mesh settings, temperatures,
//    integration methods, sigma_cutoff, cutoff_frequency, bands, N/U split, the program
//    version, `stage`, and is_kappa_star when `depends_on_kappa_star` (the LBTE rows are
//    over the kappa-star layout; an RTA grid point's Gamma is not).
//  * isotope (Gamma_iso): the same without fc3, temperatures, sigma_cutoff and N/U split,
//    plus the mass variances.
// isotope = true/false, mass_variances and boundary_mfp are NOT in the ph-ph fingerprint:
// changing them reuses the stored ph-ph results (boundary_mfp enters only the solver).
io::Fingerprint phph_fingerprint(const Inputs& inputs, const grid::BZGrid& bz_grid, const std::string& stage,
                                 bool depends_on_kappa_star);
io::Fingerprint isotope_fingerprint(const Inputs& inputs, const grid::BZGrid& bz_grid,
                                    const std::vector<double>& mass_variances, const std::string& stage);

// Bytes a rank of a scattering run holds (estimates of the large items).
struct MemoryEstimate {
  std::uint64_t force_constants = 0;        // fc2 + fc3 (+ nonzero mask), per rank
  std::uint64_t eigenvectors_per_node = 0;  // phonons on all BZ points, shared by a node's ranks
  std::uint64_t frequencies = 0;            // per rank
  std::uint64_t per_thread = 0;             // interaction/weights scratch of one OpenMP thread
  // Per rank with `ranks_per_node` ranks sharing a node and `threads` threads each.
  std::uint64_t per_rank(int ranks_per_node, int threads) const;
};
MemoryEstimate estimate_scattering_memory(const Inputs& inputs, const grid::BZGrid& bz_grid);

// "1.50 GiB", "12.0 MiB", "512 B".
std::string format_bytes(std::uint64_t bytes);

// A rank x thread split of `cores` cores on one node. Ranks over grid points scale almost
// perfectly, threads inside a grid point less so, and fc3 is held once per rank: prefer
// ranks while every rank still gets >= 4 grid points (load balance of largest-first
// hand-out) and the per-rank memory fits memory_per_rank (when set).
struct RankThreadSplit {
  int ranks = 1;
  int threads = 1;
  std::string reason;
};
RankThreadSplit suggest_rank_thread_split(int cores, std::size_t num_ir_grid_points,
                                          const MemoryEstimate& memory, std::uint64_t memory_per_rank);

}  // namespace ph3mpi::driver
