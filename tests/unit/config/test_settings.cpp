// load_settings: defaults, path resolution, and one test per error class. Every
// error message must name the file, the line and the key.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/config/settings.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::ConfigError;
using ph3mpi::InputError;
using ph3mpi::config::load_settings;
using ph3mpi::config::Mode;
using ph3mpi::config::Settings;

class SettingsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ph3mpi::test::make_temp_dir("config"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "config.toml") {
    const fs::path path = fs::path(dir_) / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }

  // Loads `text` expecting a ConfigError; checks file, key, line and a fragment of the problem.
  void expect_error(const std::string& text, const std::string& key, long line, const std::string& fragment) {
    const std::string path = write(text);
    try {
      load_settings(path);
      FAIL() << "no error for:\n" << text;
    } catch (const ConfigError& e) {
      const std::string what = e.what();
      EXPECT_EQ(e.key(), key) << what;
      EXPECT_EQ(e.line(), line) << what;
      EXPECT_NE(what.find(path), std::string::npos) << what;
      if (line > 0) {
        EXPECT_NE(what.find(path + ":" + std::to_string(line)), std::string::npos) << what;
      }
      if (!key.empty()) {
        EXPECT_NE(what.find("'" + key + "'"), std::string::npos) << what;
      }
      EXPECT_NE(what.find(fragment), std::string::npos) << what;
    }
  }

  std::string dir_;
};

TEST_F(SettingsTest, DefaultsOfAMinimalConfig) {
  const Settings s = load_settings(write("mode = \"rta\"\nmesh = [9, 9, 9]\n"));
  const fs::path base = fs::path(dir_).lexically_normal();
  EXPECT_EQ(s.mode, Mode::kRta);
  EXPECT_EQ(s.phono3py_yaml, base / "phono3py.yaml");
  EXPECT_EQ(s.fc2, base / "fc2.hdf5");
  EXPECT_EQ(s.fc3, base / "fc3.hdf5");
  EXPECT_FALSE(s.born.has_value());
  EXPECT_EQ(s.output_dir, base);
  ASSERT_TRUE(s.mesh && s.mesh->numbers);
  EXPECT_EQ((*s.mesh->numbers)[0], 9);
  EXPECT_FALSE(s.mesh->length.has_value());
  EXPECT_FALSE(s.use_grg);
  ASSERT_EQ(s.temperatures.size(), 1u);
  EXPECT_EQ(s.temperatures[0], 300.0);
  EXPECT_TRUE(s.tetrahedron);  // no sigmas
  EXPECT_TRUE(s.sigmas.empty());
  EXPECT_FALSE(s.sigma_cutoff.has_value());
  EXPECT_FALSE(s.isotope);
  EXPECT_FALSE(s.mass_variances.has_value());
  EXPECT_FALSE(s.boundary_mfp.has_value());
  EXPECT_EQ(s.cutoff_frequency, 1e-4);
  EXPECT_FALSE(s.is_N_U);
  EXPECT_FALSE(s.nac.has_value());
  EXPECT_EQ(s.nac_method, ph3mpi::config::NacMethod::kGonze);
  EXPECT_TRUE(s.grid_points.empty());
  EXPECT_FALSE(s.reducible_collision_matrix);
  EXPECT_EQ(s.pinv_cutoff, 1e-8);
  EXPECT_EQ(s.pinv_method, 0);
  EXPECT_FALSE(s.gp_batch_size.has_value());
  EXPECT_TRUE(s.restart);
  EXPECT_FALSE(s.symprec.has_value());
  EXPECT_TRUE(s.is_symmetry);
  EXPECT_TRUE(s.is_mesh_symmetry);
  EXPECT_FALSE(s.is_full_pp);
  EXPECT_FALSE(s.band_indices.has_value());
  EXPECT_TRUE(s.epsilons.empty());
  EXPECT_EQ(s.pinv_solver, ph3mpi::config::PinvSolver::kPdsyevd);
  EXPECT_EQ(s.blacs_block_size, 64);
  EXPECT_FALSE(s.memory_per_rank.has_value());
  EXPECT_EQ(s.log_level, ph3mpi::config::LogLevel::kInfo);
  EXPECT_EQ(s.config_file, base / "config.toml");
}

TEST_F(SettingsTest, RelativePathsResolveAgainstTheConfigDirectory) {
  const std::string path = write(
      "mode = \"phonons\"\n"
      "phono3py_yaml = \"../data/si/phono3py.yaml\"\n"
      "fc2 = \"fc/fc2.hdf5\"\n"
      "fc3 = \"/abs/fc3.hdf5\"\n"
      "born = \"BORN\"\n"
      "output_dir = \"out/run1\"\n",
      "sub/dir/config.toml");
  const Settings s = load_settings(path);
  const fs::path base = fs::path(dir_).lexically_normal();
  EXPECT_EQ(s.phono3py_yaml, base / "sub" / "data" / "si" / "phono3py.yaml");
  EXPECT_EQ(s.fc2, base / "sub" / "dir" / "fc" / "fc2.hdf5");
  EXPECT_EQ(s.fc3, fs::path("/abs/fc3.hdf5"));
  ASSERT_TRUE(s.born.has_value());
  EXPECT_EQ(*s.born, base / "sub" / "dir" / "BORN");
  EXPECT_EQ(s.output_dir, base / "sub" / "dir" / "out" / "run1");
}

TEST_F(SettingsTest, EveryKeyRead) {
  const Settings s = load_settings(write(
      "mode = \"lbte\"\nmesh = 50.0\nuse_grg = true\ntemperatures = [0, 100.5, 300]\n"
      "sigmas = [0.1, 0.2]\ntetrahedron = true\nsigma_cutoff = 3\nmass_variances = [1e-4, 2e-4]\n"
      "boundary_mfp = 1e6\ncutoff_frequency = 0.0\nis_N_U = true\nnac = false\nnac_method = \"wang\"\n"
      "grid_points = [0, 105]\nreducible_collision_matrix = true\npinv_cutoff = 1e-6\npinv_method = 1\n"
      "gp_batch_size = -3\nrestart = false\nsymprec = 1e-3\nis_symmetry = false\nis_mesh_symmetry = false\n"
      "is_full_pp = true\nband_indices = [0, 5]\nnum_frequency_points = 201\nepsilons = [0.05, 0.1]\n"
      "write_gamma_detail = true\nuse_ave_pp = true\nconst_ave_pp = 1e-10\nwrite_pp = true\nread_pp = true\n"
      "pinv_solver = \"pdsyevr\"\nblacs_block_size = 32\nmemory_per_rank = \"512MiB\"\nlog_level = "
      "\"debug\"\n"));
  EXPECT_EQ(s.mode, Mode::kLbte);
  ASSERT_TRUE(s.mesh && s.mesh->length);
  EXPECT_EQ(*s.mesh->length, 50.0);
  EXPECT_TRUE(s.use_grg);
  EXPECT_EQ(s.temperatures, (std::vector<double>{0.0, 100.5, 300.0}));
  EXPECT_EQ(s.sigmas, (std::vector<double>{0.1, 0.2}));
  EXPECT_TRUE(s.tetrahedron);
  EXPECT_EQ(*s.sigma_cutoff, 3.0);
  EXPECT_TRUE(s.isotope);  // implied by mass_variances, as in phono3py
  EXPECT_EQ(*s.mass_variances, (std::vector<double>{1e-4, 2e-4}));
  EXPECT_EQ(*s.boundary_mfp, 1e6);
  EXPECT_EQ(s.cutoff_frequency, 0.0);
  EXPECT_TRUE(s.is_N_U);
  EXPECT_EQ(s.nac, std::optional<bool>(false));
  EXPECT_EQ(s.nac_method, ph3mpi::config::NacMethod::kWang);
  EXPECT_EQ(s.grid_points, (std::vector<std::int64_t>{0, 105}));
  EXPECT_TRUE(s.reducible_collision_matrix);
  EXPECT_EQ(s.pinv_cutoff, 1e-6);
  EXPECT_EQ(s.pinv_method, 1);
  EXPECT_EQ(*s.gp_batch_size, -3);
  EXPECT_FALSE(s.restart);
  EXPECT_EQ(*s.symprec, 1e-3);
  EXPECT_FALSE(s.is_symmetry);
  EXPECT_FALSE(s.is_mesh_symmetry);
  EXPECT_TRUE(s.is_full_pp);
  EXPECT_EQ(*s.band_indices, (std::vector<std::int64_t>{0, 5}));
  EXPECT_EQ(*s.num_frequency_points, 201);
  EXPECT_EQ(s.epsilons, (std::vector<double>{0.05, 0.1}));
  EXPECT_TRUE(s.write_gamma_detail);
  EXPECT_TRUE(s.use_ave_pp);
  EXPECT_EQ(*s.const_ave_pp, 1e-10);
  EXPECT_TRUE(s.write_pp);
  EXPECT_TRUE(s.read_pp);
  EXPECT_EQ(s.pinv_solver, ph3mpi::config::PinvSolver::kPdsyevr);
  EXPECT_EQ(s.blacs_block_size, 32);
  EXPECT_EQ(*s.memory_per_rank, 512ull * 1024 * 1024);
  EXPECT_EQ(s.log_level, ph3mpi::config::LogLevel::kDebug);
  EXPECT_EQ(s.key_lines.at("mode"), 1);
  EXPECT_EQ(s.key_lines.at("log_level"), 35);
}

TEST_F(SettingsTest, SigmasTurnTetrahedronOffByDefault) {
  const Settings s = load_settings(write("mode = \"rta\"\nmesh = [4, 4, 4]\nsigmas = [0.1]\n"));
  EXPECT_FALSE(s.tetrahedron);
  EXPECT_EQ(s.sigmas.size(), 1u);
}

TEST_F(SettingsTest, MemoryAsNumberIsGiB) {
  const Settings s = load_settings(write("mode = \"phonons\"\nmemory_per_rank = 1.5\n"));
  EXPECT_EQ(*s.memory_per_rank, 3ull * 512 * 1024 * 1024);
  EXPECT_EQ(*ph3mpi::config::parse_memory_size("4GiB"), 4ull << 30);
  EXPECT_EQ(*ph3mpi::config::parse_memory_size("2 GB"), 2000000000ull);
  EXPECT_FALSE(ph3mpi::config::parse_memory_size("4 parsecs").has_value());
  EXPECT_FALSE(ph3mpi::config::parse_memory_size("GiB").has_value());
}

TEST_F(SettingsTest, GpBatchSizeResolution) {
  Settings s = load_settings(write("mode = \"phonons\"\n"));
  EXPECT_EQ(ph3mpi::config::resolve_gp_batch_size(s, nullptr), 0);
  EXPECT_EQ(ph3mpi::config::resolve_gp_batch_size(s, "7"), 7);
  EXPECT_THROW(ph3mpi::config::resolve_gp_batch_size(s, "seven"), InputError);
  s.gp_batch_size = 3;
  EXPECT_EQ(ph3mpi::config::resolve_gp_batch_size(s, "7"), 3);
}

// ---------------------------------------------------------------- errors

TEST_F(SettingsTest, MissingFile) {
  const std::string path = (fs::path(dir_) / "nope.toml").string();
  try {
    load_settings(path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

TEST_F(SettingsTest, SyntaxError) {
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9\n", "", 2, "TOML syntax error");
}

TEST_F(SettingsTest, DuplicateKeyIsASyntaxError) {
  expect_error("mode = \"rta\"\nmode = \"lbte\"\n", "", 2, "TOML syntax error");
}

TEST_F(SettingsTest, UnknownKeySuggestsTheClosestName) {
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperature = [300]\n", "temperature", 3,
               "did you mean 'temperatures'?");
  expect_error("mode = \"rta\"\nis_n_u = true\n", "is_n_u", 2, "did you mean 'is_N_U'?");
  expect_error("mode = \"rta\"\ncompletely_unrelated = 1\n", "completely_unrelated", 2, "--help-config");
}

TEST_F(SettingsTest, TablesAreUnknownKeys) {
  expect_error("mode = \"rta\"\n[grid]\nmesh = [9, 9, 9]\n", "grid", 2, "unknown key");
}

TEST_F(SettingsTest, WrongType) {
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperatures = \"300\"\n", "temperatures", 3,
               "expected array of float, got a string");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\nisotope = 1\n", "isotope", 3,
               "expected bool, got an integer");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\npinv_method = 1.0\n", "pinv_method", 3,
               "expected int, got a float");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ngrid_points = [1, 2.5]\n", "grid_points", 3,
               "item 1 is a float");
  expect_error("mode = 3\n", "mode", 1, "expected string, got an integer");
}

TEST_F(SettingsTest, OutOfRange) {
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperatures = [300, -10]\n", "temperatures", 3,
               "item 1 = -10 is out of range: must be 0.0 <= x <= 100000.0");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\nsigmas = [0.1, -0.1]\n", "sigmas", 3,
               "must be 1e-06 <= x <= 1000.0");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\npinv_method = 2\n", "pinv_method", 3,
               "must be 0 <= x <= 1");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ncutoff_frequency = -1e-4\n", "cutoff_frequency", 3,
               "out of range");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperatures = [nan]\n", "temperatures", 3, "finite");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperatures = []\n", "temperatures", 3, "at least 1");
}

// Issue 16: every value that could make a run unbounded or non-finite has a bound.
TEST_F(SettingsTest, AbsurdValuesAreRefusedNamingKeyAndBound) {
  const std::string rta = "mode = \"rta\"\nmesh = [9, 9, 9]\n";
  expect_error(rta + "temperatures = [1e308]\n", "temperatures", 3,
               "1e+308 is out of range: must be 0.0 <= x <= 100000.0");
  expect_error(rta + "temperatures = [inf]\n", "temperatures", 3, "must be a finite number, got inf");
  expect_error(rta + "sigmas = [1e-300]\n", "sigmas", 3, "1e-300 is out of range");
  expect_error(rta + "boundary_mfp = 1e-300\n", "boundary_mfp", 3, "must be >= 1e-06");
  expect_error(rta + "num_frequency_points = 1000000000000\n", "num_frequency_points", 3,
               "must be 0 < x <= 1000000");
  expect_error(rta + "frequency_step = 1e-300\n", "frequency_step", 3, "must be 1e-06 <= x <= 1000.0");
  expect_error(rta + "cutoff_frequency = 1e300\n", "cutoff_frequency", 3, "must be 0.0 <= x <= 1000.0");
  expect_error(rta + "pinv_cutoff = 1e-300\n", "pinv_cutoff", 3, "must be 1e-30 <= x <= 1000.0");
  expect_error(rta + "memory_per_rank = 1e300\n", "memory_per_rank", 3, "must be 0.0 < x <= 1e+06");
  expect_error(rta + "gp_batch_size = 9000000000000000000\n", "gp_batch_size", 3, "must be <= 1000000");
  expect_error(rta + "blacs_block_size = 100000\n", "blacs_block_size", 3, "must be 0 < x <= 4096");
  expect_error(rta + "const_ave_pp = 1e300\n", "const_ave_pp", 3, "must be 0.0 < x <= 1.0");
  expect_error(rta + "mass_variances = [1e300, 0]\n", "mass_variances", 3, "must be 0.0 <= x <= 10.0");
  expect_error(rta + "symprec = 1e300\n", "symprec", 3, "must be 0.0 < x <= 1.0");
  expect_error("mode = \"rta\"\nmesh = [3000000000, 3000000000, 3000000000]\n", "mesh", 2,
               "mesh entry 0 = 3000000000 must be <= 100000");
  expect_error("mode = \"rta\"\nmesh = [100000, 100000, 2]\n", "mesh", 2,
               "mesh has 20000000000 grid points, more than the bound of 10000000000");
  expect_error("mode = \"rta\"\nmesh = 1.0e6\n", "mesh", 2, "mesh length must be > 0 and <= 100000 Angstrom");
}

TEST_F(SettingsTest, UnreadableConfigNamesTheCause) {
  const fs::path a = fs::path(dir_) / "loop-a.toml", b = fs::path(dir_) / "loop-b.toml";
  fs::create_symlink(b, a);
  fs::create_symlink(a, b);
  try {
    load_settings(a.string());
    ADD_FAILURE() << "a symlink loop was read";
  } catch (const ph3mpi::InputError& e) {
    EXPECT_EQ(std::string(e.what()), a.string() + ": too many levels of symbolic links");
  }
}

TEST_F(SettingsTest, BadMesh) {
  expect_error("mode = \"rta\"\nmesh = [9, 0, 9]\n", "mesh", 2, "mesh entry 1 = 0 must be > 0");
  expect_error("mode = \"rta\"\nmesh = [9, 9, -9]\n", "mesh", 2, "mesh entry 2 = -9 must be > 0");
  expect_error("mode = \"rta\"\nmesh = [9, 9]\n", "mesh", 2, "got 2 number(s)");
  expect_error("mode = \"rta\"\nmesh = [9.0, 9, 9]\n", "mesh", 2, "must be an integer");
  expect_error("mode = \"rta\"\nmesh = -30.0\n", "mesh", 2, "mesh length must be > 0");
  expect_error("mode = \"rta\"\nmesh = \"9 9 9\"\n", "mesh", 2, "expected 3 ints, or float");
}

TEST_F(SettingsTest, BadChoice) {
  expect_error("mode = \"kappa\"\n", "mode", 1, "'kappa' is not one of phonons | rta | lbte");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\nnac_method = \"Gonze\"\n", "nac_method", 3,
               "not one of gonze | wang");
}

TEST_F(SettingsTest, MissingRequiredKey) {
  expect_error("mesh = [9, 9, 9]\n", "mode", 0, "required key is missing");
  expect_error("", "mode", 0, "required key is missing");
}

TEST_F(SettingsTest, EmptyPath) { expect_error("mode = \"rta\"\nfc2 = \"\"\n", "fc2", 2, "path is empty"); }

TEST_F(SettingsTest, BadMemory) {
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\nmemory_per_rank = \"lots\"\n", "memory_per_rank", 3,
               "cannot read memory size");
}

TEST_F(SettingsTest, InconsistentSettings) {
  expect_error("mode = \"ise\"\nmesh = [9, 9, 9]\n", "grid_points", 1, "needs at least one grid point");
  expect_error("mode = \"jdos\"\nmesh = [9, 9, 9]\ngrid_points = []\n", "grid_points", 3,
               "needs at least one grid point");
  expect_error("mode = \"rta\"\n", "mesh", 1, "mode 'rta' needs a mesh");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntetrahedron = false\n", "tetrahedron", 3,
               "no integration method");
  expect_error(
      "mode = \"ise\"\nmesh = [9, 9, 9]\ngrid_points = [1]\nnum_frequency_points = 10\nfrequency_step = "
      "0.1\n",
      "frequency_step", 5, "not both");
}

TEST_F(SettingsTest, MassVariancesWithIsotopeFalseMeansIsotope) {
  const Settings s =
      load_settings(write("mode = \"rta\"\nmesh = [9, 9, 9]\nisotope = false\nmass_variances = [0.1]\n"));
  EXPECT_TRUE(s.isotope);
}

TEST_F(SettingsTest, SettingsErrorPointsAtTheKeyLine) {
  const std::string path = write("mode = \"rta\"\nmesh = [9, 9, 9]\nmass_variances = [0.1]\n");
  const Settings s = load_settings(path);
  const ConfigError e = ph3mpi::config::settings_error(s, "mass_variances", "needs 2 values");
  EXPECT_EQ(e.line(), 3);
  EXPECT_NE(std::string(e.what()).find(":3: key 'mass_variances': needs 2 values"), std::string::npos);
}

TEST(TemperatureRange, IsNumpyArangeAsPhono3pyUsesIt) {
  // phono3py: numpy.arange(tmin, tmax + tstep / 10, tstep). Expected values from numpy 1.24
  // (np.arange(...).tolist(), last elements as float.hex()), including the cases where the
  // element is start + i * ((start + step) - start), not start + i * step.
  using ph3mpi::config::temperature_range;
  const std::vector<double> a = temperature_range(0, 1000, 10);
  ASSERT_EQ(a.size(), 101u);
  EXPECT_EQ(a.front(), 0.0);
  EXPECT_EQ(a[99], 0x1.ef00000000000p+9);
  EXPECT_EQ(a.back(), 0x1.f400000000000p+9);
  const std::vector<double> b = temperature_range(0.1, 0.3, 0.1);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(b[1], 0x1.999999999999ap-3);
  EXPECT_EQ(b[2], 0x1.3333333333334p-2);
  const std::vector<double> c = temperature_range(100, 105, 0.7);
  ASSERT_EQ(c.size(), 8u);
  EXPECT_EQ(c[6], 0x1.a0ccccccccccep+6);
  EXPECT_EQ(c[7], 0x1.a39999999999bp+6);
  EXPECT_EQ(temperature_range(300, 300, 10), std::vector<double>{300.0});
  const std::vector<double> d = temperature_range(10, 1000, 33.3);
  ASSERT_EQ(d.size(), 30u);
  EXPECT_EQ(d[28], 0x1.d733333333332p+9);
  EXPECT_EQ(d[29], 0x1.e7d9999999999p+9);
  EXPECT_TRUE(temperature_range(400, 300, 10).empty());
}

TEST_F(SettingsTest, TemperatureRangeKeys) {
  const Settings s = load_settings(write("mode = \"rta\"\nmesh = [9, 9, 9]\ntmax = 100\n"));
  EXPECT_EQ(s.temperatures, ph3mpi::config::temperature_range(0, 100, 10));  // phono3py's tmin 0, tstep 10
  const Settings t = load_settings(write("mode = \"rta\"\nmesh = [9, 9, 9]\ntmin = 200\ntstep = 100\n"));
  EXPECT_EQ(t.temperatures.size(), 9u);  // 200 .. 1000 (tmax 1000)
  EXPECT_EQ(t.temperatures.back(), 1000.0);
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntemperatures = [300]\ntmin = 100\n", "temperatures", 3,
               "temperatures and tmin exclude each other");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntmin = 500\ntmax = 100\n", "tmax", 4, "is below tmin");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntstep = 0.001\n", "tstep", 3,
               "more than 10000 temperatures");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntstep = 0\n", "tstep", 3, "out of range");
  expect_error("mode = \"rta\"\nmesh = [9, 9, 9]\ntmax = -5\n", "tmax", 3, "out of range");
}

TEST_F(SettingsTest, KappaStarAndGammaFilesBelongToTheirModes) {
  const Settings s = load_settings(write("mode = \"lbte\"\nmesh = [9, 9, 9]\nis_kappa_star = false\n"));
  EXPECT_FALSE(s.is_kappa_star);
  const Settings r =
      load_settings(write("mode = \"rta\"\nmesh = [9, 9, 9]\nwrite_gamma = true\nread_gamma = \"gammas\"\n"));
  EXPECT_TRUE(r.write_gamma);
  ASSERT_TRUE(r.read_gamma);
  EXPECT_EQ(*r.read_gamma, fs::path(dir_).lexically_normal() / "gammas");
  expect_error("mode = \"ise\"\nmesh = [9, 9, 9]\ngrid_points = [1]\nis_kappa_star = false\n",
               "is_kappa_star", 4, "for modes rta and lbte");
  expect_error("mode = \"lbte\"\nmesh = [9, 9, 9]\nwrite_gamma = true\n", "write_gamma", 3, "for mode 'rta'");
  expect_error("mode = \"lbte\"\nmesh = [9, 9, 9]\nread_gamma = \"g\"\n", "read_gamma", 3, "for mode 'rta'");
}

}  // namespace
