// Phonons on every BZ grid point: the one harmonic step every mode starts from (the
// triplets of any grid point, and the tetrahedra around it, reach any BZ point).
//
// Two sources, one result:
//  - solved here (phono3py's run_phonon_solver): each rank of a node solves a disjoint
//    slice of the points into the node's copy;
//  - read from a phono3py phonon-m<mesh>.hdf5 (settings.read_phonon, phono3py's
//    --read-phonon), rows matched to BZ grid points by grid address. Within a degenerate
//    subspace LAPACK may return any orthonormal basis, and which one depends on the CPU
//    and BLAS kernels; with the tetrahedron method phono3py's per-band Gamma depends on
//    that basis (docs/validation.md). Reading the phonons a phono3py run used reproduces
//    that run on any machine.
// The eigenvectors (N_bz x nband^2 complex) live once per node in an MPI-3 shared window
// (design brief section 3.3); each rank keeps its own copy of the frequencies.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::driver {

class BZPhonons {
 public:
  // Collective over `context`. Solves D(q) of `dm` on every BZ grid point, or reads
  // inputs.settings.read_phonon (checked against this grid, the band count and, at the
  // irreducible grid points, the frequencies of `dm`; every problem ends every rank with
  // one message naming the file). The numbers do not depend on the rank count.
  BZPhonons(const parallel::Context& context, const Inputs& inputs, const grid::BZGrid& bz_grid,
            const phonon::DynamicalMatrix& dm);

  // Frequencies, eigenvectors and the degenerate band sets (phonopy's degenerate_sets,
  // 1e-4 THz) for the kernels.
  interaction::PhononView view() const;
  // (num_bz_points, num_band) THz, this rank's copy.
  const NdArray<double>& frequencies() const noexcept { return frequencies_; }
  std::size_t num_band() const noexcept { return num_band_; }
  std::size_t num_points() const noexcept { return num_points_; }
  // The file read, or nullopt when the phonons were solved here.
  const std::optional<std::filesystem::path>& source_file() const noexcept { return source_file_; }
  // "solved on N BZ grid points" or "read from <file>", for run logs.
  std::string describe() const;
  // Bytes of the eigenvector array (held once per node).
  std::size_t eigenvector_bytes() const noexcept { return eigenvectors_.bytes(); }
  bool is_node_shared() const noexcept { return eigenvectors_.is_shared(); }
  int ranks_on_node() const noexcept { return eigenvectors_.node_size(); }

  // Collective. Rank 0 writes <output_dir>/phonon-m<mesh>.hdf5 in phono3py's
  // --write-phonon format (with the irreducible grid points and weights; group
  // velocities only when given); every rank returns its path. Modes call it when
  // settings.write_phonon is set (mode "phonons" always).
  std::string write(const parallel::Context& context, const std::filesystem::path& output_dir,
                    const grid::BZGrid& bz_grid, const NdArray<double>* group_velocity = nullptr) const;

 private:
  void solve(const phonon::DynamicalMatrix& dm, const grid::BZGrid& bz_grid);
  void read(const parallel::Context& context, const std::filesystem::path& path, const grid::BZGrid& bz_grid);
  void check_against_solution(const parallel::Context& context, const phonon::DynamicalMatrix& dm,
                              const grid::BZGrid& bz_grid) const;

  std::size_t num_band_;
  std::size_t num_points_;
  std::optional<std::filesystem::path> source_file_;
  parallel::NodeSharedBuffer eigenvectors_;  // (num_bz_points, nband, nband) complex
  parallel::NodeSharedBuffer shared_frequencies_;
  NdArray<double> frequencies_;
  std::vector<std::int32_t> degenerate_first_;  // (num_bz_points, nband): first band of each band's set
};

}  // namespace ph3mpi::driver
