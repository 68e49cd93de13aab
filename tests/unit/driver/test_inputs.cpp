// driver::load_inputs on the bundled crystals, and the mode table's refusal of modes
// that do not exist yet.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::driver::load_inputs;
using ph3mpi::driver::NacSource;

class InputsTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = ph3mpi::test::make_temp_dir("driver"); }
  void TearDown() override { fs::remove_all(dir_); }

  // A config for crystal `name` of tests/data plus `extra` lines.
  std::string config(const std::string& name, const std::string& mode, const std::string& extra = "",
                     const std::string& fc3 = "") {
    const std::string path = (fs::path(dir_) / "config.toml").string();
    std::ofstream(path) << "mode = \"" << mode << "\"\n"
                        << "phono3py_yaml = \"" << ph3mpi::test::data_path(name + "/phono3py.yaml") << "\"\n"
                        << "fc2 = \"" << ph3mpi::test::data_path(name + "/fc2.hdf5") << "\"\n"
                        << "fc3 = \"" << (fc3.empty() ? ph3mpi::test::data_path(name + "/fc3.hdf5") : fc3)
                        << "\"\n"
                        << extra;
    return path;
  }

  std::string dir_;
};

TEST_F(InputsTest, SiliconForRta) {
  const auto in = load_inputs(config("si-pbesol", "rta", "mesh = [9, 9, 9]\n"));
  EXPECT_EQ(in.yaml.unitcell.num_atoms(), 8u);
  EXPECT_EQ(in.primitive.num_atoms(), 2u);
  EXPECT_EQ(in.num_bands(), 6u);
  EXPECT_EQ(in.supercell.num_atoms(), 64u);
  EXPECT_EQ(in.phonon_supercell.num_atoms(), 64u);
  EXPECT_EQ(in.primitive.p2s_map, (std::vector<std::int64_t>{0, 32}));
  EXPECT_EQ(in.primitive_symmetry.spacegroup_number, 227);
  EXPECT_EQ(in.symprec, 1e-5);
  EXPECT_EQ(in.fc2.fc.shape, (std::vector<std::size_t>{2, 64, 3, 3}));
  ASSERT_TRUE(in.fc3.has_value());
  EXPECT_EQ(in.fc3->fc.shape, (std::vector<std::size_t>{2, 64, 64, 3, 3, 3}));
  EXPECT_FALSE(in.nac.has_value());
  EXPECT_EQ(in.nac_source, NacSource::kNone);
}

TEST_F(InputsTest, PhononsModeDoesNotReadFc3) {
  // fc3 points at a file that does not exist: phonons must not touch it.
  const std::string path = config("si-pbesol", "phonons", "", "no-such-fc3.hdf5");
  const auto in = load_inputs(path);
  EXPECT_FALSE(in.fc3.has_value());
}

TEST_F(InputsTest, MgoHasItsOwnPhononSupercellAndNacFromTheYaml) {
  const auto in = load_inputs(config("mgo", "phonons", "symprec = 1e-4\n"));
  EXPECT_EQ(in.supercell.num_atoms(), 64u);
  EXPECT_EQ(in.phonon_supercell.num_atoms(), 512u);
  EXPECT_EQ(in.fc2.fc.shape, (std::vector<std::size_t>{2, 512, 3, 3}));
  EXPECT_EQ(in.phonon_primitive.p2s_map, in.fc2.p2s_map);
  EXPECT_EQ(in.symprec, 1e-4);
  ASSERT_TRUE(in.nac.has_value());
  EXPECT_EQ(in.nac_source, NacSource::kPhono3pyYaml);
  EXPECT_EQ(in.nac->method, "gonze");
  EXPECT_EQ(in.nac->born.size(), 2u);
}

TEST_F(InputsTest, NacSwitchedOffOrToWang) {
  EXPECT_FALSE(load_inputs(config("nacl-pbe", "phonons", "nac = false\n")).nac.has_value());
  const auto wang = load_inputs(config("nacl-pbe", "phonons", "nac_method = \"wang\"\n"));
  ASSERT_TRUE(wang.nac.has_value());
  EXPECT_EQ(wang.nac->method, "wang");
}

TEST_F(InputsTest, SettingsCheckedAgainstTheCell) {
  EXPECT_THROW(load_inputs(config("aln-lda", "phonons", "mass_variances = [0.1, 0.2]\n")),
               ph3mpi::ConfigError);
  EXPECT_NO_THROW(load_inputs(config("aln-lda", "phonons", "mass_variances = [0.1, 0.2, 0.3, 0.4]\n")));
  EXPECT_THROW(load_inputs(config("aln-lda", "phonons", "band_indices = [12]\n")), ph3mpi::ConfigError);
  EXPECT_THROW(load_inputs(config("si-pbesol", "phonons", "nac = true\n")), ph3mpi::ConfigError);
}

TEST(ModeTable, EveryModeHasARowAndMissingOnesSayNotImplemented) {
  using ph3mpi::config::Mode;
  for (Mode mode :
       {Mode::kPhonons, Mode::kRta, Mode::kLbte, Mode::kIse, Mode::kRse, Mode::kJdos, Mode::kIsotope}) {
    if (ph3mpi::driver::find_mode_runner(mode) != nullptr) {
      EXPECT_EQ(ph3mpi::driver::require_mode_runner(mode), ph3mpi::driver::find_mode_runner(mode));
      continue;
    }
    try {
      ph3mpi::driver::require_mode_runner(mode);
      FAIL() << "no error for an unimplemented mode";
    } catch (const ph3mpi::SettingsError& e) {
      const std::string expected =
          "mode '" + std::string(ph3mpi::config::to_string(mode)) + "' is not implemented in this version";
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

}  // namespace
