// Test program for the coordinator's failure path: one rank throws while computing its
// grid points, the others are computing or waiting for work. The job must end with a
// non-zero exit and exactly one line "ph3mpi: error (rank R, grid point G): ..." from
// rank 0, never hang. Parameters come from the case's config.toml:
//   fail_rank     = "last" | "root"   which rank throws
//   fail_after    = N                 it throws in its (N+1)-th batch
//   gp_batch_size = B                 coordinator batch size
//   grid_point_error = true|false     throw GridPointError naming the batch's last item
//   items         = N                 number of work items
#include <toml++/toml.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/coordinator.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/mpi_environment.hpp"

int main(int argc, char** argv) {
  using namespace ph3mpi::parallel;
  MpiEnvironment mpi(argc, argv);
  const Context context = Context::mpi_world();
  return run_guarded(context, [&] {
    if (argc < 2) throw std::runtime_error("usage: coordinator_probe CONFIG");
    const toml::table config = toml::parse_file(argv[1]);
    const std::string fail_rank_name = config["fail_rank"].value_or(std::string("last"));
    const int fail_rank = fail_rank_name == "root" ? 0 : context.size() - 1;
    const auto fail_after = config["fail_after"].value_or(std::int64_t{0});
    const bool name_grid_point = config["grid_point_error"].value_or(false);
    const auto num_items = config["items"].value_or(std::int64_t{40});

    std::vector<WorkItem> items;
    for (std::int64_t i = 0; i < num_items; ++i)
      items.push_back({i * 3 + 1, static_cast<double>(num_items - i)});
    CoordinatorOptions options;
    options.gp_batch_size = config["gp_batch_size"].value_or(std::int64_t{0});

    std::int64_t own_batches = 0;
    const ComputeBatch<ph3mpi::NamedArrays> compute = [&](const Batch& batch) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (context.rank() == fail_rank && own_batches++ >= fail_after) {
        const std::int64_t gp = batch.items.back();
        const std::string message = "probe failure at grid point " + std::to_string(gp);
        if (name_grid_point) throw GridPointError(gp, message);
        throw std::runtime_error(message);
      }
      return std::vector<ph3mpi::NamedArrays>(batch.items.size());
    };
    run_coordinated<ph3mpi::NamedArrays>(context, items, options, compute);
    return 0;  // reached only if the failure did not happen: the test then fails on the exit code
  });
}
