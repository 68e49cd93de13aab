// Everything a run reads before it computes: settings, crystal, force constants and
// NAC parameters, validated against each other. load_inputs() is the driver's one
// "load and validate" phase: every rank calls it (inside parallel::collective_check),
// so every rank ends up with identical Inputs or every rank fails with one message.
#pragma once

#include <optional>
#include <string>

#include "ph3mpi/config/settings.hpp"
#include "ph3mpi/crystal/primitive.hpp"
#include "ph3mpi/crystal/supercell.hpp"
#include "ph3mpi/crystal/symmetry.hpp"
#include "ph3mpi/io/force_constants.hpp"
#include "ph3mpi/io/phono3py_yaml.hpp"
#include "ph3mpi/phonon/nac_params.hpp"

namespace ph3mpi::driver {

// Where the NAC parameters in Inputs::nac came from.
enum class NacSource { kNone, kPhono3pyYaml, kBornFile };

struct Inputs {
  config::Settings settings;
  io::Phono3pyYaml yaml;
  double symprec = 1e-5;  // settings.symprec, else the yaml's symmetry_tolerance, else 1e-5

  // fc3 side (phono3py's supercell / primitive) and fc2 side (phonon_supercell /
  // phonon_primitive; the same cells when the yaml has no phonon_supercell_matrix).
  crystal::Supercell supercell;
  crystal::Primitive primitive;
  crystal::Supercell phonon_supercell;
  crystal::Primitive phonon_primitive;
  crystal::Symmetry primitive_symmetry;  // space group of the primitive cell (settings.is_symmetry honoured)

  io::ForceConstants fc2;  // on phonon_supercell, rows phonon_primitive.p2s_map if compact
  // On supercell; read only by modes that need it. Without values (fc3->has_values false)
  // on the processes of a node that share the copy another one read (load_inputs).
  std::optional<io::ForceConstants> fc3;

  // NAC parameters in use: empty when nac is off (settings.nac = false, or no source).
  // method is settings.nac_method.
  std::optional<phonon::NacParams> nac;
  NacSource nac_source = NacSource::kNone;

  std::size_t num_bands() const { return 3 * primitive.num_atoms(); }
};

// Modes that need third-order force constants (phonons, jdos and isotope do not).
bool mode_needs_fc3(config::Mode mode);

// Reads config and inputs and checks them against each other. Every problem is an
// InputError / ConfigError naming the file (and key and line for the config).
// read_fc3_values = false: fc3 is validated but its arrays are not read (a node's ranks
// other than the one that builds the node-shared interaction tables, shared_interaction.hpp).
Inputs load_inputs(const std::string& config_path, bool read_fc3_values = true);

}  // namespace ph3mpi::driver
