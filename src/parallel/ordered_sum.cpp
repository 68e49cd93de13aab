#include "ph3mpi/parallel/ordered_sum.hpp"

#include <mpi.h>

#include <boost/mpi/communicator.hpp>
#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::parallel {

std::vector<double> ordered_accumulate(const Context& context, std::vector<double> initial,
                                       const std::function<void(std::vector<double>&)>& add_local) {
  const boost::mpi::communicator* comm = context.communicator();
  if (comm == nullptr || context.size() == 1) {
    add_local(initial);
    return initial;
  }
  const MPI_Comm c = static_cast<MPI_Comm>(*comm);
  const int rank = context.rank();
  const int size = context.size();
  const int n = static_cast<int>(initial.size());
  constexpr int kTag = 7301;
  std::vector<double> running = std::move(initial);
  if (rank > 0) MPI_Recv(running.data(), n, MPI_DOUBLE, rank - 1, kTag, c, MPI_STATUS_IGNORE);
  const std::size_t length = running.size();
  add_local(running);
  if (running.size() != length) {
    throw Error("ordered_accumulate: add_local changed the length from " + std::to_string(length) + " to " +
                std::to_string(running.size()));
  }
  if (rank + 1 < size) MPI_Send(running.data(), n, MPI_DOUBLE, rank + 1, kTag, c);
  context.broadcast(running, size - 1);
  return running;
}

std::vector<double> allgather_in_rank_order(const Context& context, const std::vector<double>& mine) {
  const boost::mpi::communicator* comm = context.communicator();
  if (comm == nullptr || context.size() == 1) return mine;
  const MPI_Comm c = static_cast<MPI_Comm>(*comm);
  const int size = context.size();
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), displs(static_cast<std::size_t>(size), 0);
  MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, c);
  long long total = 0;
  for (int r = 0; r < size; ++r) {
    displs[static_cast<std::size_t>(r)] = static_cast<int>(total);
    total += counts[static_cast<std::size_t>(r)];
  }
  if (total > 2147483647LL) throw Error("allgather_in_rank_order: more than 2^31 elements");
  std::vector<double> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(mine.data(), count, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, c);
  return all;
}

std::vector<double> sum_over_ranks(const Context& context, const std::vector<double>& values) {
  const boost::mpi::communicator* comm = context.communicator();
  if (comm == nullptr || context.size() == 1) return values;
  std::vector<double> total(values.size(), 0.0);
  if (values.size() > 2147483647ULL) throw Error("sum_over_ranks: more than 2^31 elements");
  MPI_Allreduce(values.data(), total.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM,
                static_cast<MPI_Comm>(*comm));
  return total;
}

}  // namespace ph3mpi::parallel
