// Phonons on every BZ grid point for the scattering modes (rta, lbte): the triplets of
// any grid point reach any BZ point, so every rank needs them all. The eigenvectors
// (N_bz x nband^2 complex) live once per node in an MPI-3 shared window and the ranks of
// a node solve disjoint slices of the points into it (design brief section 3.3); each
// rank keeps its own small copy of the frequencies (the weight kernels take an NdArray).
#pragma once

#include <complex>
#include <cstddef>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/phonon/dynamical_matrix.hpp"

namespace ph3mpi::driver {

class SharedPhonons {
 public:
  // Collective over `context`. Every q-point is solved by exactly one rank of each node
  // with the same operations, so the numbers do not depend on the rank count.
  SharedPhonons(const parallel::Context& context, const phonon::DynamicalMatrix& dm,
                const grid::BZGrid& bz_grid);

  interaction::PhononView view() const;
  // (num_bz_points, num_band) THz, this rank's copy.
  const NdArray<double>& frequencies() const noexcept { return frequencies_; }
  std::size_t num_band() const noexcept { return num_band_; }
  // Bytes of the eigenvector array (held once per node).
  std::size_t eigenvector_bytes() const noexcept { return eigenvectors_.bytes(); }
  bool is_node_shared() const noexcept { return eigenvectors_.is_shared(); }
  int ranks_on_node() const noexcept { return eigenvectors_.node_size(); }

 private:
  std::size_t num_band_;
  std::size_t num_points_;
  parallel::NodeSharedBuffer eigenvectors_;  // (num_bz_points, nband, nband) complex
  parallel::NodeSharedBuffer shared_frequencies_;
  NdArray<double> frequencies_;
};

}  // namespace ph3mpi::driver
