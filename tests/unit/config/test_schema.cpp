// The declared schema: completeness, consistency of the typed defaults, and the
// committed docs/config.md being exactly what the schema prints.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "ph3mpi/config/schema.hpp"
#include "test_support.hpp"

namespace {

using ph3mpi::config::declared_keys;
using ph3mpi::config::KeyType;

TEST(Schema, DocsConfigMdIsGeneratedFromTheSchema) {
  std::ostringstream generated;
  ph3mpi::config::print_schema(generated, ph3mpi::config::SchemaFormat::kMarkdown);
  const std::string path = ph3mpi::test::data_path("../../docs/config.md");
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing: run `ph3mpi --help-config --format markdown > docs/config.md`";
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), generated.str())
      << "docs/config.md is out of date: regenerate it with `ph3mpi --help-config --format markdown > "
         "docs/config.md`";
}

TEST(Schema, KeysAreUniqueAndDocumented) {
  std::set<std::string> names;
  for (const auto& key : declared_keys()) {
    EXPECT_TRUE(names.insert(key.name).second) << "duplicate key " << key.name;
    EXPECT_FALSE(key.doc.empty()) << key.name;
    EXPECT_FALSE(key.section.empty()) << key.name;
    if (key.type == KeyType::kChoice) {
      EXPECT_FALSE(key.choices.empty()) << key.name;
    }
  }
  // The keys issue 2 requires at top level with these names.
  for (const char* required : {"mode",
                               "phono3py_yaml",
                               "fc2",
                               "fc3",
                               "born",
                               "output_dir",
                               "mesh",
                               "use_grg",
                               "temperatures",
                               "tetrahedron",
                               "sigmas",
                               "sigma_cutoff",
                               "isotope",
                               "mass_variances",
                               "boundary_mfp",
                               "cutoff_frequency",
                               "is_N_U",
                               "nac",
                               "nac_method",
                               "grid_points",
                               "reducible_collision_matrix",
                               "pinv_cutoff",
                               "pinv_method",
                               "gp_batch_size",
                               "restart"}) {
    EXPECT_TRUE(names.count(required)) << required;
  }
}

TEST(Schema, TypedDefaultsMatchTheirType) {
  for (const auto& key : declared_keys()) {
    const auto& v = key.default_value;
    if (std::holds_alternative<std::monostate>(v)) continue;
    switch (key.type) {
      case KeyType::kBool:
        EXPECT_TRUE(std::holds_alternative<bool>(v)) << key.name;
        break;
      case KeyType::kInt:
        EXPECT_TRUE(std::holds_alternative<std::int64_t>(v)) << key.name;
        break;
      case KeyType::kFloat:
        EXPECT_TRUE(std::holds_alternative<double>(v)) << key.name;
        break;
      case KeyType::kString:
      case KeyType::kPath:
      case KeyType::kChoice:
        EXPECT_TRUE(std::holds_alternative<std::string>(v)) << key.name;
        break;
      case KeyType::kFloatArray:
        EXPECT_TRUE(std::holds_alternative<std::vector<double>>(v)) << key.name;
        break;
      default:
        ADD_FAILURE() << key.name << " has a typed default for a type that cannot hold one";
    }
  }
}

TEST(Schema, ClosestKey) {
  EXPECT_EQ(ph3mpi::config::closest_key("temperature"), "temperatures");
  EXPECT_EQ(ph3mpi::config::closest_key("sigma"), "sigmas");
  EXPECT_EQ(ph3mpi::config::closest_key("MESH"), "mesh");
  EXPECT_EQ(ph3mpi::config::closest_key("xyzzy_plugh_frobnicate"), "");
}

TEST(Schema, TextHelpListsEveryKey) {
  std::ostringstream text;
  ph3mpi::config::print_schema(text, ph3mpi::config::SchemaFormat::kText);
  for (const auto& key : declared_keys()) EXPECT_NE(text.str().find(key.name), std::string::npos) << key.name;
}

}  // namespace
