#include "ph3mpi/parallel/block_cyclic_matrix.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "scalapack_api.hpp"

namespace ph3mpi::parallel {

void MemoryCounter::add(std::int64_t bytes) noexcept {
  const std::int64_t now = current_.fetch_add(bytes) + bytes;
  std::int64_t seen = peak_.load();
  while (now > seen && !peak_.compare_exchange_weak(seen, now)) {
  }
}

void MemoryCounter::remove(std::int64_t bytes) noexcept { current_.fetch_sub(bytes); }

MemoryCounter& matrix_memory() noexcept {
  static MemoryCounter counter;
  return counter;
}

MemoryCounter& workspace_memory() noexcept {
  static MemoryCounter counter;
  return counter;
}

std::int64_t numroc(std::int64_t n, std::int64_t nb, int iproc, int nprocs) noexcept {
  // Whole blocks are dealt round-robin; the process after the last whole block's
  // owner gets the partial block.
  const std::int64_t nblocks = n / nb;
  std::int64_t count = (nblocks / nprocs) * nb;
  const std::int64_t extra = nblocks % nprocs;
  if (iproc < extra) {
    count += nb;
  } else if (iproc == extra) {
    count += n % nb;
  }
  return count;
}

int BlockCyclicMatrix::default_block_size(std::int64_t rows, std::int64_t cols, GridShape shape) noexcept {
  const std::int64_t n = std::max(rows, cols);
  const std::int64_t p = std::max(shape.nprow, shape.npcol);
  const std::int64_t two_blocks_each = (n + 2 * p - 1) / (2 * p);
  return static_cast<int>(
      std::min<std::int64_t>(kDefaultBlockSize, std::max<std::int64_t>(8, two_blocks_each)));
}

BlockCyclicMatrix::BlockCyclicMatrix(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                                     int block_size)
    : grid_(grid), rows_(rows), cols_(cols) {
  constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
  const std::string what = "block-cyclic matrix " + std::to_string(rows) + " x " + std::to_string(cols);
  if (rows < 0 || cols < 0) throw Error(what + ": negative dimension");
  if (rows > kIntMax || cols > kIntMax) {
    throw Error(what + ": a dimension exceeds ScaLAPACK's 32-bit INTEGER (2^31-1)");
  }
  if (block_size < 0) throw Error(what + ": negative block size " + std::to_string(block_size));
  nb_ = block_size == 0 ? default_block_size(rows, cols, grid.shape()) : block_size;
  local_rows_ = numroc(rows, nb_, grid.myrow(), grid.nprow());
  local_cols_ = numroc(cols, nb_, grid.mycol(), grid.npcol());
  lld_ = std::max<std::int64_t>(1, local_rows_);
  if (lld_ * std::max<std::int64_t>(1, local_cols_) > kIntMax) {
    // ScaLAPACK addresses the local array with a default (32-bit) INTEGER.
    throw Error(what + ": the local array of " + std::to_string(local_rows_) + " x " +
                std::to_string(local_cols_) + " elements on grid process (" + std::to_string(grid.myrow()) +
                ", " + std::to_string(grid.mycol()) +
                ") exceeds ScaLAPACK's 32-bit INTEGER indexing (2^31-1 elements); use more ranks");
  }

  if (grid.uses_scalapack()) {
    const int m = static_cast<int>(rows);
    const int n = static_cast<int>(cols);
    const int zero = 0;
    const int ictxt = grid.blacs_context();
    const int lld = static_cast<int>(lld_);
    int info = 0;
    descinit_(desc_, &m, &n, &nb_, &nb_, &zero, &zero, &ictxt, &lld, &info);
    if (info != 0) throw Error(what + ": descinit failed with info " + std::to_string(info));
  } else {
    // Same fields as descinit would set; no ScaLAPACK routine ever reads them.
    desc_[0] = 1;
    desc_[1] = -1;
    desc_[2] = static_cast<int>(rows);
    desc_[3] = static_cast<int>(cols);
    desc_[4] = nb_;
    desc_[5] = nb_;
    desc_[6] = 0;
    desc_[7] = 0;
    desc_[8] = static_cast<int>(lld_);
  }

  // At least one element so that the pointer handed to ScaLAPACK is valid even for
  // a process that owns nothing.
  const std::int64_t allocated = std::max<std::int64_t>(1, local_size());
  data_.reset(new double[static_cast<std::size_t>(allocated)]());
  counted_bytes_ = allocated * static_cast<std::int64_t>(sizeof(double));
  matrix_memory().add(counted_bytes_);
}

BlockCyclicMatrix::~BlockCyclicMatrix() { release(); }

void BlockCyclicMatrix::release() noexcept {
  if (counted_bytes_ > 0) matrix_memory().remove(counted_bytes_);
  counted_bytes_ = 0;
  data_.reset();
}

BlockCyclicMatrix::BlockCyclicMatrix(BlockCyclicMatrix&& other) noexcept
    : grid_(other.grid_),
      rows_(other.rows_),
      cols_(other.cols_),
      nb_(other.nb_),
      local_rows_(other.local_rows_),
      local_cols_(other.local_cols_),
      lld_(other.lld_),
      data_(std::move(other.data_)),
      counted_bytes_(other.counted_bytes_) {
  std::copy(other.desc_, other.desc_ + 9, desc_);
  other.counted_bytes_ = 0;
  other.rows_ = other.cols_ = other.local_rows_ = other.local_cols_ = 0;
}

BlockCyclicMatrix& BlockCyclicMatrix::operator=(BlockCyclicMatrix&& other) noexcept {
  if (this == &other) return *this;
  release();
  grid_ = other.grid_;
  rows_ = other.rows_;
  cols_ = other.cols_;
  nb_ = other.nb_;
  local_rows_ = other.local_rows_;
  local_cols_ = other.local_cols_;
  lld_ = other.lld_;
  std::copy(other.desc_, other.desc_ + 9, desc_);
  data_ = std::move(other.data_);
  counted_bytes_ = other.counted_bytes_;
  other.counted_bytes_ = 0;
  other.rows_ = other.cols_ = other.local_rows_ = other.local_cols_ = 0;
  return *this;
}

BlockCyclicMatrix BlockCyclicMatrix::copy() const {
  BlockCyclicMatrix result(grid_, rows_, cols_, nb_);
  std::copy(data_.get(), data_.get() + local_size(), result.data_.get());
  return result;
}

void BlockCyclicMatrix::fill(double value) noexcept {
  std::fill(data_.get(), data_.get() + local_size(), value);
}

}  // namespace ph3mpi::parallel
