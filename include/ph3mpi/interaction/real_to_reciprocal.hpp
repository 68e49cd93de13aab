// fc3 from real space to a q-point triplet (phono3py c/real_to_reciprocal.c):
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
// Same numbers as phono3py, computed as a lattice Fourier sum (derivation in the .cpp).
// Every shortest vector from atom a to an image of atom j is s = L + d_j - d_a with L a
// lattice vector and d_p the vector from atom 0 to atom p (phono3py's pre-phase
// vector), and q2 = G - q0 - q1 with G a reciprocal lattice vector, so that
//
//   Phi_t(ijk, lmn) = c e^{2 pi i G.d_k} e^{2 pi i q1.(d_j - d_k)} sum_L e^{2 pi i q1.L} W_ijk(L)[lmn]
//
// (c = 1/3 with the r0 average, else 1). W holds all three legs together and depends on
// q0 only: prepare_q0 builds it once per grid point. For a batch of triplets of that
// grid point the sum over L is, per atom block ijk, one complex matrix product
// (triplets x lattice vectors) x (lattice vectors x 27), ZGEMM-shaped (computed by a
// kernel of our own that keeps every triplet's bits independent of the batch; see the
// .cpp). The lattice vectors of a block are the distinct L of its atom pairs: fewer than
// the pairs (J, K) of the direct double sum when the supercell holds many cells.
//
// Since e^{2 pi i q1.L} = prod_l e^{2 pi i a_l c_l / D_l} (c = Q^T L, a the BZ address of
// q1), a grid point with many triplets instead sums over L axis by axis (separable form,
// see Q0Sums): c_0 and c_1 once for the (a_0, a_1) pairs of its triplets, c_2 per triplet.
//
// Batches: batch_size() triplets go through one product; a tuning parameter (constructor
// argument, 0 = automatic). A triplet's numbers do not depend on the batch it was
// computed in, nor on the number of threads.
//
// Tables. What the constructor derives from fc3 (the nonzero fc3 blocks, padded and
// grouped by anchor atom, their index, the row of W of every term, the rows, lines and
// groups of the lattice-vector sums) is of the size of the nonzero fc3 and read-only once
// built. It lives in one block of memory, which the object need not own, so that the
// processes of a node can share one copy (the driver puts it in an MPI-3 shared window):
//   sizes = RealToReciprocal::table_sizes(fc3, atoms, &bz_grid);  // any process
//   storage of sizes.bytes() bytes (8-byte aligned)
//   RealToReciprocal::build_tables(fc3, atoms, bz_grid, sizes, storage);  // one process
//   RealToReciprocal r2r(tables, atoms, bz_grid);  // every process, over the same bytes
// The storage is self-describing (sizes, the grid's D_diag and Q, make_r0_average in a
// header); objects built over equal tables give identical bits. The constructors that take
// fc3 build private tables the same way.
#pragma once

#include <array>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "ph3mpi/common/ndarray.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/triplets.hpp"

namespace ph3mpi::interaction {

namespace detail {
// A nonzero fc3 block (anchor, u, v) of RealToReciprocal: supercell atoms u, v in the
// order grouped by primitive atom; shortest: all_shortest (legs 2 and 3 skip it).
// A std::allocator whose value-initialization leaves doubles uninitialized: the large
// per-grid-point arrays are written in parallel right after allocation, so zeroing them
// first would be a serial pass over memory.
template <typename T>
struct UninitializedAllocator : std::allocator<T> {
  template <typename U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <typename U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <typename U, typename... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using UninitializedDoubles = std::vector<double, UninitializedAllocator<double>>;

// Spare per-grid-point buffers of a RealToReciprocal, reused from one grid point to the
// next: glibc serves a fresh multi-megabyte allocation with a new mapping whose pages
// fault on first touch, which (measured, in a VM) costs more than the sums written
// into them. Thread-safe.
class BufferPool {
 public:
  UninitializedDoubles take(std::size_t size);
  void give(UninitializedDoubles&& buffer);

 private:
  std::mutex mutex_;
  std::vector<UninitializedDoubles> spare_;
};

// A buffer of doubles that goes back to its pool when destroyed. Move-only.
class PooledBuffer {
 public:
  PooledBuffer() = default;
  PooledBuffer(std::shared_ptr<BufferPool> pool, std::size_t size)
      : values_(pool->take(size)), pool_(std::move(pool)) {}
  PooledBuffer(PooledBuffer&& other) noexcept = default;
  PooledBuffer& operator=(PooledBuffer&& other) noexcept {
    release();
    values_ = std::move(other.values_);
    pool_ = std::move(other.pool_);
    return *this;
  }
  PooledBuffer(const PooledBuffer&) = delete;
  PooledBuffer& operator=(const PooledBuffer&) = delete;
  ~PooledBuffer() { release(); }

  std::size_t size() const noexcept { return values_.size(); }
  bool empty() const noexcept { return values_.empty(); }
  double* data() noexcept { return values_.data(); }
  const double* data() const noexcept { return values_.data(); }
  double& operator[](std::size_t i) { return values_[i]; }
  const double& operator[](std::size_t i) const { return values_[i]; }

 private:
  void release() noexcept {
    if (pool_ && values_.capacity() > 0) pool_->give(std::move(values_));
    values_ = UninitializedDoubles();
    pool_.reset();
  }
  UninitializedDoubles values_;
  std::shared_ptr<BufferPool> pool_;
};

struct AtomPair {
  std::uint32_t u, v;
  bool shortest;
};

// A read-only array in memory owned elsewhere (RealToReciprocal's tables).
template <typename T>
class ConstSpan {
 public:
  ConstSpan() = default;
  ConstSpan(const T* data, std::size_t size) : data_(data), size_(size) {}
  const T* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }
  const T& back() const noexcept { return data_[size_ - 1]; }
  const T* begin() const noexcept { return data_; }
  const T* end() const noexcept { return data_ + size_; }

 private:
  const T* data_ = nullptr;
  std::size_t size_ = 0;
};
}  // namespace detail

// fc3 as RealToReciprocal reads it, wherever it lives: values (num_rows, num_satom,
// num_satom, 3, 3, 3) eV/Angstrom^3, compact (num_rows = n_patom, row p is supercell atom
// p2s_map[p]) or full (num_rows = num_satom); nonzero_indices nullptr or (num_rows,
// num_satom, num_satom) bytes, 0 = block known to be zero (phono3py skips it; so do we).
struct Fc3View {
  const double* values = nullptr;
  std::size_t num_rows = 0;
  std::size_t num_satom = 0;
  const std::int8_t* nonzero_indices = nullptr;
};

class RealToReciprocal {
 public:
  // The lattice-vector sums W_ijk(L) at one q0 (eV/Angstrom^3): for each atom block ijk
  // its rows (lattice vectors) of 27 complex elements [l][m][n] (stored as 32 real
  // parts, then 32 imaginary parts).
  // With the triplets known (prepare_q0s) and many of them, the sum over L may instead be
  // done axis by axis (separable form): the sums over c_0 and c_1 (c = Q^T L) once per
  // grid point for the (a_0, a_1) address pairs of the triplets' q1, leaving per triplet
  // only the sum over c_2. Then w is empty and t2, pair01 hold the partial sums.
  struct Q0Sums {
    std::int64_t grid_point = -1;  // BZ index of q0
    detail::PooledBuffer w;
    detail::PooledBuffer t2;           // [pair (a_0, a_1)][group][re/im][32]
    std::vector<std::int32_t> pair01;  // [a_0 mod D_0][a_1 mod D_1] -> pair index, or -1
    bool separable() const noexcept { return !t2.empty(); }
  };

  // Per-thread scratch. Reuse it across calls to avoid reallocation.
  class Workspace {
   public:
    Workspace() = default;

   private:
    friend class RealToReciprocal;
    std::vector<std::complex<double>> axis_phases;  // per axis l, e^{2 pi i a_l c / D_l} over the c range
    std::vector<std::complex<double>> phases;       // [batch][lattice vector] e^{2 pi i q1.L}
    std::vector<double> gathered;                   // [batch][re/im][row] phases of one block's rows
    std::vector<double> products;                   // [block][batch][re/im][32] matrix products
    std::vector<std::complex<double>> factors;  // [batch][j][k] c e^{2 pi i G.d_k} e^{2 pi i q1.(d_j-d_k)}
  };

  // Counts of the arrays of the tables (see the overview above).
  struct TableSizes {
    std::size_t n_patom = 0, n_satom = 0;
    bool make_r0_average = true;
    std::size_t pairs = 0;            // nonzero fc3 blocks (anchor, two supercell atoms)
    std::size_t terms = 0;            // terms summed into W by prepare_q0
    std::size_t rows = 0;             // rows of W, all blocks
    std::size_t lines = 0;            // lines and groups of the separable form: upper
    std::size_t groups = 0;           // bounds (= rows) when sized without a BZ grid
    std::size_t lattice_vectors = 0;  // distinct lattice vectors L
    bool exact = false;               // sized with the BZ grid: build_tables takes them
    std::size_t bytes() const;        // of the storage (an upper bound unless exact)
  };

  // Sizes of the tables for fc3, atoms and (for the exact sizes build_tables needs; nullptr
  // gives upper bounds for memory estimates) the grid. Costs a pass over the terms (about
  // half of build_tables). Throws ph3mpi::Error when the shapes do not match atoms.
  static TableSizes table_sizes(const Fc3View& fc3, const AtomTriplets& atoms, const grid::BZGrid* bz_grid,
                                bool make_r0_average = true);
  // Builds the tables into `storage` (sizes.bytes() bytes, 8-byte aligned; every byte is
  // written): sizes must be table_sizes(fc3, atoms, &bz_grid, make_r0_average) (throws
  // ph3mpi::Error otherwise). Runs on the calling thread.
  static void build_tables(const Fc3View& fc3, const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                           const TableSizes& sizes, void* storage, bool make_r0_average = true);

  // Over tables built by build_tables (held, never written: `tables` may alias memory
  // the caller keeps alive through the shared_ptr's owner, e.g. a node-shared window),
  // `bytes` long, for the same atoms and grid (checked: throws ph3mpi::Error).
  // bz_grid: D_diag, Q and the BZ addresses (copied) that grid-point indices refer to.
  // batch_size: triplets per matrix product, 0 = automatic (see batch_size()).
  RealToReciprocal(std::shared_ptr<const void> tables, std::size_t bytes, const AtomTriplets& atoms,
                   const grid::BZGrid& bz_grid, std::size_t batch_size = 0);
  // With private tables built from fc3 (see Fc3View).
  RealToReciprocal(const Fc3View& fc3, const AtomTriplets& atoms, const grid::BZGrid& bz_grid,
                   bool make_r0_average = true, std::size_t batch_size = 0);
  // fc3: (n_rows, N, N, 3, 3, 3) as Fc3View::values; fc3_nonzero_indices as
  // Fc3View::nonzero_indices. Throws ph3mpi::Error when the shapes do not match atoms.
  RealToReciprocal(const NdArray<double>& fc3, const std::int8_t* fc3_nonzero_indices,
                   const AtomTriplets& atoms, const grid::BZGrid& bz_grid, bool make_r0_average = true,
                   std::size_t batch_size = 0);

  // The tables this object reads (build_tables' bytes), e.g. to compare two copies.
  const void* table_data() const noexcept { return tables_.get(); }
  std::size_t table_bytes() const noexcept { return table_bytes_; }

  std::size_t num_patom() const noexcept { return n_patom_; }
  std::size_t num_band() const noexcept { return 3 * n_patom_; }
  bool make_r0_average() const noexcept { return make_r0_average_; }
  // Triplets per matrix product (callers batch their triplets by it).
  std::size_t batch_size() const noexcept { return batch_size_; }
  // The automatic batch_size for num_band bands (constructor argument 0).
  static std::size_t automatic_batch_size(std::size_t num_band);

  // Memory of the work beyond the tables (for memory estimates), bytes: per grid point in
  // flight, W (its rows of 32 complex) and the largest separable partial sums (pairs x
  // groups rows, at most kMaxSeparableBytes: above it the direct form is used), given the
  // number of (a_0, a_1) pairs (at most D_0 D_1); per thread, the batched products.
  static constexpr std::size_t kMaxSeparableBytes = std::size_t{256} << 20;
  static std::size_t lattice_sums_bytes(const TableSizes& sizes);
  static std::size_t separable_sums_bytes(const TableSizes& sizes, std::size_t num_pairs);
  static std::size_t products_bytes_per_thread(std::size_t num_band, std::size_t batch_size);
  // Distinct lattice vectors L over all blocks, and rows of W summed over the blocks
  // (the inner dimensions of the products): a triplet costs 8 * 27 * num_rows() flops.
  std::size_t num_lattice_vectors() const noexcept { return lattice_c_.size(); }
  std::size_t num_rows() const noexcept { return block_start_.back(); }
  // Terms (fc3 block times phase) summed into W by prepare_q0.
  std::size_t num_terms() const noexcept { return term_row_.size(); }
  // Lines (rows with equal c_1, c_2) and groups (equal c_2) of the separable form.
  std::size_t num_lines() const noexcept { return line_c1_.size(); }
  std::size_t num_groups() const noexcept { return group_c2_.size(); }

  // The direct form (any triplet of this q0 can then be run).
  Q0Sums prepare_q0(std::int64_t grid_point) const;
  // One Q0Sums per distinct triplets[t][0], in order of appearance (phono3py's triplets
  // of a grid point on the BZ surface may start at several BZ images of it), each in the
  // form with fewer operations for these triplets (separable when it costs less than
  // half, and its partial sums fit in 256 MB). run() then accepts only these triplets
  // (or any subset of them).
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
  // atom p and supercell atom J, [p][J] (supercell order). For tests.
  std::vector<std::complex<double>> phase_factors(std::int64_t grid_point) const;

 private:
  RealToReciprocal(std::pair<std::shared_ptr<const void>, std::size_t> tables, const AtomTriplets& atoms,
                   const grid::BZGrid& bz_grid, std::size_t batch_size);
  // e^{2 pi i q.s} for every shortest vector s at BZ grid point gp.
  std::vector<std::complex<double>> svec_phases(std::int64_t grid_point) const;
  std::complex<double> pre_phase(std::size_t a, const Triplet& triplet) const;
  // Index of (a_0 mod D_0, a_1 mod D_1) of the triplet's q1 in Q0Sums::pair01.
  std::size_t pair01_key(const Triplet& triplet) const;
  // The separable partial sums of q0 for the given (a_0, a_1) pairs (see Q0Sums).
  void make_separable(Q0Sums& q0, const std::vector<std::size_t>& keys) const;
  void run_same_q0(const Q0Sums& q0, const Triplet* triplets, std::size_t nt, std::complex<double>* out,
                   Workspace& ws, bool parallel_inside) const;

  std::size_t n_patom_ = 0, n_satom_ = 0, n_cell_ = 0, batch_size_ = 1;
  bool make_r0_average_ = true;
  // Per object (small): shortest vectors from primitive atom a to supercell atom
  // sorted_atoms_[u] (supercell atoms grouped by primitive atom): [a][u] -> {count, first}.
  std::vector<std::size_t> sorted_atoms_;
  std::vector<std::array<std::int64_t, 2>> multi_sorted_;
  std::vector<double> inv_multi_;  // [a][u] 1 / count
  std::vector<Eigen::Vector3d> svecs_;
  std::vector<std::array<double, 3>> svec_y_;  // (Q^T s)_l / D_l: q.s = sum_l a_l y_l
  std::vector<Eigen::Vector3d> pre_svecs_;     // d_a: shortest vector from atom 0 to atom a

  // The tables (views into tables_, see build_tables):
  std::shared_ptr<const void> tables_;
  std::size_t table_bytes_ = 0;
  // Nonzero fc3 blocks (a, u, v) by anchor a: pairs_[pair_start_[a] .. pair_start_[a+1]),
  // their fc3 elements fc3_[pair][kStride]; legs 2 and 3 skip the all_shortest ones.
  detail::ConstSpan<std::size_t> pair_start_;
  detail::ConstSpan<detail::AtomPair> pairs_;
  detail::ConstSpan<double> fc3_;
  detail::ConstSpan<std::size_t> pair_index_;  // [(a n_s + u) n_p + t]: first pair (a, u, v of type t)
  // Row (within its block) of every term of W, block after block in prepare_q0's order;
  // block b's terms start at block_term_start_[b].
  detail::ConstSpan<std::uint32_t> term_row_;
  detail::ConstSpan<std::size_t> block_term_start_;
  // Block b = (i n_p + j) n_p + k has rows block_start_[b] .. block_start_[b+1], whose
  // lattice vectors are row_lattice_[row] (indices into lattice_c_).
  detail::ConstSpan<std::size_t> block_start_;
  detail::ConstSpan<std::uint32_t> row_lattice_;
  // Rows are ordered by c = Q^T L (c2, c1, c0). Lines: runs of rows with equal (c1, c2),
  // rows line_row_start_[x] .. [x + 1], c1 offset line_c1_[x]; groups: runs of lines with
  // equal c2, lines group_line_start_[g] .. [g + 1], c2 offset group_c2_[g]. Block b owns
  // lines block_line_start_[b] .. and groups block_group_start_[b] ..
  detail::ConstSpan<std::size_t> line_row_start_, group_line_start_, block_line_start_, block_group_start_;
  detail::ConstSpan<std::uint32_t> line_c1_, group_c2_;
  std::size_t max_block_rows_ = 0;
  // Q^T L - c_min_ of every distinct lattice vector L: q1.L = sum_l a_l (Q^T L)_l / D_l.
  detail::ConstSpan<std::array<std::uint32_t, 3>> lattice_c_;
  std::array<std::int64_t, 3> c_min_{};
  std::array<std::size_t, 3> c_len_{};

  // Per object (small): e^{2 pi i n / D_l}, n = 0 .. D_l - 1, per axis l.
  std::array<std::vector<std::complex<double>>, 3> roots_;
  // (Q^T (d_j - d_k))_l / D_l per (j, k): q1.(d_j - d_k) = sum_l a_l y_l.
  std::vector<std::array<double, 3>> offset_y_;
  std::vector<grid::Vector3l> addresses_;
  std::shared_ptr<detail::BufferPool> pool_ = std::make_shared<detail::BufferPool>();
  grid::Vector3l D_diag_;
  grid::Matrix3l Q_;
};

}  // namespace ph3mpi::interaction
