#include "ph3mpi/driver/driver.hpp"

#include <omp.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/config/schema.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/preflight.hpp"
#include "ph3mpi/driver/shared_interaction.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/mpi_environment.hpp"
#include "ph3mpi/parallel/node_resources.hpp"

namespace ph3mpi::driver {
namespace {

struct CommandLine {
  std::string config;
  bool version = false;
  bool help_config = false;
  std::string format = "text";
  bool dry_run = false;
  int cores = 0;
  std::string part;  // --part I/N
};

// Every rank runs this; only rank 0 prints. All ranks see the same argv, so they
// all take the same branch and return the same code.
int run(const parallel::Context& context, const CommandLine& cl) {
  // Before anything may open an OpenMP parallel region: an absurd thread count ends here.
  parallel::collective_check(context, [&] {
    check_thread_count(omp_get_max_threads(), std::getenv("OMP_NUM_THREADS"), parallel::logical_cpus());
  });

  // The one collective "load and validate" phase: config, yaml, cells, fc2, fc3, BORN.
  Inputs inputs;
  // fc3 is read once per node when the ranks of a node share it (shared_interaction.hpp).
  bool read_fc3_values = true;
  parallel::collective_check(
      context, [&] { read_fc3_values = reads_fc3_values(context, node_shared_fc3_from_environment()); });
  parallel::collective_check(context, [&] { inputs = load_inputs(cl.config, read_fc3_values); });

  // The resolved mesh and the memory the mode needs (refused here in a real run, before
  // any large allocation; --dry-run prints the model instead).
  const RunSizeCheck size = check_run_size(inputs, context, !cl.dry_run);

  if (cl.dry_run) {
    if (context.is_root()) print_dry_run(inputs, context, std::cout, cl.cores, &size);
    return 0;
  }

  ModeRunner runner = nullptr;
  RunPart part;
  parallel::collective_check(context, [&] {
    runner = require_mode_runner(inputs.settings.mode);
    if (cl.part.empty()) return;
    part = parse_run_part(cl.part);
    const config::Mode mode = inputs.settings.mode;
    if (mode != config::Mode::kRta && mode != config::Mode::kLbte) {
      throw SettingsError("--part " + part.text() + ": job-array parts are for modes rta and lbte, not '" +
                          std::string(config::to_string(mode)) + "'");
    }
  });
  // One run per output folder (or one part of a split), held until the mode returns (or fails).
  const OutputDirHold hold = hold_output_dir(inputs.settings, context, std::cerr, part);
  const parallel::Rank0Stream log(std::cout,
                                  context.is_root() && inputs.settings.log_level != config::LogLevel::kQuiet);
  return runner(
      ModeArguments{context, inputs, log, part, [&inputs] { release_fc3_values(inputs); }, size.interaction});
}

}  // namespace

int main(int argc, char** argv) {
  std::unique_ptr<parallel::MpiEnvironment> mpi;
  try {
    mpi = std::make_unique<parallel::MpiEnvironment>(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "ph3mpi: error: " << e.what() << std::endl;
    return 1;
  }
  const parallel::Context context = parallel::Context::mpi_world();

  CommandLine cl;
  CLI::App app{"ph3mpi " PH3MPI_VERSION
               ": phono3py's three-phonon lattice thermal conductivity runtime, distributed with MPI.\n"
               "Run with mpiexec -n <ranks> ph3mpi config.toml",
               "ph3mpi"};
  app.add_option("config", cl.config, "config.toml describing the run (keys: see --help-config)");
  app.add_flag("--version", cl.version, "Print the ph3mpi and dependency versions");
  CLI::Option* help_config = app.add_flag("--help-config", cl.help_config, "Print every config.toml key");
  app.add_option("--format", cl.format, "Format of --help-config")
      ->check(CLI::IsMember({"text", "markdown"}))
      ->needs(help_config);
  app.add_flag("--dry-run", cl.dry_run,
               "Read and validate config and inputs, print what would be computed, write nothing");
  app.add_option("--cores", cl.cores, "With --dry-run: cores per node to suggest a rank x thread split for")
      ->check(CLI::PositiveNumber);
  app.add_option(
      "--part", cl.part,
      "I/N: modes rta and lbte compute share I of N cost-balanced shares of the grid points into the "
      "checkpoint and write no kappa (job arrays; parts may run at once on one output_dir); a run "
      "without --part then computes what is missing and writes kappa");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help ends here too (exit code 0); only rank 0 prints. Usage errors exit with 2.
    const int code = context.is_root() ? app.exit(e) : e.get_exit_code();
    return code == 0 ? 0 : 2;
  }

  if (cl.version) {
    if (context.is_root()) print_version(std::cout);
    return 0;
  }
  if (cl.help_config) {
    if (context.is_root()) {
      config::print_schema(
          std::cout, cl.format == "markdown" ? config::SchemaFormat::kMarkdown : config::SchemaFormat::kText);
    }
    return 0;
  }
  if (cl.config.empty()) {
    if (context.is_root()) std::cerr << "ph3mpi: error: no config file given\n" << app.help();
    return 1;
  }
  return parallel::run_guarded(context, [&] { return run(context, cl); });
}

}  // namespace ph3mpi::driver
