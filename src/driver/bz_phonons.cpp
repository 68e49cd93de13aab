#include "ph3mpi/driver/bz_phonons.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/io/phonon_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/phonon/phonon_solver.hpp"

namespace ph3mpi::driver {

namespace {

// Bytes of eigenvectors read per piece: bounded, so that reading a large file never holds
// a second copy of the node's array.
constexpr std::size_t kReadPieceBytes = std::size_t{32} << 20;

// A phonon file made from the same fc2 agrees with our own solution to rounding
// (~1e-12 THz); a file of other force constants or another crystal does not.
constexpr double kFrequencyCheckAbsolute = 1e-5;  // THz
constexpr double kFrequencyCheckRelative = 1e-7;

std::string address_text(const grid::Vector3l& a) {
  return "(" + std::to_string(a(0)) + ", " + std::to_string(a(1)) + ", " + std::to_string(a(2)) + ")";
}

}  // namespace

BZPhonons::BZPhonons(const parallel::Context& context, const Inputs& inputs, const grid::BZGrid& bz_grid,
                     const phonon::DynamicalMatrix& dm)
    : num_band_(dm.num_band()),
      num_points_(static_cast<std::size_t>(bz_grid.num_bz_points())),
      source_file_(inputs.settings.read_phonon),
      eigenvectors_(context, num_points_ * num_band_ * num_band_ * sizeof(std::complex<double>)),
      shared_frequencies_(context, num_points_ * num_band_ * sizeof(double)),
      frequencies_({num_points_, num_band_}) {
  if (source_file_) {
    read(context, *source_file_, bz_grid);
  } else {
    solve(dm, bz_grid);
  }
  shared_frequencies_.node_barrier();
  eigenvectors_.node_barrier();
  const auto* shared = static_cast<const double*>(shared_frequencies_.data());
  std::copy(shared, shared + num_points_ * num_band_, frequencies_.data.begin());
  if (source_file_) check_against_solution(context, dm, bz_grid);

  degenerate_first_.assign(num_points_ * num_band_, 0);
  for (std::size_t gp = 0; gp < num_points_; ++gp) {
    const auto sets = phonon::degenerate_sets(frequencies_.ptr() + gp * num_band_, num_band_);
    for (const auto& set : sets) {
      for (const std::size_t band : set) {
        degenerate_first_[gp * num_band_ + band] = static_cast<std::int32_t>(set.front());
      }
    }
  }
}

void BZPhonons::solve(const phonon::DynamicalMatrix& dm, const grid::BZGrid& bz_grid) {
  std::vector<std::int64_t> all(num_points_);
  std::iota(all.begin(), all.end(), std::int64_t{0});
  const std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(bz_grid, all);
  const parallel::RowRange mine =
      parallel::node_row_range(num_points_, eigenvectors_.node_rank(), eigenvectors_.node_size());
  phonon::solve_phonons(dm, qpoints, mine.begin, mine.end, static_cast<double*>(shared_frequencies_.data()),
                        static_cast<std::complex<double>*>(eigenvectors_.data()));
}

void BZPhonons::read(const parallel::Context& context, const std::filesystem::path& path,
                     const grid::BZGrid& bz_grid) {
  auto* frequencies = static_cast<double*>(shared_frequencies_.data());
  auto* eigenvectors = static_cast<std::complex<double>*>(eigenvectors_.data());
  const std::size_t nb = num_band_;
  // A collective phase: a bad file (or a bad row on one rank) ends every rank with one
  // message and no rank waits in the node barrier that follows.
  parallel::collective_check(context, [&] {
    const io::PhononFileReader reader(path.string());
    const std::vector<std::int64_t> bz_index =
        io::match_phonon_file_rows(path.string(), reader.header(), bz_grid, nb);
    const parallel::RowRange mine =
        parallel::node_row_range(reader.num_rows(), eigenvectors_.node_rank(), eigenvectors_.node_size());
    const std::size_t piece =
        std::max<std::size_t>(1, kReadPieceBytes / (nb * nb * sizeof(std::complex<double>)));
    NdArray<double> f;
    NdArray<std::complex<double>> e;
    for (std::size_t first = mine.begin; first < mine.end; first += piece) {
      const std::size_t count = std::min(piece, mine.end - first);
      reader.read_rows(first, count, f, e);
      for (std::size_t r = 0; r < count; ++r) {
        const auto gp = static_cast<std::size_t>(bz_index[first + r]);
        std::copy_n(f.data.begin() + static_cast<std::ptrdiff_t>(r * nb), nb, frequencies + gp * nb);
        std::copy_n(e.data.begin() + static_cast<std::ptrdiff_t>(r * nb * nb), nb * nb,
                    eigenvectors + gp * nb * nb);
      }
    }
  });
}

void BZPhonons::check_against_solution(const parallel::Context& context, const phonon::DynamicalMatrix& dm,
                                       const grid::BZGrid& bz_grid) const {
  parallel::collective_check(context, [&] {
    const grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
    std::vector<std::int64_t> mine;
    for (std::size_t i = static_cast<std::size_t>(context.rank()); i < ir.ir_grid_points_bz.size();
         i += static_cast<std::size_t>(context.size())) {
      mine.push_back(ir.ir_grid_points_bz[i]);
    }
    if (mine.empty()) return;
    const phonon::Phonons own = phonon::solve_phonons(dm, grid::qpoints_of_bz_points(bz_grid, mine));
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const auto gp = static_cast<std::size_t>(mine[i]);
      for (std::size_t b = 0; b < num_band_; ++b) {
        const double read = frequencies_.data[gp * num_band_ + b];
        const double solved = own.frequencies.data[i * num_band_ + b];
        if (std::abs(read - solved) > kFrequencyCheckAbsolute + kFrequencyCheckRelative * std::abs(solved)) {
          std::ostringstream s;
          s.precision(10);
          s << "frequency of band " << b << " at grid point " << gp << " (address "
            << address_text(bz_grid.addresses[gp]) << ") is " << read << " THz in the file but " << solved
            << " THz from this run's fc2: the phonons belong to other force constants or another crystal";
          throw InputError(source_file_->string(), s.str());
        }
      }
    }
  });
}

interaction::PhononView BZPhonons::view() const {
  interaction::PhononView v;
  v.frequencies = frequencies_.ptr();
  v.eigenvectors = static_cast<const std::complex<double>*>(eigenvectors_.data());
  v.degenerate_first = degenerate_first_.data();
  v.num_grid_points = num_points_;
  v.num_band = num_band_;
  return v;
}

std::string BZPhonons::describe() const {
  if (source_file_) return "read from " + source_file_->string();
  return "solved on " + std::to_string(num_points_) + " BZ grid points";
}

std::string BZPhonons::write(const parallel::Context& context, const std::filesystem::path& output_dir,
                             const grid::BZGrid& bz_grid, const NdArray<double>* group_velocity) const {
  std::string path;
  parallel::collective_check(context, [&] {
    if (!context.is_root()) return;
    const grid::IrGridPoints ir = grid::get_ir_grid_points(bz_grid);
    io::PhononFileContent content;
    content.mesh = mesh_numbers(bz_grid);
    content.bz_grid = &bz_grid;
    content.num_band = num_band_;
    content.frequency = frequencies_.ptr();
    content.eigenvector = static_cast<const std::complex<double>*>(eigenvectors_.data());
    content.group_velocity = group_velocity;
    content.ir_grid_points = ir.ir_grid_points_bz;
    content.ir_grid_weights = ir.ir_weights;
    path = io::write_phonon_file(output_dir.string(), content);
  });
  context.broadcast(path);
  return path;
}

}  // namespace ph3mpi::driver
