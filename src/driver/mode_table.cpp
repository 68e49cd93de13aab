#include <map>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/modes.hpp"

namespace ph3mpi::driver {
namespace {

using config::Mode;

// THE mode table. To implement a mode, declare its runner (int run_x(const ModeArguments&))
// and replace the nullptr of its row. Every mode of config `mode` has a row.
const std::map<Mode, ModeRunner>& mode_table() {
  static const std::map<Mode, ModeRunner> table = {
      {Mode::kPhonons, run_phonons},  // harmonic phonons
      {Mode::kRta, run_rta},          // kappa, relaxation-time approximation
      {Mode::kLbte, run_lbte},        // kappa, direct solution of the LBTE
      {Mode::kIse, run_ise},          // imaginary part of the self energy at grid_points
      {Mode::kRse, run_rse},          // real part of the self energy at grid_points
      {Mode::kJdos, run_jdos},        // joint density of states at grid_points
      {Mode::kIsotope, run_isotope},  // phonon-isotope scattering at grid_points
  };
  return table;
}

}  // namespace

ModeRunner find_mode_runner(Mode mode) {
  const auto it = mode_table().find(mode);
  return it == mode_table().end() ? nullptr : it->second;
}

std::vector<std::string> implemented_modes() {
  std::vector<std::string> names;
  for (const auto& [mode, runner] : mode_table()) {
    if (runner) names.emplace_back(config::to_string(mode));
  }
  return names;
}

ModeRunner require_mode_runner(Mode mode) {
  if (ModeRunner runner = find_mode_runner(mode)) return runner;
  std::string implemented;
  for (const auto& name : implemented_modes()) implemented += (implemented.empty() ? "" : ", ") + name;
  throw SettingsError(
      "mode '" + std::string(config::to_string(mode)) +
      "' is not implemented in this version (implemented: " +
      (implemented.empty() ? std::string("none yet; --dry-run validates the inputs") : implemented) + ")");
}

RunPart parse_run_part(const std::string& text) {
  const std::string usage = "--part " + text + ": expected I/N with 1 <= I <= N <= 100000 (e.g. --part 2/8)";
  const std::size_t slash = text.find('/');
  auto number = [&](const std::string& digits) {
    if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos)
      throw SettingsError(usage);
    return std::stoi(digits);
  };
  if (slash == std::string::npos) throw SettingsError(usage);
  RunPart p;
  p.part = number(text.substr(0, slash));
  p.num_parts = number(text.substr(slash + 1));
  if (p.part < 1 || p.num_parts > 100000 || p.part > p.num_parts) throw SettingsError(usage);
  return p;
}

}  // namespace ph3mpi::driver
