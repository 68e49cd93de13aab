// `ph3mpi --dry-run`: a readable account of what a run with this config would do.
#include <omp.h>

#include <algorithm>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <thread>

#include "ph3mpi/driver/driver.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/preflight.hpp"
#include "ph3mpi/driver/scattering_plan.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"

namespace ph3mpi::driver {
namespace {

std::string matrix_text(const Eigen::Matrix3i& m) {
  std::ostringstream s;
  s << "[";
  for (int i = 0; i < 3; ++i) {
    s << (i ? ", [" : "[") << m(i, 0) << ", " << m(i, 1) << ", " << m(i, 2) << "]";
  }
  s << "]";
  return s.str();
}

std::string matrix_text(const Eigen::Matrix3d& m) {
  std::ostringstream s;
  s << std::setprecision(10) << "[";
  for (int i = 0; i < 3; ++i) {
    s << (i ? ", [" : "[") << m(i, 0) << ", " << m(i, 1) << ", " << m(i, 2) << "]";
  }
  s << "]";
  return s.str();
}

void print_cell(std::ostream& out, const std::string& title, const crystal::Cell& cell, bool list_atoms) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(6);
  s << title << ": " << cell.num_atoms() << " atoms, volume " << cell.volume() << " Angstrom^3\n";
  const char* names[3] = {"a", "b", "c"};
  for (int i = 0; i < 3; ++i) {
    s << "    " << names[i] << " = [" << std::setw(14) << cell.lattice(i, 0) << std::setw(14)
      << cell.lattice(i, 1) << std::setw(14) << cell.lattice(i, 2) << " ]  Angstrom\n";
  }
  if (list_atoms) {
    for (std::size_t a = 0; a < cell.num_atoms(); ++a) {
      s << "    " << std::left << std::setw(3) << cell.symbols[a] << std::right << std::setw(12)
        << cell.positions[a].x() << std::setw(12) << cell.positions[a].y() << std::setw(12)
        << cell.positions[a].z() << "   mass " << cell.masses[a] << " AMU\n";
    }
  }
  out << s.str();
}

template <typename T>
std::string list_text(const std::vector<T>& values) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < values.size(); ++i) s << (i ? ", " : "") << values[i];
  s << "]";
  return s.str();
}

std::string fc_text(const io::ForceConstants& fc) {
  return fc.fc.shape_string() + (fc.is_compact ? " compact" : " full") +
         (fc.has_nonzero_indices ? ", with fc3_nonzero_indices" : "");
}

// The work plan of a conductivity run: triplets per irreducible grid point (the cost
// driver), memory per rank and a rank x thread split.
void print_plan(const Inputs& in, const grid::BZGrid& bz_grid, const grid::IrGridPoints& ir,
                std::ostream& out, int cores, const parallel::Context& context) {
  // The grid points the run computes: the irreducible ones, or all with is_kappa_star = false.
  const std::vector<std::int64_t> points =
      make_scattering_plan(bz_grid, ir, in.num_bands(), in.settings.is_kappa_star).grid_points;
  std::vector<std::size_t> triplets;
  triplets.reserve(points.size());
  for (const std::int64_t gp : points) {
    triplets.push_back(interaction::get_triplets_at_q(gp, bz_grid).triplets.size());
  }
  std::vector<std::size_t> sorted = triplets;
  std::sort(sorted.begin(), sorted.end());
  std::size_t total = 0;
  for (const std::size_t t : triplets) total += t;
  const std::size_t nb = in.num_bands();
  out << "plan:            " << points.size()
      << (in.settings.is_kappa_star ? " irreducible grid points" : " grid points (is_kappa_star = false)")
      << "; triplets per grid point "
      << "min " << sorted.front() << ", median " << sorted[sorted.size() / 2] << ", max " << sorted.back()
      << "; " << total << " triplets x " << nb << "^3 band triplets in all\n";
  const MemoryEstimate memory = estimate_scattering_memory(in, bz_grid);
  if (cores <= 0) cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  const std::uint64_t limit = in.settings.memory_per_rank.value_or(0);
  const RankThreadSplit split = suggest_rank_thread_split(cores, points.size(), memory, limit);
  out << "memory:          force constants " << format_bytes(memory.force_constants)
      << " per rank, eigenvectors " << format_bytes(memory.eigenvectors_per_node)
      << " per node (shared), about " << format_bytes(memory.per_rank(split.ranks, split.threads))
      << " per rank with the split below\n"
      << "suggested split: " << split.ranks << " ranks x " << split.threads << " threads per " << cores
      << "-core node (" << split.reason << "); run with OMP_NUM_THREADS=" << split.threads << "\n";
  if (in.settings.mode == config::Mode::kLbte) {
    // The collision matrix: (3 N_ir nb)^2 irreducible, (N nb)^2 reducible, spread over a
    // near-square BLACS grid; per rank: its block, the eigenvectors' block and the solver work.
    const std::int64_t n = static_cast<std::int64_t>(
        in.settings.reducible_collision_matrix ? static_cast<std::size_t>(bz_grid.num_gr_points()) * nb
                                               : points.size() * 3 * nb);
    const auto solver =
        parallel::eigen_solver_from_name(std::string(config::to_string(in.settings.pinv_solver)));
    const int block = static_cast<int>(in.settings.blacs_block_size);
    out << "collision matrix: " << n << " x " << n << " = "
        << format_bytes(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 8)
        << " per temperature\n";
    for (const int ranks : {context.size(), split.ranks}) {
      const parallel::GridShape shape = parallel::near_square_grid_shape(ranks);
      const parallel::EigenMemoryEstimate e =
          parallel::estimate_eigen_memory(n, block, shape, solver, ranks == 1);
      out << "  on " << ranks << " ranks: BLACS grid " << shape.nprow << " x " << shape.npcol
          << ", block size " << block << ", matrix + eigenvectors + " << parallel::eigen_solver_name(solver)
          << " workspace " << format_bytes(static_cast<std::uint64_t>(e.total_bytes())) << " per rank\n";
      if (ranks == split.ranks) break;
    }
  }
}

}  // namespace

void print_dry_run(const Inputs& in, const parallel::Context& context, std::ostream& out, int cores,
                   const RunSizeCheck* size) {
  const config::Settings& s = in.settings;
  const bool implemented = find_mode_runner(s.mode) != nullptr;
  out << "ph3mpi dry run (nothing is computed or written)\n"
      << "config:          " << s.config_file.string() << "\n"
      << "mode:            " << config::to_string(s.mode)
      << (implemented ? "" : "  (not implemented in this version: a real run stops here)") << "\n"
      << "phono3py.yaml:   " << s.phono3py_yaml.string() << "\n";
  print_cell(out, "unit cell", in.yaml.unitcell, true);
  out << "primitive_matrix " << matrix_text(in.yaml.primitive_matrix) << "\n";
  print_cell(out, "primitive cell", in.primitive, true);
  out << "space group:     " << in.primitive_symmetry.international << " ("
      << in.primitive_symmetry.spacegroup_number << "), " << in.primitive_symmetry.rotations.size()
      << " operations, symprec " << in.symprec << (s.is_symmetry ? "" : " (is_symmetry = false)") << "\n"
      << "supercell (fc3): " << matrix_text(in.supercell.supercell_matrix) << ", " << in.supercell.num_atoms()
      << " atoms\n"
      << "phonon supercell (fc2): " << matrix_text(in.phonon_supercell.supercell_matrix) << ", "
      << in.phonon_supercell.num_atoms() << " atoms"
      << (in.yaml.has_phonon_supercell_matrix ? "" : " (same as the fc3 supercell)") << "\n"
      << "bands:           " << in.num_bands() << "\n"
      << "fc2:             " << s.fc2.string() << " " << fc_text(in.fc2) << "\n";
  if (in.fc3) {
    out << "fc3:             " << s.fc3.string() << " " << fc_text(*in.fc3) << "\n";
  } else {
    out << "fc3:             not needed by mode " << config::to_string(s.mode) << "\n";
  }
  out << "NAC:             ";
  switch (in.nac_source) {
    case NacSource::kNone:
      out << "off";
      break;
    case NacSource::kPhono3pyYaml:
      out << in.nac->method << ", parameters from phono3py.yaml";
      break;
    case NacSource::kBornFile:
      out << in.nac->method << ", parameters from " << s.born->string();
      break;
  }
  out << "\n";
  if (s.mesh) {
    out << "mesh:            ";
    if (s.mesh->numbers) {
      out << list_text(std::vector<std::int64_t>(s.mesh->numbers->begin(), s.mesh->numbers->end()));
    } else {
      out << "length " << *s.mesh->length << " Angstrom";
    }
    out << (s.use_grg ? " (generalized regular grid)" : "") << "\n";
    if (size != nullptr && size->model)
      print_memory_model(out, *size->model, size->budget, size->ranks_on_node);
  }
  if (s.mesh && size != nullptr && !size->grid_fits) {
    out << "BZ grid:         not built: even the grid does not fit the memory available (model above)\n";
  } else if (s.mesh) {
    // The grid is cheap to build next to what the run holds: show what the run would sample.
    const grid::BZGrid bz_grid = make_bz_grid(in);
    const grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
    out << "BZ grid:         D_diag " << bz_grid.D_diag(0) << "x" << bz_grid.D_diag(1) << "x"
        << bz_grid.D_diag(2) << (bz_grid.is_regular_mesh ? "" : " (GR grid)") << ", "
        << bz_grid.num_gr_points() << " grid points, " << bz_grid.num_bz_points() << " BZ grid points, "
        << ir.ir_grid_points.size() << " irreducible\n";
    if (s.mode == config::Mode::kRta || s.mode == config::Mode::kLbte)
      print_plan(in, bz_grid, ir, out, cores, context);
  }
  if (!s.grid_points.empty()) out << "grid_points:     " << list_text(s.grid_points) << "\n";
  out << "temperatures:    " << list_text(s.temperatures) << " K\n"
      << "integration:     " << (s.tetrahedron ? "tetrahedron" : "")
      << (s.tetrahedron && !s.sigmas.empty() ? ", " : "")
      << (s.sigmas.empty() ? "" : "sigmas " + list_text(s.sigmas) + " THz") << "\n"
      << "isotope:         " << (s.isotope ? "on" : "off") << "\n"
      << "output_dir:      " << s.output_dir.string() << "\n"
      << "ranks:           " << context.size() << " (" << context.backend_name()
      << "), OpenMP threads per rank " << omp_get_max_threads() << "\n";
}

}  // namespace ph3mpi::driver
