#include "ph3mpi/driver/inputs.hpp"

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/io/born_file.hpp"

namespace ph3mpi::driver {
namespace {

using config::Mode;

// The crystal builders throw plain ph3mpi::Error; in the driver their cause is the
// phono3py.yaml content, so the message names that file.
template <typename Build>
auto from_yaml(const std::string& yaml_path, const std::string& what, Build build) {
  try {
    return build();
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw InputError(yaml_path, "cannot build the " + what + ": " + e.what());
  }
}

void resolve_nac(Inputs& in) {
  const config::Settings& s = in.settings;
  if (s.born) {
    in.nac = io::read_born_file(s.born->string(), in.phonon_primitive, in.symprec);
    in.nac_source = NacSource::kBornFile;
  } else if (in.yaml.nac) {
    in.nac = in.yaml.nac;
    in.nac_source = NacSource::kPhono3pyYaml;
  }
  if (s.nac && *s.nac && !in.nac) {
    throw config::settings_error(
        s, "nac",
        "nac = true but " + s.phono3py_yaml.string() + " has no NAC parameters and no born file is given");
  }
  if (s.nac && !*s.nac) {
    in.nac.reset();
    in.nac_source = NacSource::kNone;
  }
  if (in.nac) in.nac->method = std::string(config::to_string(s.nac_method));
}

void check_settings_against_cell(const Inputs& in) {
  const config::Settings& s = in.settings;
  const std::size_t n_prim = in.primitive.num_atoms();
  if (s.mass_variances && s.mass_variances->size() != n_prim) {
    throw config::settings_error(s, "mass_variances",
                                 "needs one value per primitive atom: " + std::to_string(n_prim) +
                                     " values, got " + std::to_string(s.mass_variances->size()));
  }
  if (s.band_indices) {
    for (std::int64_t b : *s.band_indices) {
      if (b >= static_cast<std::int64_t>(in.num_bands())) {
        throw config::settings_error(
            s, "band_indices",
            "band index " + std::to_string(b) + " is out of range: the primitive cell has " +
                std::to_string(in.num_bands()) + " bands (0.." + std::to_string(in.num_bands() - 1) + ")");
      }
    }
  }
}

}  // namespace

bool mode_needs_fc3(Mode mode) {
  return mode == Mode::kRta || mode == Mode::kLbte || mode == Mode::kIse || mode == Mode::kRse;
}

Inputs load_inputs(const std::string& config_path, bool read_fc3_values) {
  Inputs in;
  in.settings = config::load_settings(config_path);
  const config::Settings& s = in.settings;
  const std::string yaml_path = s.phono3py_yaml.string();

  in.yaml = io::read_phono3py_yaml(yaml_path);
  if (!in.yaml.has_primitive_matrix) {
    throw InputError(yaml_path,
                     "no primitive_matrix: phono3py would search the primitive cell by symmetry ('auto'), "
                     "which ph3mpi does not do; add the primitive_matrix block");
  }
  in.symprec = s.symprec ? *s.symprec : in.yaml.symprec;

  in.supercell = from_yaml(yaml_path, "supercell", [&] {
    return crystal::build_supercell(in.yaml.unitcell, in.yaml.supercell_matrix, in.symprec);
  });
  in.primitive = from_yaml(yaml_path, "primitive cell", [&] {
    return crystal::build_primitive(in.supercell, in.yaml.primitive_matrix, in.symprec);
  });
  if (in.yaml.has_phonon_supercell_matrix) {
    in.phonon_supercell = from_yaml(yaml_path, "phonon supercell", [&] {
      return crystal::build_supercell(in.yaml.unitcell, in.yaml.phonon_supercell_matrix, in.symprec);
    });
    in.phonon_primitive = from_yaml(yaml_path, "phonon primitive cell", [&] {
      return crystal::build_primitive(in.phonon_supercell, in.yaml.primitive_matrix, in.symprec);
    });
  } else {
    in.phonon_supercell = in.supercell;
    in.phonon_primitive = in.primitive;
  }
  in.primitive_symmetry = from_yaml(yaml_path, "space group of the primitive cell", [&] {
    return crystal::get_symmetry(in.primitive, in.symprec, s.is_symmetry);
  });

  check_settings_against_cell(in);
  resolve_nac(in);

  in.fc2 = io::read_fc2(s.fc2.string(), in.phonon_supercell.num_atoms(), in.phonon_primitive.p2s_map);
  if (mode_needs_fc3(s.mode)) {
    in.fc3 = io::read_fc3(s.fc3.string(), in.supercell.num_atoms(), in.primitive.p2s_map, read_fc3_values);
  }
  return in;
}

}  // namespace ph3mpi::driver
