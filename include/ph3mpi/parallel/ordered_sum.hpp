// Sums that do not depend on the rank count. Floating-point addition is not
// associative, so an MPI_Allreduce of per-rank partial sums changes the last bits with
// the number of ranks. When each rank holds a contiguous block of the items (in item
// order), passing the running sum from rank to rank reproduces a sequential loop over
// all items exactly: kappa = sum_{q, j} mode_kappa is then bit-identical at 1, 2 or 1000
// ranks. The chain costs P-1 small messages, negligible next to the grid-point work.
#pragma once

#include <functional>
#include <vector>

#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

// Collective. Rank 0 starts from `initial`; each rank receives the running sum from the
// rank before it, calls add_local(running) to add its own items in order, and passes
// it on. Every rank returns the final sum (all ranks must pass vectors of equal length).
std::vector<double> ordered_accumulate(const Context& context, std::vector<double> initial,
                                       const std::function<void(std::vector<double>&)>& add_local);

// Collective. The concatenation of every rank's `mine` in rank order, on every rank
// (MPI_Allgatherv): with contiguous blocks per rank this rebuilds a whole per-grid-point
// array in grid-point order. Lengths may differ between ranks.
std::vector<double> allgather_in_rank_order(const Context& context, const std::vector<double>& mine);

// Collective. Element-wise sum of every rank's `values` (equal lengths), on every rank.
// Exact when each element is non-zero on at most one rank (a distributed diagonal).
std::vector<double> sum_over_ranks(const Context& context, const std::vector<double>& values);

}  // namespace ph3mpi::parallel
