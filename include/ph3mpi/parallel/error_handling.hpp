// How an exception on any rank becomes one message and a non-zero exit of the whole
// job, never a hang and never N copies of the same message.
//
// (a) Collective phases (every rank does the same work, e.g. reading and validating
//     config and inputs): wrap the phase in collective_check(). Every rank runs it;
//     an allreduce then tells every rank whether any rank failed. If so, every rank
//     throws the same CollectiveError carrying the message of the lowest failing
//     rank; run_guarded() lets only that rank print it and returns 1 everywhere, so
//     MPI_Finalize runs cleanly on all ranks.
// (b) Anything else that escapes on one rank (the other ranks may be waiting in a
//     collective or for a message): run_guarded() prints
//     "ph3mpi: error (rank R): ..." and calls MPI_Abort. A barrier-then-exit would
//     deadlock, because the other ranks never reach the barrier.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::parallel {

// Thrown on EVERY rank by collective_check() when the phase failed on at least one rank.
class CollectiveError : public Error {
 public:
  CollectiveError(const std::string& message, int failing_rank, int num_failing_ranks)
      : Error(message), failing_rank_(failing_rank), num_failing_ranks_(num_failing_ranks) {}
  int failing_rank() const noexcept { return failing_rank_; }  // lowest rank that failed
  int num_failing_ranks() const noexcept { return num_failing_ranks_; }

 private:
  int failing_rank_;
  int num_failing_ranks_;
};

// Runs `phase` on this rank; must be called by every rank of `context` (it is a
// collective). Returns normally on every rank iff the phase succeeded on every rank,
// else throws CollectiveError (what() = the lowest failing rank's what()) on every rank.
void collective_check(const Context& context, const std::function<void()>& phase);

// Runs `body` and returns its exit code; turns exceptions into the behaviour above.
// Messages go to `err` (std::cerr in the program; tests pass a string stream).
int run_guarded(const Context& context, const std::function<int()>& body);
int run_guarded(const Context& context, const std::function<int()>& body, std::ostream& err);

}  // namespace ph3mpi::parallel
