#include "ph3mpi/parallel/error_handling.hpp"

#include <exception>
#include <iostream>
#include <optional>

namespace ph3mpi::parallel {

void collective_check(const Context& context, const std::function<void()>& phase) {
  std::optional<std::string> failure;
  try {
    phase();
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception (not derived from std::exception)";
  }

  // Every rank learns the lowest failing rank (size() = nobody failed).
  const int me = context.rank();
  const int lowest = context.min(failure ? me : context.size());
  if (lowest == context.size()) return;
  const int num_failing = context.sum(failure ? 1 : 0);

  std::string message = failure ? *failure : std::string();
  context.broadcast(message, lowest);
  throw CollectiveError(message, lowest, num_failing);
}

int run_guarded(const Context& context, const std::function<int()>& body) {
  return run_guarded(context, body, std::cerr);
}

int run_guarded(const Context& context, const std::function<int()>& body, std::ostream& err) {
  std::string escaped;
  try {
    return body();
  } catch (const CollectiveError& e) {
    // Every rank got here with the same message; one of them says it.
    if (context.rank() == e.failing_rank()) {
      err << "ph3mpi: error: " << e.what() << std::endl;
    }
    return 1;
  } catch (const std::exception& e) {
    escaped = e.what();
  } catch (...) {
    escaped = "unknown exception (not derived from std::exception)";
  }

  if (context.size() == 1) {
    // Nobody else to stop: a clean return lets MPI finalize normally.
    err << "ph3mpi: error: " << escaped << std::endl;
    return 1;
  }
  err << "ph3mpi: error (rank " << context.rank() << "): " << escaped << std::endl;
  context.abort(1);
}

}  // namespace ph3mpi::parallel
