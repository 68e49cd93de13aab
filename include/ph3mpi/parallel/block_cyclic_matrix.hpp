// A dense global m x n double matrix in ScaLAPACK's 2-D block-cyclic layout over a
// BlacsGrid: each rank stores only its local blocks, column-major with leading
// dimension local_rows() (exactly the local array ScaLAPACK's descriptor describes),
// so no rank ever holds the whole matrix. Square nb x nb blocks, first block on
// process (0, 0) (RSRC = CSRC = 0), as pdsyevd/pdsyevr require.
//
// Global indices are 0-based here (ScaLAPACK's are 1-based; the conversion happens
// only at the ScaLAPACK calls). Block-cyclic maps, for a block size nb over p
// process rows (the same for columns over q process columns):
//   owner row of global i      : (i / nb) mod p
//   local index of global i    : (i / (nb p)) nb + i mod nb
//   global index of local li   : ((li / nb) p + myrow) nb + li mod nb
//
// Every byte of local storage is counted in matrix_memory(), a process-wide
// (= per-rank) counter with its peak, so tests and the memory report can prove the
// per-rank footprint.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ph3mpi/parallel/blacs_grid.hpp"

namespace ph3mpi::parallel {

// Bytes currently held and the high-water mark, for one kind of allocation in this process.
class MemoryCounter {
 public:
  void add(std::int64_t bytes) noexcept;
  void remove(std::int64_t bytes) noexcept;
  std::int64_t current() const noexcept { return current_.load(); }
  std::int64_t peak() const noexcept { return peak_.load(); }
  // The peak restarts from the current value (e.g. before the phase a test measures).
  void reset_peak() noexcept { peak_.store(current_.load()); }

 private:
  std::atomic<std::int64_t> current_{0};
  std::atomic<std::int64_t> peak_{0};
};

// Local storage of every BlockCyclicMatrix alive in this process.
MemoryCounter& matrix_memory() noexcept;
// Work arrays of the collective operations (block_cyclic_ops.hpp): eigensolver
// workspace, the row index lists of the row placement.
MemoryCounter& workspace_memory() noexcept;

// Number of the n global rows (or columns) that process `iproc` of `nprocs` owns
// with block size nb, first block on process 0 (ScaLAPACK's NUMROC, 64-bit).
std::int64_t numroc(std::int64_t n, std::int64_t nb, int iproc, int nprocs) noexcept;

class BlockCyclicMatrix {
 public:
  // Default block size. 64 is the ScaLAPACK users' guide's usual choice for the
  // Level-3 kernels of the reduction to tridiagonal form; default_block_size()
  // lowers it for small matrices so that every process row and column still owns
  // about two blocks (load balance matters more than kernel speed there).
  static constexpr int kDefaultBlockSize = 64;
  // min(64, max(8, ceil(n / (2 max(nprow, npcol))))) for n = max(rows, cols).
  static int default_block_size(std::int64_t rows, std::int64_t cols, GridShape shape) noexcept;

  // A zero-filled rows x cols matrix with nb x nb blocks (block_size = 0: the
  // default_block_size). Local: no communication, but every rank of the grid must
  // create it with the same arguments before using it in a collective operation.
  // Throws ph3mpi::Error for negative sizes, block_size < 0, sizes beyond ScaLAPACK's
  // 32-bit INTEGER (global dimension > 2^31-1 or local array > 2^31-1 elements).
  BlockCyclicMatrix(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols, int block_size = 0);

  ~BlockCyclicMatrix();
  BlockCyclicMatrix(BlockCyclicMatrix&& other) noexcept;
  BlockCyclicMatrix& operator=(BlockCyclicMatrix&& other) noexcept;
  // No implicit copies: a copy costs a whole local block; ask for it with copy().
  BlockCyclicMatrix(const BlockCyclicMatrix&) = delete;
  BlockCyclicMatrix& operator=(const BlockCyclicMatrix&) = delete;
  // Same layout and values (local, no communication).
  BlockCyclicMatrix copy() const;

  const BlacsGrid& grid() const noexcept { return grid_; }
  std::int64_t rows() const noexcept { return rows_; }
  std::int64_t cols() const noexcept { return cols_; }
  int block_size() const noexcept { return nb_; }
  // Local array: local_rows() x local_cols(), column-major, leading dimension
  // local_leading_dim() = max(1, local_rows()).
  std::int64_t local_rows() const noexcept { return local_rows_; }
  std::int64_t local_cols() const noexcept { return local_cols_; }
  std::int64_t local_leading_dim() const noexcept { return lld_; }
  std::int64_t local_size() const noexcept { return local_rows_ * local_cols_; }
  std::int64_t local_bytes() const noexcept {
    return local_size() * static_cast<std::int64_t>(sizeof(double));
  }
  // rows() * cols() * 8: what one rank would need for the whole matrix.
  std::int64_t global_bytes() const noexcept {
    return rows_ * cols_ * static_cast<std::int64_t>(sizeof(double));
  }
  double* local_data() noexcept { return data_.get(); }
  const double* local_data() const noexcept { return data_.get(); }
  double& local(std::int64_t li, std::int64_t lj) noexcept { return data_[li + lj * lld_]; }
  double local(std::int64_t li, std::int64_t lj) const noexcept { return data_[li + lj * lld_]; }

  // ScaLAPACK array descriptor (DLEN = 9; from descinit on a BLACS grid, filled by
  // hand with context -1 on the serial grid where no ScaLAPACK routine sees it).
  const int* descriptor() const noexcept { return desc_; }

  // Global <-> local index maps (0-based) and ownership.
  int row_owner(std::int64_t i) const noexcept { return static_cast<int>((i / nb_) % grid_.nprow()); }
  int col_owner(std::int64_t j) const noexcept { return static_cast<int>((j / nb_) % grid_.npcol()); }
  // Rank (in the grid's Context) that stores element (i, j).
  int owner_rank(std::int64_t i, std::int64_t j) const { return grid_.rank_of(row_owner(i), col_owner(j)); }
  bool is_local(std::int64_t i, std::int64_t j) const noexcept {
    return row_owner(i) == grid_.myrow() && col_owner(j) == grid_.mycol();
  }
  // Local index of a global row/column of this rank's process row/column (the
  // result is meaningless for a row/column another process row/column owns).
  std::int64_t local_row(std::int64_t i) const noexcept {
    return (i / (std::int64_t{nb_} * grid_.nprow())) * nb_ + i % nb_;
  }
  std::int64_t local_col(std::int64_t j) const noexcept {
    return (j / (std::int64_t{nb_} * grid_.npcol())) * nb_ + j % nb_;
  }
  std::int64_t global_row(std::int64_t li) const noexcept {
    return ((li / nb_) * grid_.nprow() + grid_.myrow()) * nb_ + li % nb_;
  }
  std::int64_t global_col(std::int64_t lj) const noexcept {
    return ((lj / nb_) * grid_.npcol() + grid_.mycol()) * nb_ + lj % nb_;
  }

  // f(i, j, value&) for every local element, column by column (i, j global).
  template <typename F>
  void for_each_local(F&& f) {
    for (std::int64_t lj = 0; lj < local_cols_; ++lj) {
      const std::int64_t j = global_col(lj);
      for (std::int64_t li = 0; li < local_rows_; ++li) f(global_row(li), j, data_[li + lj * lld_]);
    }
  }
  template <typename F>
  void for_each_local(F&& f) const {
    for (std::int64_t lj = 0; lj < local_cols_; ++lj) {
      const std::int64_t j = global_col(lj);
      for (std::int64_t li = 0; li < local_rows_; ++li) f(global_row(li), j, data_[li + lj * lld_]);
    }
  }

  void fill(double value) noexcept;

 private:
  void release() noexcept;

  BlacsGrid grid_;
  std::int64_t rows_ = 0;
  std::int64_t cols_ = 0;
  int nb_ = 1;
  std::int64_t local_rows_ = 0;
  std::int64_t local_cols_ = 0;
  std::int64_t lld_ = 1;
  int desc_[9] = {};
  std::unique_ptr<double[]> data_;
  std::int64_t counted_bytes_ = 0;
};

}  // namespace ph3mpi::parallel
