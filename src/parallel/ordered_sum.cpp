#include "ph3mpi/parallel/ordered_sum.hpp"

#include <string>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::parallel {

std::vector<double> ordered_accumulate(const Context& context, std::vector<double> initial,
                                       const std::function<void(std::vector<double>&)>& add_local) {
  if (context.size() == 1) {
    add_local(initial);
    return initial;
  }
  const int rank = context.rank();
  const int size = context.size();
  constexpr int kTag = 7301;
  std::vector<double> running = std::move(initial);
  const std::size_t bytes = running.size() * sizeof(double);
  if (rank > 0) context.receive_bytes(rank - 1, kTag, running.data(), bytes);
  const std::size_t length = running.size();
  add_local(running);
  if (running.size() != length) {
    throw Error("ordered_accumulate: add_local changed the length from " + std::to_string(length) + " to " +
                std::to_string(running.size()));
  }
  if (rank + 1 < size) context.send_bytes(rank + 1, kTag, running.data(), bytes);
  context.broadcast(running, size - 1);
  return running;
}

std::vector<double> allgather_in_rank_order(const Context& context, const std::vector<double>& mine) {
  return context.allgatherv(mine);
}

std::vector<double> sum_over_ranks(const Context& context, const std::vector<double>& values) {
  std::vector<double> total = values;
  context.allreduce(total, ReduceOp::kSum);
  return total;
}

}  // namespace ph3mpi::parallel
