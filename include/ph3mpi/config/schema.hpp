// The one declaration of every config.toml key (deal.II ParameterHandler spirit):
// name, type, default, allowed range or choices, unit and a one-line doc. The
// loader (settings.hpp), `ph3mpi --help-config` and docs/config.md all read this
// table, so the documentation cannot drift from what the loader accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ph3mpi::config {

// What a key's TOML value must look like.
enum class KeyType {
  kString,      // free string
  kChoice,      // one string out of `choices`
  kPath,        // string path, resolved relative to the config file's directory
  kBool,        // true / false
  kInt,         // integer
  kFloat,       // number (an integer literal is accepted and converted)
  kIntArray,    // array of integers
  kFloatArray,  // array of numbers
  kMesh,        // 3 positive integers, or one positive number (a length, phono3py's --mesh)
  kMemory,      // string with a unit ("4GiB", "512MiB") or a number in GiB
};

// Typed default as the loader uses it; std::monostate = no value (optional key,
// or a default that depends on other settings: see `default_doc`).
using DefaultValue =
    std::variant<std::monostate, bool, std::int64_t, double, std::string, std::vector<double>>;

// A bound on a number (or on every element of an array).
struct Bound {
  double value = 0.0;
  bool inclusive = true;
};

struct KeyDecl {
  std::string name;
  std::string section;  // heading in --help-config and docs/config.md
  KeyType type = KeyType::kString;
  bool required = false;
  DefaultValue default_value;
  std::string default_doc;  // shown instead of default_value when the default depends on other input
  std::optional<Bound> lower;
  std::optional<Bound> upper;
  std::size_t min_items = 0;  // arrays: fewest elements accepted
  std::vector<std::string> choices;
  std::string unit;  // empty = dimensionless (or THz / Angstrom as everywhere)
  std::string doc;
};

// Every declared key, grouped by section in a fixed order.
const std::vector<KeyDecl>& declared_keys();

// The declaration of `name`, or nullptr if the name is not declared.
const KeyDecl* find_key(std::string_view name);

// The declared name closest to `name` (edit distance, case-insensitive), or "" if
// nothing is close enough to be a plausible typo.
std::string closest_key(std::string_view name);

// Human-readable forms used by the help text, docs and error messages.
std::string type_text(const KeyDecl& key);     // "array of float", "3 ints or float", ...
std::string default_text(const KeyDecl& key);  // "300.0", "required", "unset", ...
std::string allowed_text(const KeyDecl& key);  // "> 0", "gonze | wang", "0 <= x <= 1", ...

enum class SchemaFormat { kText, kMarkdown };

// Print the whole schema: kText for a terminal, kMarkdown for docs/config.md.
void print_schema(std::ostream& out, SchemaFormat format);

}  // namespace ph3mpi::config
