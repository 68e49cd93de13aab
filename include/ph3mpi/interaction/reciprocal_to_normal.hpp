// fc3 at a q-triplet projected on the phonon modes (phono3py c/reciprocal_to_normal.c):
//
//   Phi(j0, j1, j2) = sum_{b0 b1 b2} Phi(b0, b1, b2) e0(b0, j0) e1(b1, j1) e2(b2, j2)
//                     / sqrt(m_b0 m_b1 m_b2)
//   out(j0, j1, j2) = |Phi(j0, j1, j2)|^2 / (f0(j0) f1(j1) f2(j2))
//
// (eigenvectors not conjugated: q0 + q1 + q2 = G). Elements with a frequency at or
// below cutoff_frequency are 0, as are those masked by g_zero (not computed).
// The three contractions run as products with the mass-scaled eigenvector matrices,
// one index at a time (j0, then j1, then j2): at most nb0 nb^3 complex multiply-adds
// each, instead of phono3py's per-element nb^2 + nb; the second and third only for the
// (j0, j1) blocks that hold an element to be written.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/interaction/phonon_view.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

class ReciprocalToNormal {
 public:
  class Workspace {
   public:
    Workspace() = default;

   private:
    friend class ReciprocalToNormal;
    std::vector<double> e0, e1, e2;  // scaled eigenvectors (see .cpp for layouts), complex
    std::vector<double> t1, t2;      // partial contractions, complex
    std::vector<char> need_row, need_pair;
  };

  // masses: primitive-cell masses (AMU); band_indices: the j0 to compute (each in
  // [0, 3 n_patom)). Throws ph3mpi::Error on an out-of-range band index.
  ReciprocalToNormal(const std::vector<double>& masses, std::vector<std::int64_t> band_indices,
                     double cutoff_frequency);

  std::size_t num_band() const noexcept { return num_band_; }
  const std::vector<std::int64_t>& band_indices() const noexcept { return band_indices_; }

  // fc3_reciprocal: [nb][nb][nb] (RealToReciprocal::run output) at `triplet`;
  // g_zero: nullptr or [nb0][nb][nb], nonzero = skip; out: [nb0][nb][nb], written
  // entirely, without unit conversion (phono3py's raw fc3_normal_squared).
  // parallel_inside: spread the j0 over the OpenMP threads (call from outside any
  // parallel region); same results either way.
  void run(const std::complex<double>* fc3_reciprocal, const PhononView& phonons, const Triplet& triplet,
           const std::int8_t* g_zero, double* out, Workspace& workspace, bool parallel_inside = false) const;

  // False when run would write only zeros (all elements masked or below the cutoff):
  // then the fc3 transform for this triplet can be skipped.
  bool any_needed(const PhononView& phonons, const Triplet& triplet, const std::int8_t* g_zero) const;

 private:
  std::size_t num_band_ = 0;
  std::vector<double> inv_sqrt_masses_;  // [nb]
  std::vector<std::int64_t> band_indices_;
  double cutoff_frequency_ = 0.0;
};

}  // namespace ph3mpi::interaction
