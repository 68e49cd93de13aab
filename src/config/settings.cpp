#include "ph3mpi/config/settings.hpp"

#include <toml++/toml.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "ph3mpi/common/file_access.hpp"
#include "ph3mpi/config/schema.hpp"

namespace ph3mpi::config {
namespace {

namespace fs = std::filesystem;

std::string number_text(double v) {
  std::ostringstream s;
  s.precision(15);
  s << v;
  return s.str();
}

std::string node_type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a bool";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
      return "a date/time";
    case toml::node_type::none:
      break;
  }
  return "an unknown value";
}

long line_of(const toml::node& node) { return static_cast<long>(node.source().begin.line); }

bool is_number(const toml::node& node) { return node.is_integer() || node.is_floating_point(); }

double number_value(const toml::node& node) {
  if (node.is_integer()) return static_cast<double>(node.as_integer()->get());
  return node.as_floating_point()->get();
}

std::string bound_text(const KeyDecl& key) {
  // allowed_text() without the "each " prefix used for arrays
  std::string text = allowed_text(key);
  if (text.rfind("each ", 0) == 0) text = text.substr(5);
  const auto comma = text.find(", at least");
  if (comma != std::string::npos) text = text.substr(0, comma);
  return text;
}

// prod(mesh) above this is refused while reading the config (kMaxGridPoints of the driver).
constexpr double kMaxMeshGridPoints = 1e10;

bool within_bounds(const KeyDecl& key, double v) {
  if (key.lower) {
    if (key.lower->inclusive ? v < key.lower->value : v <= key.lower->value) return false;
  }
  if (key.upper) {
    if (key.upper->inclusive ? v > key.upper->value : v >= key.upper->value) return false;
  }
  return true;
}

// Validates the present keys against their declarations and hands out typed values
// (declared defaults for absent keys).
class Reader {
 public:
  Reader(std::string file, const toml::table& table) : file_(std::move(file)), table_(table) {}

  [[noreturn]] void fail(const std::string& key, long line, const std::string& problem) const {
    throw ConfigError(file_, key, line, problem);
  }

  const toml::node* node(const std::string& key) const { return table_.get(key); }
  long line(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? line_of(*n) : 0;
  }

  // Every present key: declared? right type? in range? Reported in file order.
  void validate_all() const {
    std::vector<std::pair<long, std::string>> present;
    for (auto&& [k, v] : table_) {
      present.emplace_back(static_cast<long>(k.source().begin.line), std::string(k.str()));
    }
    std::sort(present.begin(), present.end());
    for (const auto& [key_line, key] : present) {
      const KeyDecl* decl = find_key(key);
      if (!decl) {
        const std::string suggestion = closest_key(key);
        fail(key, key_line,
             "unknown key" + (suggestion.empty() ? std::string(" (ph3mpi --help-config lists every key)")
                                                 : "; did you mean '" + suggestion + "'?"));
      }
      validate(*decl, *node(key));
    }
    for (const auto& decl : declared_keys()) {
      if (decl.required && !node(decl.name)) {
        std::string problem = "required key is missing";
        if (!decl.choices.empty()) problem += " (one of " + allowed_text(decl) + ")";
        fail(decl.name, 0, problem);
      }
    }
  }

  bool get_bool(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? n->as_boolean()->get() : std::get<bool>(decl(key).default_value);
  }
  std::optional<bool> optional_bool(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? std::optional<bool>(n->as_boolean()->get()) : std::nullopt;
  }
  std::int64_t get_int(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? n->as_integer()->get() : std::get<std::int64_t>(decl(key).default_value);
  }
  std::optional<std::int64_t> optional_int(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? std::optional<std::int64_t>(n->as_integer()->get()) : std::nullopt;
  }
  double get_float(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? number_value(*n) : std::get<double>(decl(key).default_value);
  }
  std::optional<double> optional_float(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? std::optional<double>(number_value(*n)) : std::nullopt;
  }
  std::string get_string(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? n->as_string()->get() : std::get<std::string>(decl(key).default_value);
  }
  std::vector<double> get_floats(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) return std::get<std::vector<double>>(decl(key).default_value);
    return floats(*n->as_array());
  }
  std::optional<std::vector<double>> optional_floats(const std::string& key) const {
    const toml::node* n = node(key);
    return n ? std::optional<std::vector<double>>(floats(*n->as_array())) : std::nullopt;
  }
  std::optional<std::vector<std::int64_t>> optional_ints(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) return std::nullopt;
    std::vector<std::int64_t> out;
    for (const auto& e : *n->as_array()) out.push_back(e.as_integer()->get());
    return out;
  }

 private:
  static const KeyDecl& decl(const std::string& key) {
    const KeyDecl* d = find_key(key);
    if (!d) throw std::logic_error("config key '" + key + "' is read but not declared");
    return *d;
  }

  static std::vector<double> floats(const toml::array& array) {
    std::vector<double> out;
    for (const auto& e : array) out.push_back(number_value(e));
    return out;
  }

  void wrong_type(const KeyDecl& key, const toml::node& n) const {
    fail(key.name, line_of(n), "expected " + type_text(key) + ", got " + node_type_name(n));
  }

  void check_number(const KeyDecl& key, const toml::node& n, const std::string& what) const {
    const double v = number_value(n);
    if (!std::isfinite(v))
      fail(key.name, line_of(n), what + " must be a finite number, got " + number_text(v));
    if (!within_bounds(key, v)) {
      fail(key.name, line_of(n),
           what + " " + number_text(v) + " is out of range: must be " + bound_text(key));
    }
  }

  void validate(const KeyDecl& key, const toml::node& n) const {
    switch (key.type) {
      case KeyType::kString:
        if (!n.is_string()) wrong_type(key, n);
        break;
      case KeyType::kPath:
        if (!n.is_string()) wrong_type(key, n);
        if (n.as_string()->get().empty()) fail(key.name, line_of(n), "path is empty");
        break;
      case KeyType::kChoice: {
        if (!n.is_string()) wrong_type(key, n);
        const std::string& v = n.as_string()->get();
        if (std::find(key.choices.begin(), key.choices.end(), v) == key.choices.end()) {
          fail(key.name, line_of(n), "'" + v + "' is not one of " + allowed_text(key));
        }
        break;
      }
      case KeyType::kBool:
        if (!n.is_boolean()) wrong_type(key, n);
        break;
      case KeyType::kInt:
        if (!n.is_integer()) wrong_type(key, n);
        check_number(key, n, "value");
        break;
      case KeyType::kFloat:
        if (!is_number(n)) wrong_type(key, n);
        check_number(key, n, "value");
        break;
      case KeyType::kIntArray:
      case KeyType::kFloatArray: {
        if (!n.is_array()) wrong_type(key, n);
        const toml::array& array = *n.as_array();
        if (array.size() < key.min_items) {
          fail(key.name, line_of(n),
               "needs at least " + std::to_string(key.min_items) + " item(s), got " +
                   std::to_string(array.size()));
        }
        for (std::size_t i = 0; i < array.size(); ++i) {
          const toml::node& e = array[i];
          const bool ok = key.type == KeyType::kIntArray ? e.is_integer() : is_number(e);
          if (!ok) {
            fail(key.name, line_of(e),
                 "expected " + type_text(key) + ", but item " + std::to_string(i) + " is " +
                     node_type_name(e));
          }
          check_number(key, e, "item " + std::to_string(i) + " =");
        }
        break;
      }
      case KeyType::kMesh:
        validate_mesh(key, n);
        break;
      case KeyType::kMemory:
        if (n.is_string()) {
          if (!parse_memory_size(n.as_string()->get())) {
            fail(key.name, line_of(n),
                 "cannot read memory size '" + n.as_string()->get() +
                     "': use a number and a unit, e.g. \"4GiB\", \"512MiB\", \"2GB\"");
          }
          if (*parse_memory_size(n.as_string()->get()) == 0) {
            fail(key.name, line_of(n), "memory size must be > 0");
          }
        } else if (is_number(n)) {
          check_number(key, n, "value (GiB)");
        } else {
          wrong_type(key, n);
        }
        break;
    }
  }

  void validate_mesh(const KeyDecl& key, const toml::node& n) const {
    const double bound = key.upper ? key.upper->value : 1e5;
    if (is_number(n)) {
      const double length = number_value(n);
      if (!std::isfinite(length) || length <= 0.0 || length > bound) {
        fail(
            key.name, line_of(n),
            "mesh length must be > 0 and <= " + number_text(bound) + " Angstrom, got " + number_text(length));
      }
      return;
    }
    if (!n.is_array()) wrong_type(key, n);
    const toml::array& array = *n.as_array();
    if (array.size() != 3) {
      fail(key.name, line_of(n),
           "mesh needs 3 integers [n1, n2, n3] (or one length), got " + std::to_string(array.size()) +
               " number(s)");
    }
    double product = 1.0;
    for (std::size_t i = 0; i < 3; ++i) {
      const toml::node& e = array[i];
      if (!e.is_integer()) {
        fail(key.name, line_of(e),
             "mesh entry " + std::to_string(i) + " must be an integer, got " + node_type_name(e));
      }
      const std::int64_t v = e.as_integer()->get();
      if (v <= 0) {
        fail(key.name, line_of(e),
             "mesh entry " + std::to_string(i) + " = " + std::to_string(v) + " must be > 0");
      }
      if (static_cast<double>(v) > bound) {
        fail(key.name, line_of(e),
             "mesh entry " + std::to_string(i) + " = " + std::to_string(v) +
                 " must be <= " + number_text(bound));
      }
      product *= static_cast<double>(v);
    }
    // An overflow guard: a grid that large is refused by the memory pre-flight long before.
    if (product > kMaxMeshGridPoints) {
      fail(key.name, line_of(n),
           "mesh has " + number_text(product) + " grid points, more than the bound of " +
               number_text(kMaxMeshGridPoints));
    }
  }

  std::string file_;
  const toml::table& table_;
};

// `temperatures`, or the range of tmin / tmax / tstep (phono3py's defaults 0, 1000 and 10 for
// the ones not given); both at once is an error naming the two keys.
std::vector<double> read_temperatures(const Reader& r) {
  const char* range_keys[] = {"tmin", "tmax", "tstep"};
  const char* given = nullptr;
  for (const char* key : range_keys) {
    if (r.node(key) && given == nullptr) given = key;
  }
  if (given == nullptr) return r.get_floats("temperatures");
  if (r.node("temperatures")) {
    r.fail("temperatures", r.line("temperatures"),
           std::string("temperatures and ") + given +
               " exclude each other: give a list (temperatures) or a range (tmin, tmax, tstep), not both");
  }
  const double tmin = r.optional_float("tmin").value_or(0.0);
  const double tmax = r.optional_float("tmax").value_or(1000.0);
  const double tstep = r.optional_float("tstep").value_or(10.0);
  if (tmax < tmin) {
    r.fail(r.node("tmax") ? "tmax" : "tmin", r.line(r.node("tmax") ? "tmax" : "tmin"),
           "tmax = " + number_text(tmax) + " is below tmin = " + number_text(tmin) +
               ": the range has no temperature");
  }
  if ((tmax - tmin) / tstep >= 10000.0) {
    r.fail("tstep", r.node("tstep") ? r.line("tstep") : r.line(given),
           "the range tmin = " + number_text(tmin) + " to tmax = " + number_text(tmax) + " in steps of " +
               number_text(tstep) + " K has more than 10000 temperatures");
  }
  return temperature_range(tmin, tmax, tstep);
}

fs::path resolve(const fs::path& base, const std::string& value) {
  fs::path p(value);
  if (p.is_relative()) p = base / p;
  p = p.lexically_normal();
  // "dir/." normalizes to "dir/": drop the trailing separator.
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

}  // namespace

std::string_view to_string(Mode mode) {
  switch (mode) {
    case Mode::kPhonons:
      return "phonons";
    case Mode::kRta:
      return "rta";
    case Mode::kLbte:
      return "lbte";
    case Mode::kIse:
      return "ise";
    case Mode::kRse:
      return "rse";
    case Mode::kJdos:
      return "jdos";
    case Mode::kIsotope:
      return "isotope";
  }
  return "?";
}

std::string_view to_string(NacMethod method) { return method == NacMethod::kGonze ? "gonze" : "wang"; }

std::string_view to_string(PinvSolver solver) {
  return solver == PinvSolver::kPdsyevd ? "pdsyevd" : "pdsyevr";
}

std::string_view to_string(LbteSolver solver) { return solver == LbteSolver::kCg ? "cg" : "direct"; }

std::string_view to_string(LogLevel level) {
  switch (level) {
    case LogLevel::kQuiet:
      return "quiet";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kDebug:
      return "debug";
  }
  return "?";
}

std::optional<Mode> mode_from_string(std::string_view name) {
  for (Mode m :
       {Mode::kPhonons, Mode::kRta, Mode::kLbte, Mode::kIse, Mode::kRse, Mode::kJdos, Mode::kIsotope}) {
    if (to_string(m) == name) return m;
  }
  return std::nullopt;
}

std::vector<double> temperature_range(double tmin, double tmax, double tstep) {
  // numpy's arange(start, stop, step) for floats: the length from (stop - start) / step, the
  // second element start + step, the rest start + i * delta with delta = t_1 - t_0.
  const double start = tmin, stop = tmax + tstep / 10;
  const double length = std::ceil((stop - start) / tstep);
  if (!(length > 0)) return {};
  std::vector<double> t(static_cast<std::size_t>(length));
  t[0] = start;
  if (t.size() > 1) t[1] = start + tstep;
  const double delta = t.size() > 1 ? t[1] - t[0] : 0.0;
  for (std::size_t i = 2; i < t.size(); ++i) t[i] = start + static_cast<double>(i) * delta;
  return t;
}

std::optional<std::uint64_t> parse_memory_size(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  const std::size_t number_begin = i;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == number_begin) return std::nullopt;
  double value = 0.0;
  try {
    std::size_t used = 0;
    const std::string number(text.substr(number_begin, i - number_begin));
    value = std::stod(number, &used);
    if (used != number.size()) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  std::string unit(text.substr(i));
  while (!unit.empty() && std::isspace(static_cast<unsigned char>(unit.back()))) unit.pop_back();
  std::string upper;
  for (char c : unit) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double factor = 0.0;
  if (upper == "B") {
    factor = 1.0;
  } else if (upper == "KIB") {
    factor = 1024.0;
  } else if (upper == "MIB") {
    factor = 1024.0 * 1024.0;
  } else if (upper == "GIB") {
    factor = 1024.0 * 1024.0 * 1024.0;
  } else if (upper == "TIB") {
    factor = 1024.0 * 1024.0 * 1024.0 * 1024.0;
  } else if (upper == "KB") {
    factor = 1e3;
  } else if (upper == "MB") {
    factor = 1e6;
  } else if (upper == "GB") {
    factor = 1e9;
  } else if (upper == "TB") {
    factor = 1e12;
  } else {
    return std::nullopt;
  }
  const double bytes = value * factor;
  if (!std::isfinite(bytes) || bytes >= 1.8e19) return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(bytes));
}

Settings load_settings(const std::string& toml_path) {
  // Open it first, so that a file we may not read is "permission denied" (and a symlink
  // loop "too many levels of symbolic links"), not a TOML syntax error.
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(toml_path, ec)))
    throw InputError(toml_path, "config file does not exist");
  if (fs::is_directory(toml_path, ec)) throw InputError(toml_path, "is a directory, not a config file");
  common::require_readable_file(toml_path, "a config file");

  toml::table table;
  try {
    table = toml::parse_file(toml_path);
  } catch (const toml::parse_error& e) {
    throw ConfigError(toml_path, "", static_cast<long>(e.source().begin.line),
                      "TOML syntax error: " + std::string(e.description()));
  }

  const Reader r(toml_path, table);
  r.validate_all();

  Settings s;
  s.config_file = fs::absolute(fs::path(toml_path)).lexically_normal();
  const fs::path base = s.config_file.parent_path();
  for (auto&& [k, v] : table) {
    s.key_lines[std::string(k.str())] = static_cast<long>(k.source().begin.line);
  }

  s.mode = *mode_from_string(r.get_string("mode"));
  s.output_dir = resolve(base, r.get_string("output_dir"));
  s.restart = r.get_bool("restart");
  s.gp_batch_size = r.optional_int("gp_batch_size");
  if (const toml::node* n = r.node("memory_per_rank")) {
    if (n->is_string()) {
      s.memory_per_rank = parse_memory_size(n->as_string()->get());
    } else {
      const double gib = number_value(*n);
      s.memory_per_rank = static_cast<std::uint64_t>(std::llround(gib * 1024.0 * 1024.0 * 1024.0));
    }
  }
  const std::string log_level = r.get_string("log_level");
  s.log_level = log_level == "quiet"   ? LogLevel::kQuiet
                : log_level == "debug" ? LogLevel::kDebug
                                       : LogLevel::kInfo;

  s.phono3py_yaml = resolve(base, r.get_string("phono3py_yaml"));
  s.fc2 = resolve(base, r.get_string("fc2"));
  s.fc3 = resolve(base, r.get_string("fc3"));
  if (r.node("born")) s.born = resolve(base, r.get_string("born"));
  if (r.node("read_phonon")) s.read_phonon = resolve(base, r.get_string("read_phonon"));
  if (r.node("read_gamma")) s.read_gamma = resolve(base, r.get_string("read_gamma"));
  s.write_phonon = r.get_bool("write_phonon");
  s.symprec = r.optional_float("symprec");
  s.is_symmetry = r.get_bool("is_symmetry");
  s.nac = r.optional_bool("nac");
  s.nac_method = r.get_string("nac_method") == "wang" ? NacMethod::kWang : NacMethod::kGonze;

  if (const toml::node* n = r.node("mesh")) {
    MeshSetting mesh;
    if (n->is_array()) {
      const toml::array& a = *n->as_array();
      mesh.numbers = std::array<std::int64_t, 3>{a[0].as_integer()->get(), a[1].as_integer()->get(),
                                                 a[2].as_integer()->get()};
    } else {
      mesh.length = number_value(*n);
    }
    s.mesh = mesh;
  }
  s.use_grg = r.get_bool("use_grg");
  s.is_kappa_star = r.get_bool("is_kappa_star");
  s.is_mesh_symmetry = r.get_bool("is_mesh_symmetry");
  s.grid_points = r.optional_ints("grid_points").value_or(std::vector<std::int64_t>{});
  s.band_indices = r.optional_ints("band_indices");

  s.temperatures = read_temperatures(r);
  s.sigmas = r.get_floats("sigmas");
  s.tetrahedron = r.optional_bool("tetrahedron").value_or(s.sigmas.empty());
  s.sigma_cutoff = r.optional_float("sigma_cutoff");
  s.cutoff_frequency = r.get_float("cutoff_frequency");
  s.num_frequency_points = r.optional_int("num_frequency_points");
  s.frequency_step = r.optional_float("frequency_step");
  s.epsilons = r.get_floats("epsilons");

  s.mass_variances = r.optional_floats("mass_variances");
  s.isotope = r.get_bool("isotope") || s.mass_variances.has_value();
  s.boundary_mfp = r.optional_float("boundary_mfp");
  s.is_N_U = r.get_bool("is_N_U");
  s.is_full_pp = r.get_bool("is_full_pp");
  s.use_ave_pp = r.get_bool("use_ave_pp");
  s.const_ave_pp = r.optional_float("const_ave_pp");
  s.write_pp = r.get_bool("write_pp");
  s.read_pp = r.get_bool("read_pp");
  s.write_gamma_detail = r.get_bool("write_gamma_detail");
  s.write_gamma = r.get_bool("write_gamma");
  s.degenerate_average = r.get_bool("degenerate_average");
  if (r.node("transport_type")) s.transport_type = r.get_string("transport_type");

  s.reducible_collision_matrix = r.get_bool("reducible_collision_matrix");
  s.pinv_cutoff = r.get_float("pinv_cutoff");
  s.pinv_method = static_cast<int>(r.get_int("pinv_method"));
  s.pinv_solver = r.get_string("pinv_solver") == "pdsyevr" ? PinvSolver::kPdsyevr : PinvSolver::kPdsyevd;
  s.blacs_block_size = r.get_int("blacs_block_size");
  s.lbte_solver = r.get_string("lbte_solver") == "cg" ? LbteSolver::kCg : LbteSolver::kDirect;
  s.lbte_cg_tolerance = r.get_float("lbte_cg_tolerance");
  s.lbte_cg_max_iterations = r.get_int("lbte_cg_max_iterations");

  // ---- settings that are valid one by one but not together
  const std::string mode_name(to_string(s.mode));
  if (s.mode != Mode::kPhonons && !s.mesh) {
    r.fail("mesh", r.line("mode"), "mode '" + mode_name + "' needs a mesh (mesh = [n1, n2, n3] or a length)");
  }
  const bool needs_grid_points =
      s.mode == Mode::kIse || s.mode == Mode::kRse || s.mode == Mode::kJdos || s.mode == Mode::kIsotope;
  if (needs_grid_points && s.grid_points.empty()) {
    r.fail("grid_points", r.node("grid_points") ? r.line("grid_points") : r.line("mode"),
           "mode '" + mode_name + "' needs at least one grid point in grid_points");
  }
  if (!s.tetrahedron && s.sigmas.empty()) {
    r.fail(
        "tetrahedron", r.line("tetrahedron"),
        "tetrahedron = false with no sigmas leaves no integration method; give sigmas or drop tetrahedron");
  }
  const bool conductivity = s.mode == Mode::kRta || s.mode == Mode::kLbte;
  if (!s.is_kappa_star && !conductivity) {
    r.fail("is_kappa_star", r.line("is_kappa_star"), "is_kappa_star = false is for modes rta and lbte");
  }
  for (const auto& [key, on] : {std::pair<const char*, bool>{"write_gamma", s.write_gamma},
                                {"read_gamma", s.read_gamma.has_value()}}) {
    if (on && s.mode != Mode::kRta) {
      r.fail(
          key, r.line(key),
          std::string(key) + " is for mode 'rta' (phono3py writes and reads gamma files in RTA runs only)");
    }
  }
  if (s.transport_type && s.mode != Mode::kRta && s.mode != Mode::kLbte) {
    r.fail("transport_type", r.line("transport_type"),
           "inter-band conductivity is computed by modes 'rta' and 'lbte', not by mode '" + mode_name + "'");
  }
  if (s.transport_type && !s.is_kappa_star) {
    r.fail(
        "is_kappa_star", r.line("is_kappa_star"),
        "is_kappa_star = false is not supported with transport_type (the inter-band sums run over the star)");
  }
  if (s.num_frequency_points && s.frequency_step) {
    r.fail("frequency_step", r.line("frequency_step"),
           "give either num_frequency_points or frequency_step, not both");
  }
  return s;
}

ConfigError settings_error(const Settings& settings, const std::string& key, const std::string& problem) {
  const auto it = settings.key_lines.find(key);
  return ConfigError(settings.config_file.string(), key, it == settings.key_lines.end() ? 0 : it->second,
                     problem);
}

std::int64_t resolve_gp_batch_size(const Settings& settings, const char* env_value) {
  if (settings.gp_batch_size) return *settings.gp_batch_size;
  if (env_value == nullptr || *env_value == '\0') return 0;
  const std::string text(env_value);
  try {
    std::size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used != text.size()) throw std::invalid_argument(text);
    return v;
  } catch (const std::exception&) {
    throw InputError("PH3MPI_GP_BATCH_SIZE", "environment value '" + text + "' is not an integer");
  }
}

}  // namespace ph3mpi::config
