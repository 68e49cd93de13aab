// The mode table: config `mode` -> the function that runs it. A mode is implemented
// by writing `int run_<mode>(const ModeArguments&)` in src/driver/ (or a module it
// calls) and putting it into the table in src/driver/mode_table.cpp. Modes whose
// entry is empty fail with "mode '<name>' is not implemented in this version".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::driver {

// `ph3mpi --part I/N` (issue 15): this run computes share I of N disjoint, cost-balanced
// shares of the irreducible grid points into the checkpoint and writes no kappa; parts of
// one split may run at the same time on one output_dir (a job array). num_parts = 0: a
// plain run.
struct RunPart {
  int part = 0;  // 1-based
  int num_parts = 0;
  bool active() const noexcept { return num_parts > 0; }
  std::string text() const { return std::to_string(part) + "/" + std::to_string(num_parts); }
};

// "I/N" with 1 <= I <= N <= 100000 -> RunPart; ph3mpi::SettingsError naming --part otherwise.
RunPart parse_run_part(const std::string& text);

struct ModeArguments {
  const parallel::Context& context;  // all ranks of the run
  const Inputs& inputs;              // identical on every rank
  const parallel::Rank0Stream& log;  // progress output (rank 0 only)
  RunPart part{};                    // --part I/N (modes rta and lbte)
  // Frees the values of inputs.fc3 (inputs.fc3->has_values becomes false); make_interaction
  // calls it once the node-shared tables hold what it needs of them. Empty: kept.
  std::function<void()> release_fc3 = {};
  // The pre-flight's sizing of the real -> reciprocal work (rank 0; unknown elsewhere), for
  // the memory estimate of the settings block without a second sizing pass over fc3.
  InteractionCounts interaction = {};
};

// Called on every rank; returns the process exit code (0 = success). Errors are
// exceptions (see parallel/error_handling.hpp for how they end the run).
using ModeRunner = int (*)(const ModeArguments&);

// Mode runners (one file each in src/driver/).
int run_phonons(const ModeArguments& args);
int run_ise(const ModeArguments& args);      // mode_ise.cpp
int run_isotope(const ModeArguments& args);  // mode_isotope.cpp
int run_rse(const ModeArguments& args);      // mode_rse.cpp
int run_jdos(const ModeArguments& args);     // mode_jdos.cpp
int run_rta(const ModeArguments& args);      // mode_rta.cpp
int run_lbte(const ModeArguments& args);     // mode_lbte.cpp

// The runner of `mode`, or nullptr when the mode is not implemented.
ModeRunner find_mode_runner(config::Mode mode);

// Names of the implemented modes (for messages).
std::vector<std::string> implemented_modes();

// Throws SettingsError("mode '<name>' is not implemented in this version ...") when
// find_mode_runner(mode) is nullptr.
ModeRunner require_mode_runner(config::Mode mode);

}  // namespace ph3mpi::driver
