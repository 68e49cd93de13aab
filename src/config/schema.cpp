#include "ph3mpi/config/schema.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace ph3mpi::config {
namespace {

KeyDecl declare(const char* name, const char* section, KeyType type) {
  KeyDecl d;
  d.name = name;
  d.section = section;
  d.type = type;
  return d;
}

Bound at_least(double v) { return Bound{v, true}; }
Bound above(double v) { return Bound{v, false}; }
Bound at_most(double v) { return Bound{v, true}; }

// The declarations. Order here is the order in --help-config and docs/config.md.
std::vector<KeyDecl> make_declarations() {
  std::vector<KeyDecl> k;
  auto add = [&k](KeyDecl d) { k.push_back(std::move(d)); };

  // ---------------------------------------------------------------- run
  {
    KeyDecl d = declare("mode", "run", KeyType::kChoice);
    d.required = true;
    d.choices = {"phonons", "rta", "lbte", "ise", "rse", "jdos", "isotope"};
    d.doc =
        "What to compute: harmonic phonons, kappa by RTA or LBTE, imaginary/real self energy, joint DOS or "
        "isotope scattering at grid_points";
    add(d);
  }
  {
    KeyDecl d = declare("output_dir", "run", KeyType::kPath);
    d.default_value = std::string(".");
    d.doc = "Folder for every output file and the checkpoint (created if missing)";
    add(d);
  }
  {
    KeyDecl d = declare("restart", "run", KeyType::kBool);
    d.default_value = true;
    d.doc = "Resume from the checkpoint in output_dir when it matches these settings";
    add(d);
  }
  {
    KeyDecl d = declare("gp_batch_size", "run", KeyType::kInt);
    d.default_doc = "env PH3MPI_GP_BATCH_SIZE, else 0";
    d.upper = at_most(1e6);
    d.doc = "Grid points handed to a rank per assignment; <= 0 means one grid point per assignment";
    add(d);
  }
  {
    KeyDecl d = declare("memory_per_rank", "run", KeyType::kMemory);
    d.default_doc = "unset";
    d.lower = above(0.0);
    d.upper = at_most(1e6);  // ~1 PiB: beyond any node; larger numbers overflow the byte count
    d.unit = "GiB if a number";
    d.doc =
        "Memory per rank, e.g. \"4GiB\" or 4.0; the pre-flight refuses a run whose estimate exceeds it (it "
        "only lowers the node's memory / ranks on the node)";
    add(d);
  }
  {
    KeyDecl d = declare("write_phonon", "run", KeyType::kBool);
    d.default_value = false;
    d.doc =
        "Also write the phonons used (frequencies, eigenvectors on every BZ grid point) to "
        "output_dir/phonon-m<mesh>.hdf5 in phono3py's --write-phonon format";
    add(d);
  }
  {
    KeyDecl d = declare("log_level", "run", KeyType::kChoice);
    d.default_value = std::string("info");
    d.choices = {"quiet", "info", "debug"};
    d.doc =
        "Amount of progress output printed by rank 0; debug adds after each grid-point stage how evenly the "
        "ranks were used (batches, seconds computing and waiting for work, min-max over the ranks)";
    add(d);
  }

  // ---------------------------------------------------------------- inputs
  {
    KeyDecl d = declare("phono3py_yaml", "inputs", KeyType::kPath);
    d.default_value = std::string("phono3py.yaml");
    d.doc = "phono3py.yaml with unit cell, primitive/supercell matrices, masses and NAC parameters";
    add(d);
  }
  {
    KeyDecl d = declare("fc2", "inputs", KeyType::kPath);
    d.default_value = std::string("fc2.hdf5");
    d.doc = "Second-order force constants (full or compact, as phono3py writes them)";
    add(d);
  }
  {
    KeyDecl d = declare("fc3", "inputs", KeyType::kPath);
    d.default_value = std::string("fc3.hdf5");
    d.doc = "Third-order force constants (full or compact); not read by modes phonons and jdos";
    add(d);
  }
  {
    KeyDecl d = declare("born", "inputs", KeyType::kPath);
    d.default_doc = "unset";
    d.doc = "phonopy BORN file; when given it replaces the NAC parameters of phono3py_yaml";
    add(d);
  }
  {
    KeyDecl d = declare("read_phonon", "inputs", KeyType::kPath);
    d.default_doc = "unset (solve)";
    d.doc =
        "phonon-m<mesh>.hdf5 as phono3py --write-phonon writes it: use its frequencies and eigenvectors "
        "instead of solving D(q) (phono3py --read-phonon), matched by grid address; reproduces a phono3py "
        "run whatever LAPACK basis this machine would pick";
    add(d);
  }
  {
    KeyDecl d = declare("read_gamma", "inputs", KeyType::kPath);
    d.default_doc = "unset (compute)";
    d.doc =
        "Folder of per-grid-point gamma files kappa-m<mesh>-g<gp>[-s<sigma>].hdf5 (phono3py --write-gamma, "
        "or "
        "ph3mpi's write_gamma): mode rta reads the ph-ph Gamma from them instead of computing it (phono3py "
        "--read-gamma); a missing file or one of another mesh, temperatures, sigma, band count or grid point "
        "is refused";
    add(d);
  }
  {
    KeyDecl d = declare("symprec", "inputs", KeyType::kFloat);
    d.default_doc = "yaml symmetry_tolerance, else 1e-5";
    d.lower = above(0.0);
    d.upper = at_most(1.0);
    d.unit = "Angstrom";
    d.doc = "Symmetry tolerance for spglib";
    add(d);
  }
  {
    KeyDecl d = declare("is_symmetry", "inputs", KeyType::kBool);
    d.default_value = true;
    d.doc = "Use crystal symmetry (false: identity only, as phono3py --nosym)";
    add(d);
  }
  {
    KeyDecl d = declare("nac", "inputs", KeyType::kBool);
    d.default_doc = "true when NAC parameters exist";
    d.doc = "Non-analytical term correction from Born charges and dielectric tensor";
    add(d);
  }
  {
    KeyDecl d = declare("nac_method", "inputs", KeyType::kChoice);
    d.default_value = std::string("gonze");
    d.choices = {"gonze", "wang"};
    d.doc = "NAC method: Gonze-Lee (phono3py's default) or Wang";
    add(d);
  }

  // ---------------------------------------------------------------- grid
  {
    KeyDecl d = declare("mesh", "grid", KeyType::kMesh);
    d.default_doc = "required except for mode phonons";
    d.lower = above(0.0);
    d.upper = at_most(100000.0);  // each mesh number, or the length in Angstrom
    d.doc = "Sampling mesh: [n1, n2, n3], or one length in Angstrom as phono3py's --mesh";
    add(d);
  }
  {
    KeyDecl d = declare("use_grg", "grid", KeyType::kBool);
    d.default_value = false;
    d.doc = "Use a generalized regular grid (phono3py --generalized-regular-grid)";
    add(d);
  }
  {
    KeyDecl d = declare("is_mesh_symmetry", "grid", KeyType::kBool);
    d.default_value = true;
    d.doc = "Reduce the mesh to irreducible grid points by symmetry";
    add(d);
  }
  {
    KeyDecl d = declare("is_kappa_star", "grid", KeyType::kBool);
    d.default_value = true;
    d.doc =
        "Modes rta and lbte: sum kappa over the irreducible grid points with their star (weights, "
        "rotations); "
        "false: every grid point with weight 1 and no star rotations (phono3py --noks)";
    add(d);
  }
  {
    KeyDecl d = declare("grid_points", "grid", KeyType::kIntArray);
    d.default_doc = "[]";
    d.lower = at_least(0.0);
    d.doc = "BZ grid-point indices (phono3py numbering); required by modes ise, rse, jdos and isotope";
    add(d);
  }
  {
    KeyDecl d = declare("band_indices", "grid", KeyType::kIntArray);
    d.default_doc = "all bands";
    d.lower = at_least(0.0);
    d.min_items = 1;
    d.doc = "Band indices (0-based) for which Gamma is computed";
    add(d);
  }

  // ---------------------------------------------------------------- integration
  {
    KeyDecl d = declare("temperatures", "integration", KeyType::kFloatArray);
    d.default_value = std::vector<double>{300.0};
    d.lower = at_least(0.0);
    d.upper = at_most(100000.0);  // far above any melting point; ~1e300 K overflows Gamma
    d.min_items = 1;
    d.unit = "K";
    d.doc = "Temperatures (or a range: tmin, tmax, tstep)";
    add(d);
  }
  {
    KeyDecl d = declare("tmin", "integration", KeyType::kFloat);
    d.default_doc = "0.0 when tmax or tstep is given";
    d.lower = at_least(0.0);
    d.upper = at_most(100000.0);
    d.unit = "K";
    d.doc =
        "Temperature range instead of temperatures (phono3py --tmin/--tmax/--tstep): numpy.arange(tmin, tmax "
        "+ tstep / 10, tstep)";
    add(d);
  }
  {
    KeyDecl d = declare("tmax", "integration", KeyType::kFloat);
    d.default_doc = "1000.0 when tmin or tstep is given";
    d.lower = at_least(0.0);
    d.upper = at_most(100000.0);
    d.unit = "K";
    d.doc = "Highest temperature of the range (included when it is tmin + n tstep)";
    add(d);
  }
  {
    KeyDecl d = declare("tstep", "integration", KeyType::kFloat);
    d.default_doc = "10.0 when tmin or tmax is given";
    d.lower = above(0.0);
    d.upper = at_most(100000.0);
    d.unit = "K";
    d.doc = "Step of the temperature range (at most 10000 temperatures)";
    add(d);
  }
  {
    KeyDecl d = declare("tetrahedron", "integration", KeyType::kBool);
    d.default_doc = "true when sigmas is empty, else false";
    d.doc = "Include the tetrahedron method; results are ordered tetrahedron first, then sigmas";
    add(d);
  }
  {
    KeyDecl d = declare("sigmas", "integration", KeyType::kFloatArray);
    d.default_value = std::vector<double>{};
    d.lower = at_least(1e-6);  // narrower Gaussians over- or underflow (1 / sigma, exp(-x^2 / sigma^2))
    d.upper = at_most(1000.0);
    d.unit = "THz";
    d.doc = "Gaussian smearing widths";
    add(d);
  }
  {
    KeyDecl d = declare("sigma_cutoff", "integration", KeyType::kFloat);
    d.default_doc = "unset (no cutoff)";
    d.lower = above(0.0);
    d.unit = "sigma";
    d.doc = "Gaussian tails beyond this many sigmas are dropped";
    add(d);
  }
  {
    KeyDecl d = declare("cutoff_frequency", "integration", KeyType::kFloat);
    d.default_value = 1e-4;
    d.lower = at_least(0.0);
    d.upper = at_most(1000.0);  // above any phonon frequency: every mode would be left out
    d.unit = "THz";
    d.doc = "Phonons below this frequency are left out of the interaction";
    add(d);
  }
  {
    KeyDecl d = declare("num_frequency_points", "integration", KeyType::kInt);
    d.default_doc = "unset";
    d.lower = above(0.0);
    d.upper = at_most(1e6);
    d.doc = "Number of frequency points for frequency-resolved ise, rse and jdos";
    add(d);
  }
  {
    KeyDecl d = declare("frequency_step", "integration", KeyType::kFloat);
    d.default_doc = "unset";
    d.lower = at_least(1e-6);  // and at most 1e6 points up to twice the highest frequency (checked then)
    d.upper = at_most(1000.0);
    d.unit = "THz";
    d.doc = "Spacing of frequency points (instead of num_frequency_points)";
    add(d);
  }
  {
    KeyDecl d = declare("epsilons", "integration", KeyType::kFloatArray);
    d.default_value = std::vector<double>{};
    d.lower = at_least(1e-6);
    d.upper = at_most(1000.0);
    d.unit = "THz";
    d.doc = "Broadening widths of the real self energy (mode rse)";
    add(d);
  }

  // ---------------------------------------------------------------- scattering
  {
    KeyDecl d = declare("isotope", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Add phonon-isotope scattering (natural abundances unless mass_variances is given)";
    add(d);
  }
  {
    KeyDecl d = declare("mass_variances", "scattering", KeyType::kFloatArray);
    d.default_doc = "unset";
    d.lower = at_least(0.0);
    d.upper = at_most(10.0);  // natural elements are below 1e-2; an isotope mix of masses 1:100 is ~1
    d.min_items = 1;
    d.doc = "Mass variance parameter g2 per primitive atom; implies isotope = true";
    add(d);
  }
  {
    KeyDecl d = declare("boundary_mfp", "scattering", KeyType::kFloat);
    d.default_doc = "unset";
    d.lower = at_least(1e-6);  // 1 pm; shorter ones overflow the boundary scattering rate
    d.unit = "micrometre";
    d.doc = "Mean free path for boundary scattering";
    add(d);
  }
  {
    KeyDecl d = declare("is_N_U", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Split Gamma into normal and umklapp parts";
    add(d);
  }
  {
    KeyDecl d = declare("is_full_pp", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Compute every |Phi|^2 element, also those with zero integration weight";
    add(d);
  }
  {
    KeyDecl d = declare("use_ave_pp", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Use averaged ph-ph interaction read from a previous run";
    add(d);
  }
  {
    KeyDecl d = declare("const_ave_pp", "scattering", KeyType::kFloat);
    d.default_doc = "unset";
    d.lower = above(0.0);
    d.upper = at_most(1.0);  // phono3py's averages are ~1e-10 eV^2
    d.unit = "eV^2";
    d.doc = "Replace the averaged ph-ph interaction by this constant";
    add(d);
  }
  {
    KeyDecl d = declare("write_pp", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Write the ph-ph interaction strength per grid point";
    add(d);
  }
  {
    KeyDecl d = declare("read_pp", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Read the ph-ph interaction strength written by write_pp";
    add(d);
  }
  {
    KeyDecl d = declare("write_gamma", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc =
        "Mode rta: also write kappa-m<mesh>-g<gp>[-s<sigma>].hdf5 for every irreducible grid point (phono3py "
        "--write-gamma: frequency, group velocity, gv_by_gv, heat capacity, Gamma per temperature)";
    add(d);
  }
  {
    KeyDecl d = declare("transport_type", "scattering", KeyType::kChoice);
    d.default_doc = "unset (particle-like conductivity only)";
    d.choices = {"njc23", "ibdb19", "smm19"};
    d.doc =
        "Add the inter-band (coherence) conductivity with this heat-capacity matrix, as phono3py's --tt "
        "(modes rta and lbte; docs/inter-band.md): kappa_intra, kappa_inter and their sum";
    add(d);
  }
  {
    KeyDecl d = declare("degenerate_average", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc =
        "Average |Phi|^2 (and the isotope weights) over the degenerate bands of each phonon, so that no "
        "choice of eigenvectors inside degenerate subspaces changes any result (docs/validation.md); "
        "false gives phono3py's numbers for the same eigenvectors";
    add(d);
  }
  {
    KeyDecl d = declare("write_gamma_detail", "scattering", KeyType::kBool);
    d.default_value = false;
    d.doc = "Write Gamma per triplet and band pair";
    add(d);
  }

  // ---------------------------------------------------------------- lbte
  {
    KeyDecl d = declare("reducible_collision_matrix", "lbte", KeyType::kBool);
    d.default_value = false;
    d.doc = "Solve the LBTE with the full (reducible) collision matrix";
    add(d);
  }
  {
    KeyDecl d = declare("pinv_cutoff", "lbte", KeyType::kFloat);
    d.default_value = 1e-8;
    d.lower = at_least(1e-30);  // 1 / eigenvalue stays finite
    d.upper = at_most(1000.0);
    d.doc = "Collision-matrix eigenvalues below this are dropped in the pseudo-inverse";
    add(d);
  }
  {
    KeyDecl d = declare("pinv_method", "lbte", KeyType::kInt);
    d.default_value = std::int64_t{0};
    d.lower = at_least(0.0);
    d.upper = at_most(1.0);
    d.doc = "Pseudo-inverse criterion as phono3py: 0 drops |eig| < pinv_cutoff, 1 drops eig < pinv_cutoff";
    add(d);
  }
  {
    KeyDecl d = declare("pinv_solver", "lbte", KeyType::kChoice);
    d.default_value = std::string("pdsyevd");
    d.choices = {"pdsyevd", "pdsyevr"};
    d.doc = "ScaLAPACK eigensolver for the collision matrix";
    add(d);
  }
  {
    KeyDecl d = declare("blacs_block_size", "lbte", KeyType::kInt);
    d.default_value = std::int64_t{64};
    d.lower = above(0.0);
    d.upper = at_most(4096.0);
    d.doc = "Block size of the 2-D block-cyclic collision-matrix distribution";
    add(d);
  }
  {
    KeyDecl d = declare("lbte_solver", "lbte", KeyType::kChoice);
    d.default_value = std::string("direct");
    d.choices = {"direct", "cg"};
    d.doc =
        "direct: phono3py's pseudo-inverse by diagonalization (eigenvectors, coleigs file); cg: "
        "preconditioned "
        "conjugate gradient, only the matrix in memory (~n^2 x 8 B / ranks), same kappa, no eigenvalues";
    add(d);
  }
  {
    KeyDecl d = declare("lbte_cg_tolerance", "lbte", KeyType::kFloat);
    d.default_value = 1e-12;
    d.lower = above(0.0);
    d.upper = at_most(1e-2);
    d.doc = "CG stops when |X - Omega Y| <= this x |X| for every right-hand side";
    add(d);
  }
  {
    KeyDecl d = declare("lbte_cg_max_iterations", "lbte", KeyType::kInt);
    d.default_value = std::int64_t{10000};
    d.lower = above(0.0);
    d.upper = at_most(1e7);
    d.doc = "CG iterations before the run stops with an error naming the residual reached";
    add(d);
  }
  return k;
}

std::string lower_case(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  std::string t = s.str();
  // Show floats as floats (300.0, not 300) so the TOML type is obvious.
  if (t.find_first_of(".eEn") == std::string::npos) t += ".0";
  return t;
}

std::string markdown_cell(std::string s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const std::vector<KeyDecl>& declared_keys() {
  static const std::vector<KeyDecl> keys = make_declarations();
  return keys;
}

const KeyDecl* find_key(std::string_view name) {
  for (const auto& key : declared_keys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

std::string closest_key(std::string_view name) {
  const std::string wanted = lower_case(name);
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (const auto& key : declared_keys()) {
    const std::size_t d = edit_distance(wanted, lower_case(key.name));
    if (d < best_distance) {
      best_distance = d;
      best = key.name;
    }
  }
  // A plausible typo: a few edits, relative to the length of the name.
  const std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  return best_distance <= limit ? best : std::string();
}

std::string type_text(const KeyDecl& key) {
  switch (key.type) {
    case KeyType::kString:
      return "string";
    case KeyType::kChoice:
      return "string";
    case KeyType::kPath:
      return "path";
    case KeyType::kBool:
      return "bool";
    case KeyType::kInt:
      return "int";
    case KeyType::kFloat:
      return "float";
    case KeyType::kIntArray:
      return "array of int";
    case KeyType::kFloatArray:
      return "array of float";
    case KeyType::kMesh:
      return "3 ints, or float";
    case KeyType::kMemory:
      return "string or float";
  }
  return "?";
}

std::string default_text(const KeyDecl& key) {
  if (key.required) return "required";
  struct Visitor {
    std::string operator()(std::monostate) const { return ""; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return number_text(d); }
    std::string operator()(const std::string& s) const { return "\"" + s + "\""; }
    std::string operator()(const std::vector<double>& v) const {
      std::string s = "[";
      for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + number_text(v[i]);
      return s + "]";
    }
  };
  std::string text = std::visit(Visitor{}, key.default_value);
  if (text.empty()) text = key.default_doc.empty() ? "unset" : key.default_doc;
  return text;
}

std::string allowed_text(const KeyDecl& key) {
  if (!key.choices.empty()) {
    std::string s;
    for (std::size_t i = 0; i < key.choices.size(); ++i) s += (i ? " | " : "") + key.choices[i];
    return s;
  }
  const bool integral =
      key.type == KeyType::kInt || key.type == KeyType::kIntArray || (key.type == KeyType::kMesh);
  auto num = [integral](double v) {
    return integral ? std::to_string(static_cast<long long>(std::llround(v))) : number_text(v);
  };
  std::string s;
  if (key.lower && key.upper) {
    s = num(key.lower->value) + (key.lower->inclusive ? " <= " : " < ") + "x" +
        (key.upper->inclusive ? " <= " : " < ") + num(key.upper->value);
  } else if (key.lower) {
    s = std::string(key.lower->inclusive ? ">= " : "> ") + num(key.lower->value);
  } else if (key.upper) {
    s = std::string(key.upper->inclusive ? "<= " : "< ") + num(key.upper->value);
  }
  if (key.type == KeyType::kIntArray || key.type == KeyType::kFloatArray) {
    if (!s.empty()) s = "each " + s;
    if (key.min_items > 0)
      s += (s.empty() ? "" : ", ") + std::string("at least ") + std::to_string(key.min_items) + " item" +
           (key.min_items > 1 ? "s" : "");
  }
  if (key.type == KeyType::kMesh) s = "each 1..100000 (ints, product <= 1e10), or a length 0 < L <= 100000";
  if (s.empty()) {
    if (key.type == KeyType::kBool) {
      s = "true | false";
    } else if (key.type == KeyType::kPath) {
      s = "file path";
    } else {
      s = "any";
    }
  }
  return s;
}

void print_schema(std::ostream& out, SchemaFormat format) {
  const auto& keys = declared_keys();
  std::vector<std::string> sections;
  for (const auto& key : keys) {
    if (std::find(sections.begin(), sections.end(), key.section) == sections.end()) {
      sections.push_back(key.section);
    }
  }

  if (format == SchemaFormat::kMarkdown) {
    out << "# config.toml reference\n\n"
        << "<!-- Generated by `ph3mpi --help-config --format markdown`; do not edit by hand\n"
        << "     (tests/unit/config checks that this file matches the declared schema). -->\n\n"
        << "ph3mpi reads one flat TOML file: every key is top-level. Unknown keys, wrong types and\n"
        << "values out of range are errors that name the file, line and key. Paths are relative to\n"
        << "the directory of the config file. Units: THz for frequencies, Angstrom for lengths,\n"
        << "unless the unit column says otherwise.\n";
    for (const auto& section : sections) {
      out << "\n## " << section << "\n\n"
          << "| key | type | default | allowed | unit | description |\n"
          << "|---|---|---|---|---|---|\n";
      for (const auto& key : keys) {
        if (key.section != section) continue;
        out << "| `" << key.name << "` | " << markdown_cell(type_text(key)) << " | "
            << markdown_cell(default_text(key)) << " | " << markdown_cell(allowed_text(key)) << " | "
            << markdown_cell(key.unit) << " | " << markdown_cell(key.doc) << " |\n";
      }
    }
    return;
  }

  out << "config.toml keys (all top-level; paths relative to the config file's directory)\n";
  for (const auto& section : sections) {
    out << "\n[" << section << "]\n";
    for (const auto& key : keys) {
      if (key.section != section) continue;
      out << "  " << std::left << std::setw(28) << key.name << type_text(key);
      if (!key.unit.empty()) out << " (" << key.unit << ")";
      out << "\n      default: " << default_text(key) << "; allowed: " << allowed_text(key) << "\n      "
          << key.doc << "\n";
    }
  }
}

}  // namespace ph3mpi::config
