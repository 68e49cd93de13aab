// Typed run settings read from config.toml. Every field corresponds to one key
// declared in schema.hpp (same name); see docs/config.md for meanings and defaults.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::config {

enum class Mode { kPhonons, kRta, kLbte, kIse, kRse, kJdos, kIsotope };
enum class NacMethod { kGonze, kWang };
enum class PinvSolver { kPdsyevd, kPdsyevr };
enum class LbteSolver { kDirect, kCg };
enum class LogLevel { kQuiet, kInfo, kDebug };

// The config spelling ("rta", "gonze", "pdsyevd", "info", ...).
std::string_view to_string(Mode mode);
std::string_view to_string(NacMethod method);
std::string_view to_string(PinvSolver solver);
std::string_view to_string(LbteSolver solver);
std::string_view to_string(LogLevel level);
// Inverse of to_string(Mode); nullopt for an unknown name.
std::optional<Mode> mode_from_string(std::string_view name);

// `mesh` as given: either three sampling numbers or one length (phono3py's --mesh
// with a single value: numbers are derived from the reciprocal lattice later).
struct MeshSetting {
  std::optional<std::array<std::int64_t, 3>> numbers;
  std::optional<double> length;  // Angstrom
};

struct Settings {
  std::filesystem::path config_file;  // absolute path of the config.toml read

  Mode mode = Mode::kPhonons;

  // Inputs and outputs (absolute; relative entries are resolved against the config's directory).
  std::filesystem::path phono3py_yaml;
  std::filesystem::path fc2;
  std::filesystem::path fc3;
  std::optional<std::filesystem::path> born;  // given: BORN wins over the yaml's NAC block
  // A phono3py phonon-m<mesh>.hdf5 whose frequencies and eigenvectors replace our own
  // solution of D(q) (phono3py --read-phonon).
  std::optional<std::filesystem::path> read_phonon;
  // A folder of phono3py per-grid-point gamma files kappa-m<mesh>-g<gp>[...].hdf5 read
  // instead of computing the ph-ph Gamma (mode rta; phono3py --read-gamma).
  std::optional<std::filesystem::path> read_gamma;
  std::filesystem::path output_dir;

  std::optional<double> symprec;  // unset: the yaml's symmetry_tolerance, else 1e-5
  bool is_symmetry = true;
  bool is_mesh_symmetry = true;
  std::optional<bool> nac;  // unset: on exactly when NAC parameters exist (yaml or BORN)
  NacMethod nac_method = NacMethod::kGonze;

  std::optional<MeshSetting> mesh;
  bool use_grg = false;
  bool is_kappa_star = true;              // false: every grid point, weight 1 (phono3py --noks)
  std::vector<std::int64_t> grid_points;  // BZ grid indices (phono3py numbering)
  std::optional<std::vector<std::int64_t>> band_indices;

  std::vector<double> temperatures;    // K (given, or the range tmin, tmax, tstep resolved)
  bool tetrahedron = true;             // resolved: default true when sigmas is empty
  std::vector<double> sigmas;          // THz
  std::optional<double> sigma_cutoff;  // in units of sigma
  double cutoff_frequency = 1e-4;      // THz

  bool isotope = false;  // resolved: also true when mass_variances is given (as phono3py)
  std::optional<std::vector<double>> mass_variances;  // one per primitive atom
  std::optional<double> boundary_mfp;                 // micrometre
  bool is_N_U = false;
  bool is_full_pp = false;
  bool use_ave_pp = false;
  std::optional<double> const_ave_pp;  // eV^2
  bool write_pp = false;
  bool read_pp = false;
  bool write_gamma_detail = false;
  bool write_gamma = false;  // mode rta: per-grid-point gamma files (phono3py --write-gamma)
  // Inter-band conductivity variant: "njc23", "ibdb19" or "smm19" (phono3py --tt).
  std::optional<std::string> transport_type;
  // |Phi|^2 and isotope weights averaged over degenerate bands (basis-invariant results).
  bool degenerate_average = false;

  std::optional<std::int64_t> num_frequency_points;
  std::optional<double> frequency_step;  // THz
  std::vector<double> epsilons;          // THz (rse)

  bool reducible_collision_matrix = false;
  double pinv_cutoff = 1e-8;
  int pinv_method = 0;
  PinvSolver pinv_solver = PinvSolver::kPdsyevd;
  std::int64_t blacs_block_size = 64;
  LbteSolver lbte_solver = LbteSolver::kDirect;
  double lbte_cg_tolerance = 1e-12;  // relative residual
  std::int64_t lbte_cg_max_iterations = 10000;

  std::optional<std::int64_t> gp_batch_size;  // unset: env PH3MPI_GP_BATCH_SIZE, else 0
  bool restart = true;
  std::optional<std::uint64_t> memory_per_rank;  // bytes
  LogLevel log_level = LogLevel::kInfo;
  bool write_phonon = false;  // also write output_dir/phonon-m<mesh>.hdf5

  // Line in config_file of every key that was present (for later error messages).
  std::map<std::string, long> key_lines;
};

// Read, type-check and validate `toml_path`. Throws ph3mpi::InputError for a
// missing/unreadable file and ph3mpi::ConfigError (file, key, line, problem) for
// everything else: TOML syntax, unknown key, wrong type, out of range, bad choice,
// missing required key, settings that cannot be combined.
Settings load_settings(const std::string& toml_path);

// A ConfigError about `key` pointing at the line where the key was given (or at the
// file only when it was not given). For checks that need the inputs (e.g. the number
// of mass_variances against the primitive cell), made by the driver.
ConfigError settings_error(const Settings& settings, const std::string& key, const std::string& problem);

// gp_batch_size resolution as phono3py's PHONO3PY_RUST_GP_BATCH_SIZE: the config key,
// else the environment value `env_value` (PH3MPI_GP_BATCH_SIZE; nullptr = unset), else
// 0. <= 0 means one grid point per assignment. A non-integer env value is an InputError.
std::int64_t resolve_gp_batch_size(const Settings& settings, const char* env_value);

// phono3py's temperatures of --tmin --tmax --tstep: numpy.arange(tmin, tmax + tstep / 10, tstep),
// element for element as numpy computes it (length ceil((stop - start) / step), t_0 = start,
// t_1 = start + step, t_i = start + i (t_1 - t_0)). Empty when tmax < tmin.
std::vector<double> temperature_range(double tmin, double tmax, double tstep);

// Parse "4GiB", "512 MiB", "2.5GB", "1024" (bytes) into bytes; nullopt if malformed.
std::optional<std::uint64_t> parse_memory_size(std::string_view text);

}  // namespace ph3mpi::config
