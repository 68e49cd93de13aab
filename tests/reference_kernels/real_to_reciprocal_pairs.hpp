// fc3 from real space to a q-point triplet, summed atom pair by atom pair: the kernel
// ph3mpi used before the lattice-vector form of real_to_reciprocal.hpp. Kept (test and
// bench code only, library ph3mpi_reference_kernels) as
// the independent reference that RealToReciprocal is tested against (1e-12) and as the
// "before" column of bench/bench_interaction; the interaction itself no longer uses it.
//
// phono3py c/real_to_reciprocal.c:
//
//   Phi(i l, j m, k n; q0, q1, q2)
//     = e^{2 pi i (q0+q1+q2).r_i} sum_{J in j, K in k} P_{q1}(i, J) P_{q2}(i, K) Phi_{lmn}(i, J, K)
//
// where i, j, k are primitive atoms, J, K the supercell atoms that map onto j, k, and
// P_q(i, J) = <e^{2 pi i q.s}> averages over the shortest vectors s from i to J
// (multiplicities on the supercell's Wigner-Seitz boundary). With make_r0_average
// (phono3py's default, used for all reference data) the same sum is also taken with
// atom j and with atom k as the origin and the three are averaged; atom triples flagged
// all_shortest are counted once in the first leg with weight 3.
//
// Same numbers as phono3py, computed differently (see the .cpp for the derivation):
//  * the second and third legs have q0 (fixed for all triplets of a grid point) on one
//    of their two summed atoms, so that sum is done once per grid point (prepare_q0)
//    and leaves an O(N) sum per triplet; only the first leg is an O(N^2) sum per triplet;
//  * supercell atoms are regrouped by primitive atom so the sums run over contiguous
//    blocks of a pre-arranged fc3 copy, without phono3py's per-pair atom tests;
//    3x3x3 blocks that are exactly zero (fc3 with a cutoff) are dropped from it;
//  * triplets go through in small batches sharing each fc3 block while it is in cache;
//  * e^{2 pi i q.s} comes from a per-axis table of e^{2 pi i a_l (Q^T s)_l / D_l} over
//    the BZ addresses a, instead of sin/cos per shortest vector and triplet.
// The result for one triplet does not depend on the batch it was computed in.
#pragma once

#include <complex>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

class RealToReciprocalPairs {
 public:
  // The partial sums of the second and third legs that depend only on q0.
  struct Q0Sums {
    std::int64_t grid_point = -1;  // BZ index of q0
    std::vector<double> h;         // leg 2: [a][t][K] blocks of 27 (padded to 32) re, then 32 im
    std::vector<double> c;         // leg 3: [a][t][J] blocks, same layout
  };

  // Per-thread scratch. Reuse it across calls to avoid reallocation.
  class Workspace {
   public:
    Workspace() = default;

   private:
    friend class RealToReciprocalPairs;
    std::vector<double> p1, p2;     // [batch][a][u] re, im of the phase sums at q1, q2
    std::vector<double> pre;        // [batch][a] complex
    std::vector<double> r1;         // [batch][a][j][k] complex blocks (32 re, 32 im)
    std::vector<double> r23;        // legs 2 and 3 of one triplet, same blocks
    std::vector<const Q0Sums*> q0;  // [batch]
  };

  // fc3: (n_rows, N, N, 3, 3, 3) eV/Angstrom^3, compact (n_rows = n_patom, row p is
  // supercell atom p2s_map[p]) or full (n_rows = N). fc3_nonzero_indices: nullptr or
  // (n_rows, N, N) bytes, 0 = block known to be zero (phono3py skips it; so do we).
  // bz_grid: D_diag, Q and the BZ addresses (copied) that grid-point indices refer to.
  // Throws ph3mpi::Error when the shapes do not match atoms.
  RealToReciprocalPairs(const NdArray<double>& fc3, const std::int8_t* fc3_nonzero_indices,
                        const AtomTriplets& atoms, const grid::BZGrid& bz_grid, bool make_r0_average = true);

  std::size_t num_patom() const noexcept { return n_patom_; }
  std::size_t num_band() const noexcept { return 3 * n_patom_; }
  bool make_r0_average() const noexcept { return make_r0_average_; }
  // Triplets per batch that share fc3 blocks in cache (depends on num_band only).
  std::size_t batch_size() const noexcept { return batch_size_; }

  Q0Sums prepare_q0(std::int64_t grid_point) const;
  // One Q0Sums per distinct triplets[t][0], in order of appearance. phono3py's triplets
  // of a grid point on the BZ surface may start at several BZ images of it.
  std::vector<Q0Sums> prepare_q0s(const Triplet* triplets, std::size_t num_triplets) const;

  // fc3 at each triplets[t] (BZ indices; q0s must hold triplets[t][0]) into
  // fc3_reciprocal + t * num_band^3, band-first layout [(3i+l)][(3j+m)][(3k+n)] as
  // phono3py's r2r_real_to_reciprocal (eV/Angstrom^3, no mass factors).
  // parallel_inside: spread the work of these triplets over the OpenMP threads (for
  // grid points with fewer triplets than threads); call it from outside any parallel
  // region then. Same results either way.
  void run(const std::vector<Q0Sums>& q0s, const Triplet* triplets, std::size_t num_triplets,
           std::complex<double>* fc3_reciprocal, Workspace& workspace, bool parallel_inside = false) const;

  // e^{2 pi i q.r_p}-type phase sums P_q(p, J) at BZ grid point gp for every primitive
  // atom p and supercell atom J, [p][J] (supercell order, not regrouped). For tests.
  std::vector<std::complex<double>> phase_factors(std::int64_t grid_point) const;

 private:
  void phase_sums(std::int64_t grid_point, double* re, double* im) const;  // [a][u] regrouped order
  std::complex<double> pre_phase(std::size_t a, const Triplet& triplet) const;
  void assemble(const Q0Sums& q0, const double* p1, const double* p2, const double* pre, const double* r1,
                double* r23, std::complex<double>* out) const;

  std::size_t n_patom_ = 0, n_satom_ = 0, n_cell_ = 0, batch_size_ = 1;
  bool make_r0_average_ = true;
  std::vector<std::size_t> sorted_atoms_;  // u -> supercell atom, grouped by primitive atom
  // Leg-1 fc3 (times 3 where all_shortest): the rows (27 used of 32) of block (a, u, k)
  // that are not all zero are f1_[f1_start_[(a N + u) n_p + k] ...], for the atoms
  // v = k n_c + f1_index_[...] of primitive type k.
  std::vector<double> f1_;
  std::vector<std::uint32_t> f1_index_;
  std::vector<std::size_t> f1_start_;
  // Legs 2 and 3 fc3 (zero where all_shortest), [a][u][v][32], with a nonzero-row mask;
  // empty without r0 average.
  std::vector<double> f23_;
  std::vector<char> f23_nonzero_;
  // Nonzero rows of the q0 sums H (leg 2) and C (leg 3), per (a, t, block).
  struct RowList {
    std::vector<std::size_t> start;
    std::vector<std::uint32_t> index;
  };
  RowList h_rows_, c_rows_;
  // Shortest vectors from primitive atom a to supercell atom sorted_atoms_[u]: [a][u] -> svec range.
  std::vector<std::array<std::int64_t, 2>> multi_sorted_;
  std::vector<Eigen::Vector3d> svecs_;
  std::vector<Eigen::Vector3d> pre_svecs_;  // [a] svec used for the pre-phase (atom 0 -> atom a)
  // Phase table: for svec s and axis l, e^{2 pi i a (Q^T s)_l / D_l} for a in [amin_l, amax_l].
  std::array<std::int64_t, 3> amin_{}, alen_{};
  std::size_t table_stride_ = 0;  // alen_[0] + alen_[1] + alen_[2]
  std::vector<double> table_;     // [s][offset_l + a - amin_l] complex
  std::vector<grid::Vector3l> addresses_;
  grid::Vector3l D_diag_;
  grid::Matrix3l Q_;
};

}  // namespace ph3mpi::interaction
