#include "ph3mpi/parallel/block_cyclic_ops.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/mpi_handle.hpp"
#include "scalapack_api.hpp"

namespace ph3mpi::parallel {
namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
constexpr int kOne = 1;

// A work array counted in workspace_memory() while it lives.
template <typename T>
class TrackedBuffer {
 public:
  explicit TrackedBuffer(std::size_t n) : data_(n), bytes_(static_cast<std::int64_t>(n * sizeof(T))) {
    workspace_memory().add(bytes_);
  }
  ~TrackedBuffer() { workspace_memory().remove(bytes_); }
  TrackedBuffer(const TrackedBuffer&) = delete;
  TrackedBuffer& operator=(const TrackedBuffer&) = delete;
  T* data() noexcept { return data_.data(); }
  const T* data() const noexcept { return data_.data(); }
  std::size_t size() const noexcept { return data_.size(); }
  T& operator[](std::size_t i) noexcept { return data_[i]; }
  const T& operator[](std::size_t i) const noexcept { return data_[i]; }

 private:
  std::vector<T> data_;
  std::int64_t bytes_;
};

// The row exchange's derived datatypes and MPI_Alltoallw run on the grid's native
// communicator (only BLACS grids, i.e. MPI Contexts, get here).
MPI_Comm comm_of(const BlacsGrid& grid) { return native_communicator(grid.context()); }

int to_int(std::int64_t value, const char* what) {
  if (value < 0 || value > kIntMax) {
    throw Error(std::string(what) + " = " + std::to_string(value) +
                " does not fit ScaLAPACK's 32-bit INTEGER");
  }
  return static_cast<int>(value);
}

char trans_char(Transpose t) { return t == Transpose::kYes ? 'T' : 'N'; }

// A collective agrees on locally detected errors before anything else: every rank
// throws the message of the lowest failing rank, or no rank throws.
void agree_on_error(const BlacsGrid& grid, const std::string& local_error) {
  const Context& ctx = grid.context();
  if (ctx.size() == 1) {
    if (!local_error.empty()) throw Error(local_error);
    return;
  }
  const int failing = ctx.min(local_error.empty() ? ctx.size() : ctx.rank());
  if (failing == ctx.size()) return;
  std::string message = local_error;
  ctx.broadcast(message, failing);
  throw Error(message + " (reported by rank " + std::to_string(failing) + ")");
}

// ----------------------------------------------------------------- row exchange

// MPI derived datatypes freed at scope exit.
class TypeList {
 public:
  TypeList() = default;
  TypeList(const TypeList&) = delete;
  TypeList& operator=(const TypeList&) = delete;
  ~TypeList() {
    if (mpi_finalized()) return;
    for (MPI_Datatype& t : types_) MPI_Type_free(&t);
  }
  MPI_Datatype commit(MPI_Datatype t) {
    types_.push_back(t);
    PH3MPI_MPI_CHECK(MPI_Type_commit, &types_.back());
    return types_.back();
  }
  // An intermediate type: only needed until the types built on it are committed
  // (MPI keeps what it needs), but simplest to free together.
  MPI_Datatype keep(MPI_Datatype t) {
    types_.push_back(t);
    return t;
  }

 private:
  std::vector<MPI_Datatype> types_;
};

// The columns of one global row that process column pcol owns, as a datatype over
// a row of `cols` doubles (extent = one whole row, so consecutive rows of a
// row-major array are one element apart). Block b of nb columns belongs to process
// column b mod npcol.
MPI_Datatype row_pattern_type(const BlockCyclicMatrix& a, int pcol, TypeList& types) {
  const std::int64_t cols = a.cols();
  const std::int64_t nb = a.block_size();
  const int npcol = a.grid().npcol();
  std::vector<int> lengths;
  std::vector<int> displs;
  for (std::int64_t b = pcol; b * nb < cols; b += npcol) {
    displs.push_back(static_cast<int>(b * nb));
    lengths.push_back(static_cast<int>(std::min(nb, cols - b * nb)));
  }
  if (lengths.empty()) return MPI_DATATYPE_NULL;
  MPI_Datatype pattern = MPI_DATATYPE_NULL;
  PH3MPI_MPI_CHECK(MPI_Type_indexed, static_cast<int>(lengths.size()), lengths.data(), displs.data(),
                   MPI_DOUBLE, &pattern);
  types.keep(pattern);
  MPI_Datatype resized = MPI_DATATYPE_NULL;
  PH3MPI_MPI_CHECK(MPI_Type_create_resized, pattern, 0,
                   static_cast<MPI_Aint>(cols * static_cast<std::int64_t>(sizeof(double))), &resized);
  return types.keep(resized);
}

// This rank's local columns of one local row li, as a datatype at offset li of the
// local column-major array (stride lld), extent one double so that an indexed type
// can place it at any local row.
MPI_Datatype local_row_type(const BlockCyclicMatrix& a, TypeList& types) {
  if (a.local_cols() == 0) return MPI_DATATYPE_NULL;
  MPI_Datatype vec = MPI_DATATYPE_NULL;
  PH3MPI_MPI_CHECK(MPI_Type_vector, static_cast<int>(a.local_cols()), 1,
                   static_cast<int>(a.local_leading_dim()), MPI_DOUBLE, &vec);
  types.keep(vec);
  MPI_Datatype resized = MPI_DATATYPE_NULL;
  PH3MPI_MPI_CHECK(MPI_Type_create_resized, vec, 0, static_cast<MPI_Aint>(sizeof(double)), &resized);
  return types.keep(resized);
}

// Every rank's list of global rows (the row placement plan every rank can read).
struct AllRows {
  std::vector<std::int64_t> counts;   // per rank
  std::vector<std::int64_t> offsets;  // into rows
  std::vector<std::int64_t> rows;
};

AllRows allgather_rows(const BlacsGrid& grid, const std::vector<std::int64_t>& mine, const char* op) {
  const Context& ctx = grid.context();
  const int size = ctx.size();
  AllRows all;
  all.counts = ctx.allgather(static_cast<std::int64_t>(mine.size()));
  all.offsets.assign(static_cast<std::size_t>(size) + 1, 0);
  for (int r = 0; r < size; ++r) all.offsets[r + 1] = all.offsets[r] + all.counts[r];
  if (all.offsets.back() > kIntMax) {
    throw Error(std::string(op) + ": " + std::to_string(all.offsets.back()) +
                " row indices over all ranks exceed one exchange (2^31-1)");
  }
  const std::vector<std::size_t> counts(all.counts.begin(), all.counts.end());
  all.rows.resize(static_cast<std::size_t>(all.offsets.back()));
  ctx.allgatherv(mine.data(), mine.size(), all.rows.data(), counts);
  return all;
}

// Exchange rounds: rank r's rows are split into `rounds` consecutive slices so that
// no rank sends (scatter) or receives (gather) more than max_bytes in one round.
struct Rounds {
  std::int64_t count = 1;
  std::int64_t begin(std::int64_t rows, std::int64_t round) const { return rows * round / count; }
  std::int64_t end(std::int64_t rows, std::int64_t round) const { return rows * (round + 1) / count; }
};

Rounds plan_rounds(const AllRows& all, std::int64_t cols, std::int64_t max_bytes) {
  const std::int64_t row_bytes = std::max<std::int64_t>(1, cols * static_cast<std::int64_t>(sizeof(double)));
  const std::int64_t rows_per_round = std::max<std::int64_t>(1, max_bytes / row_bytes);
  Rounds rounds;
  for (const std::int64_t c : all.counts)
    rounds.count = std::max(rounds.count, (c + rows_per_round - 1) / rows_per_round);
  return rounds;
}

// Direction of one row exchange: rows -> matrix (scatter) or matrix -> rows (gather).
enum class Direction { kRowsToMatrix, kMatrixToRows };

// One collective MPI_Alltoallw moving, for every rank r, the slice of r's row list
// for this round between r's row-major array and the owners' local blocks. The
// datatypes address both sides in place: the row side picks each row's columns of
// one process column (row_pattern_type), the matrix side a local row's local columns
// (local_row_type), and both visit the elements in the same order (rows in list
// order, columns ascending), so MPI matches them element by element.
void exchange_round(const BlockCyclicMatrix& a, double* matrix_local, const AllRows& all,
                    const Rounds& rounds, std::int64_t round, double* my_rows, Direction direction) {
  const BlacsGrid& grid = a.grid();
  const Context& ctx = grid.context();
  const int size = ctx.size();
  const int me = ctx.rank();
  TypeList types;

  std::vector<MPI_Datatype> pattern(static_cast<std::size_t>(grid.npcol()));
  for (int pc = 0; pc < grid.npcol(); ++pc) pattern[pc] = row_pattern_type(a, pc, types);
  const MPI_Datatype local_row = local_row_type(a, types);

  // Row side (this rank's own list): for each grid process, the positions of my rows
  // that process row owns.
  std::vector<int> row_side_count(static_cast<std::size_t>(size), 0);
  std::vector<MPI_Datatype> row_side_type(static_cast<std::size_t>(size), MPI_DOUBLE);
  {
    const std::int64_t offset = all.offsets[me];
    const std::int64_t begin = rounds.begin(all.counts[me], round);
    const std::int64_t end = rounds.end(all.counts[me], round);
    std::vector<std::vector<int>> positions(static_cast<std::size_t>(grid.nprow()));
    for (std::int64_t k = begin; k < end; ++k) {
      positions[a.row_owner(all.rows[offset + k])].push_back(static_cast<int>(k));
    }
    for (int pr = 0; pr < grid.nprow(); ++pr) {
      if (positions[pr].empty()) continue;
      for (int pc = 0; pc < grid.npcol(); ++pc) {
        if (pattern[pc] == MPI_DATATYPE_NULL) continue;
        MPI_Datatype t = MPI_DATATYPE_NULL;
        PH3MPI_MPI_CHECK(MPI_Type_create_indexed_block, static_cast<int>(positions[pr].size()), 1,
                         positions[pr].data(), pattern[pc], &t);
        const int peer = grid.rank_of(pr, pc);
        row_side_type[peer] = types.commit(t);
        row_side_count[peer] = 1;
      }
    }
  }

  // Matrix side: for each rank r, the local rows of r's rows (this round) that my
  // process row owns, in r's list order.
  std::vector<int> matrix_side_count(static_cast<std::size_t>(size), 0);
  std::vector<MPI_Datatype> matrix_side_type(static_cast<std::size_t>(size), MPI_DOUBLE);
  if (local_row != MPI_DATATYPE_NULL) {
    std::vector<int> local_rows;
    for (int r = 0; r < size; ++r) {
      local_rows.clear();
      const std::int64_t offset = all.offsets[r];
      const std::int64_t end = rounds.end(all.counts[r], round);
      for (std::int64_t k = rounds.begin(all.counts[r], round); k < end; ++k) {
        const std::int64_t i = all.rows[offset + k];
        if (a.row_owner(i) == grid.myrow()) local_rows.push_back(static_cast<int>(a.local_row(i)));
      }
      if (local_rows.empty()) continue;
      MPI_Datatype t = MPI_DATATYPE_NULL;
      PH3MPI_MPI_CHECK(MPI_Type_create_indexed_block, static_cast<int>(local_rows.size()), 1,
                       local_rows.data(), local_row, &t);
      matrix_side_type[r] = types.commit(t);
      matrix_side_count[r] = 1;
    }
  }

  const std::vector<int> zero_displs(static_cast<std::size_t>(size), 0);
  if (direction == Direction::kRowsToMatrix) {
    PH3MPI_MPI_CHECK(MPI_Alltoallw, my_rows, row_side_count.data(), zero_displs.data(), row_side_type.data(),
                     matrix_local, matrix_side_count.data(), zero_displs.data(), matrix_side_type.data(),
                     comm_of(grid));
  } else {
    PH3MPI_MPI_CHECK(MPI_Alltoallw, matrix_local, matrix_side_count.data(), zero_displs.data(),
                     matrix_side_type.data(), my_rows, row_side_count.data(), zero_displs.data(),
                     row_side_type.data(), comm_of(grid));
  }
}

std::string check_row_indices(const BlockCyclicMatrix& a, const std::vector<std::int64_t>& rows,
                              const char* op) {
  for (std::size_t k = 0; k < rows.size(); ++k) {
    if (rows[k] < 0 || rows[k] >= a.rows()) {
      return std::string(op) + ": global row index " + std::to_string(rows[k]) + " (entry " +
             std::to_string(k) + ") is outside 0.." + std::to_string(a.rows() - 1);
    }
  }
  return {};
}

// ----------------------------------------------------------------- eigensolver helpers

// NUMROC with the first block on process `source` (the ScaLAPACK routines below
// work on sub-matrices starting at row 2, whose first block may sit elsewhere).
std::int64_t numroc_from(std::int64_t n, std::int64_t nb, int iproc, int source, int nprocs) {
  return numroc(n, nb, (nprocs + iproc - source) % nprocs, nprocs);
}

// LWORK for pdsyevd on grid process (myrow, mycol). pdsyevd documents (and its
// workspace query returns) max(1 + 6n + 2 np nq, 3n + max(nb (np + 1), 3 nb)) + 2n,
// but the back-transformation pdormtr it calls last receives LWORK - 2n and needs
// max(nb (nb - 1) / 2, (mpc0 + nqc0) nb) + nb^2 of it (pdormtr.f, SIDE = 'L'). When nb
// is large against the local block (e.g. n = 37, nb = 64, or n = 130, nb = 64 on
// 2 x 2) that is more; pdormtr then rejects its LWORK and pdsyevd, which ignores
// pdormtr's info, returns info = 0 with wrong eigenvectors. Both terms are honoured.
std::int64_t pdsyevd_lwork(std::int64_t n, std::int64_t nb, GridShape shape, int myrow, int mycol,
                           char uplo) {
  const std::int64_t np = numroc(n, nb, myrow, shape.nprow);
  const std::int64_t nq = numroc(n, nb, mycol, shape.npcol);
  const std::int64_t trilwmin = 3 * n + std::max(nb * (np + 1), 3 * nb);
  const std::int64_t documented = std::max(1 + 6 * n + 2 * np * nq, trilwmin) + 2 * n;
  // pdormtr's C sub-matrix: rows 2..n of Z for UPLO = 'L', rows 1..n-1 for 'U'.
  const std::int64_t row_offset = uplo == 'L' ? 1 % nb : 0;
  const int first_row_owner = uplo == 'L' ? static_cast<int>((1 / nb) % shape.nprow) : 0;
  const std::int64_t mpc0 = numroc_from(n - 1 + row_offset, nb, myrow, first_row_owner, shape.nprow);
  const std::int64_t nqc0 = numroc(n, nb, mycol, shape.npcol);
  const std::int64_t ormtr = std::max(nb * (nb - 1) / 2, (mpc0 + nqc0) * nb) + nb * nb;
  return std::max(documented, 2 * n + ormtr);
}
std::int64_t pdsyevd_min_liwork(std::int64_t n, int npcol) { return 7 * n + 8 * npcol + 2; }

std::int64_t pdsyevr_min_lwork(std::int64_t n, std::int64_t nb, GridShape shape) {
  const std::int64_t nn = std::max({n, nb, std::int64_t{2}});
  const std::int64_t np0 = numroc(nn, nb, 0, shape.nprow);
  const std::int64_t mq0 = numroc(std::max({n, nb, std::int64_t{2}}), nb, 0, shape.npcol);
  const std::int64_t nprocs = std::int64_t{shape.nprow} * shape.npcol;
  return 2 + 5 * n + std::max(18 * nn, np0 * mq0 + 2 * nb * nb) + (2 + (n + nprocs - 1) / nprocs) * nn;
}
std::int64_t pdsyevr_min_liwork(std::int64_t n, GridShape shape) {
  const std::int64_t nnp = std::max({n, std::int64_t{shape.nprow} * shape.npcol + 1, std::int64_t{4}});
  return 12 * nnp + 2 * n;
}

std::int64_t work_size(double queried, std::int64_t minimum, const char* what) {
  // WORK(1) is a double; a size beyond 32-bit INTEGER cannot be passed as LWORK.
  const double q = std::ceil(queried);
  if (!(q <= static_cast<double>(kIntMax)))
    throw Error(std::string(what) + ": workspace beyond 2^31-1 elements");
  return std::max(static_cast<std::int64_t>(q), minimum);
}

void check_info(int info, const char* routine, std::int64_t n) {
  if (info == 0) return;
  if (info < 0) {
    throw Error(std::string(routine) + ": illegal argument (info = " + std::to_string(info) +
                ") for n = " + std::to_string(n));
  }
  throw Error(std::string(routine) + " failed to converge (info = " + std::to_string(info) +
              ") for n = " + std::to_string(n));
}

SymmetricEigenSolution eigen_lapack(BlockCyclicMatrix& a, EigenSolver solver, char uplo) {
  const int n = to_int(a.rows(), "matrix dimension");
  const int lda = static_cast<int>(a.local_leading_dim());
  SymmetricEigenSolution result{std::vector<double>(static_cast<std::size_t>(n)),
                                BlockCyclicMatrix(a.grid(), a.rows(), a.cols(), a.block_size())};
  BlockCyclicMatrix& z = result.eigenvectors;
  int info = 0;
  double work_query = 0.0;
  int iwork_query = 0;
  const int query = -1;
  if (solver == EigenSolver::kPdsyevd) {
    // dsyevd overwrites its input with the eigenvectors: it works on Z, a copy of A.
    std::copy(a.local_data(), a.local_data() + a.local_size(), z.local_data());
    dsyevd_("V", &uplo, &n, z.local_data(), &lda, result.eigenvalues.data(), &work_query, &query,
            &iwork_query, &query, &info, 1, 1);
    check_info(info, "dsyevd (workspace query)", n);
    const std::int64_t nn = n;
    TrackedBuffer<double> work(
        static_cast<std::size_t>(work_size(work_query, 1 + 6 * nn + 2 * nn * nn, "dsyevd")));
    TrackedBuffer<int> iwork(static_cast<std::size_t>(std::max<std::int64_t>(iwork_query, 3 + 5 * nn)));
    const int lwork = static_cast<int>(work.size());
    const int liwork = static_cast<int>(iwork.size());
    dsyevd_("V", &uplo, &n, z.local_data(), &lda, result.eigenvalues.data(), work.data(), &lwork,
            iwork.data(), &liwork, &info, 1, 1);
    check_info(info, "dsyevd", n);
  } else {
    const double zero = 0.0;
    const int il = 1;
    int found = 0;
    TrackedBuffer<int> isuppz(2 * static_cast<std::size_t>(std::max(1, n)));
    // abstol = 0: LAPACK's default tolerance (eps |T|); pdsyevr has no such argument.
    dsyevr_("V", "A", &uplo, &n, a.local_data(), &lda, &zero, &zero, &il, &n, &zero, &found,
            result.eigenvalues.data(), z.local_data(), &lda, isuppz.data(), &work_query, &query, &iwork_query,
            &query, &info, 1, 1, 1);
    check_info(info, "dsyevr (workspace query)", n);
    const std::int64_t nn = n;
    TrackedBuffer<double> work(static_cast<std::size_t>(work_size(work_query, 26 * nn, "dsyevr")));
    TrackedBuffer<int> iwork(static_cast<std::size_t>(std::max<std::int64_t>(iwork_query, 10 * nn)));
    const int lwork = static_cast<int>(work.size());
    const int liwork = static_cast<int>(iwork.size());
    dsyevr_("V", "A", &uplo, &n, a.local_data(), &lda, &zero, &zero, &il, &n, &zero, &found,
            result.eigenvalues.data(), z.local_data(), &lda, isuppz.data(), work.data(), &lwork, iwork.data(),
            &liwork, &info, 1, 1, 1);
    check_info(info, "dsyevr", n);
    if (found != n) {
      throw Error("dsyevr found " + std::to_string(found) + " of " + std::to_string(n) + " eigenvalues");
    }
  }
  return result;
}

SymmetricEigenSolution eigen_scalapack(BlockCyclicMatrix& a, EigenSolver solver, char uplo) {
  const BlacsGrid& grid = a.grid();
  const int n = to_int(a.rows(), "matrix dimension");
  const std::int64_t nb = a.block_size();
  SymmetricEigenSolution result{std::vector<double>(static_cast<std::size_t>(n)),
                                BlockCyclicMatrix(grid, a.rows(), a.cols(), a.block_size())};
  BlockCyclicMatrix& z = result.eigenvectors;
  int info = 0;
  double work_query = 0.0;
  int iwork_query = 0;
  const int query = -1;
  if (solver == EigenSolver::kPdsyevd) {
    pdsyevd_("V", &uplo, &n, a.local_data(), &kOne, &kOne, a.descriptor(), result.eigenvalues.data(),
             z.local_data(), &kOne, &kOne, z.descriptor(), &work_query, &query, &iwork_query, &query, &info,
             1, 1);
    check_info(info, "pdsyevd (workspace query)", n);
    const std::int64_t lwork_min = pdsyevd_lwork(n, nb, grid.shape(), grid.myrow(), grid.mycol(), uplo);
    TrackedBuffer<double> work(static_cast<std::size_t>(work_size(work_query, lwork_min, "pdsyevd")));
    TrackedBuffer<int> iwork(
        static_cast<std::size_t>(std::max<std::int64_t>(iwork_query, pdsyevd_min_liwork(n, grid.npcol()))));
    const int lwork = to_int(static_cast<std::int64_t>(work.size()), "pdsyevd LWORK");
    const int liwork = to_int(static_cast<std::int64_t>(iwork.size()), "pdsyevd LIWORK");
    pdsyevd_("V", &uplo, &n, a.local_data(), &kOne, &kOne, a.descriptor(), result.eigenvalues.data(),
             z.local_data(), &kOne, &kOne, z.descriptor(), work.data(), &lwork, iwork.data(), &liwork, &info,
             1, 1);
    check_info(info, "pdsyevd", n);
  } else {
    const double zero = 0.0;
    int found = 0;
    int vectors = 0;
    pdsyevr_("V", "A", &uplo, &n, a.local_data(), &kOne, &kOne, a.descriptor(), &zero, &zero, &kOne, &n,
             &found, &vectors, result.eigenvalues.data(), z.local_data(), &kOne, &kOne, z.descriptor(),
             &work_query, &query, &iwork_query, &query, &info, 1, 1, 1);
    check_info(info, "pdsyevr (workspace query)", n);
    const std::int64_t lwork_min = pdsyevr_min_lwork(n, nb, grid.shape());
    TrackedBuffer<double> work(static_cast<std::size_t>(work_size(work_query, lwork_min, "pdsyevr")));
    TrackedBuffer<int> iwork(
        static_cast<std::size_t>(std::max<std::int64_t>(iwork_query, pdsyevr_min_liwork(n, grid.shape()))));
    const int lwork = to_int(static_cast<std::int64_t>(work.size()), "pdsyevr LWORK");
    const int liwork = to_int(static_cast<std::int64_t>(iwork.size()), "pdsyevr LIWORK");
    pdsyevr_("V", "A", &uplo, &n, a.local_data(), &kOne, &kOne, a.descriptor(), &zero, &zero, &kOne, &n,
             &found, &vectors, result.eigenvalues.data(), z.local_data(), &kOne, &kOne, z.descriptor(),
             work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1, 1);
    check_info(info, "pdsyevr", n);
    if (found != n || vectors != n) {
      throw Error("pdsyevr found " + std::to_string(found) + " eigenvalues and " + std::to_string(vectors) +
                  " eigenvectors of " + std::to_string(n));
    }
  }
  // W is documented as replicated, but a process that owns no part of the matrix
  // (n = 37, nb = 64 on 1 x 2: process column 1 is empty) gets wrong values from
  // pdsyevd. Process (0, 0) always owns the first block: its W is given to every rank,
  // which also makes the eigenvalues bitwise identical everywhere.
  grid.context().broadcast(result.eigenvalues, grid.rank_of(0, 0));
  return result;
}

void check_same_grid(const BlockCyclicMatrix& a, const BlockCyclicMatrix& b, const char* op) {
  if (a.grid().blacs_context() != b.grid().blacs_context() || a.grid().nprow() != b.grid().nprow() ||
      a.grid().npcol() != b.grid().npcol()) {
    throw Error(std::string(op) + ": matrices on different process grids");
  }
  if (a.block_size() != b.block_size()) {
    throw Error(std::string(op) + ": block sizes differ (" + std::to_string(a.block_size()) + " and " +
                std::to_string(b.block_size()) + ")");
  }
}

}  // namespace

// ----------------------------------------------------------------- row placement

void scatter_rows(BlockCyclicMatrix& a, const std::vector<std::int64_t>& global_rows, const double* rows,
                  std::int64_t max_message_bytes) {
  const BlacsGrid& grid = a.grid();
  std::string error;
  if (max_message_bytes < 1) error = "scatter_rows: max_message_bytes must be positive";
  if (error.empty() && !global_rows.empty() && rows == nullptr && a.cols() > 0) {
    error = "scatter_rows: " + std::to_string(global_rows.size()) + " row indices but no row data";
  }
  if (error.empty()) error = check_row_indices(a, global_rows, "scatter_rows");

  if (!grid.uses_scalapack()) {
    if (!error.empty()) throw Error(error);
    std::vector<char> seen(static_cast<std::size_t>(a.rows()), 0);
    for (const std::int64_t i : global_rows) {
      if (seen[i]++) throw Error("scatter_rows: global row " + std::to_string(i) + " passed twice");
    }
    const std::int64_t n = a.cols();
    for (std::size_t k = 0; k < global_rows.size(); ++k) {
      const std::int64_t i = global_rows[k];
      const double* row = rows + static_cast<std::int64_t>(k) * n;
      for (std::int64_t j = 0; j < n; ++j) a.local(i, j) = row[j];
    }
    return;
  }

  agree_on_error(grid, error);
  const AllRows all = allgather_rows(grid, global_rows, "scatter_rows");
  workspace_memory().add(static_cast<std::int64_t>(all.rows.size() * sizeof(std::int64_t)));
  struct Release {
    std::int64_t bytes;
    ~Release() { workspace_memory().remove(bytes); }
  } release{static_cast<std::int64_t>(all.rows.size() * sizeof(std::int64_t))};

  // Every rank sees every index: the duplicate check gives the same answer everywhere.
  {
    std::vector<char> seen(static_cast<std::size_t>(a.rows()), 0);
    for (int r = 0; r < grid.context().size(); ++r) {
      for (std::int64_t k = all.offsets[r]; k < all.offsets[r + 1]; ++k) {
        const std::int64_t i = all.rows[k];
        if (seen[i]++) {
          throw Error("scatter_rows: global row " + std::to_string(i) + " passed twice (again by rank " +
                      std::to_string(r) + ")");
        }
      }
    }
  }
  if (all.rows.empty() || a.cols() == 0) return;
  const Rounds rounds = plan_rounds(all, a.cols(), max_message_bytes);
  // MPI reads the caller's rows through the send datatypes only; the cast drops the
  // const that MPI_Alltoallw's shared row/matrix helper does not carry.
  double* my_rows = const_cast<double*>(rows);
  for (std::int64_t round = 0; round < rounds.count; ++round) {
    exchange_round(a, a.local_data(), all, rounds, round, my_rows, Direction::kRowsToMatrix);
  }
}

std::vector<double> gather_rows(const BlockCyclicMatrix& a, const std::vector<std::int64_t>& global_rows,
                                std::int64_t max_message_bytes) {
  const BlacsGrid& grid = a.grid();
  std::string error;
  if (max_message_bytes < 1) error = "gather_rows: max_message_bytes must be positive";
  if (error.empty()) error = check_row_indices(a, global_rows, "gather_rows");
  const std::int64_t n = a.cols();
  if (!grid.uses_scalapack()) {
    if (!error.empty()) throw Error(error);
    std::vector<double> out(global_rows.size() * static_cast<std::size_t>(n));
    for (std::size_t k = 0; k < global_rows.size(); ++k) {
      for (std::int64_t j = 0; j < n; ++j)
        out[k * static_cast<std::size_t>(n) + j] = a.local(global_rows[k], j);
    }
    return out;
  }
  agree_on_error(grid, error);
  const AllRows all = allgather_rows(grid, global_rows, "gather_rows");
  std::vector<double> out(global_rows.size() * static_cast<std::size_t>(n));
  if (all.rows.empty() || n == 0) return out;
  workspace_memory().add(static_cast<std::int64_t>(all.rows.size() * sizeof(std::int64_t)));
  struct Release {
    std::int64_t bytes;
    ~Release() { workspace_memory().remove(bytes); }
  } release{static_cast<std::int64_t>(all.rows.size() * sizeof(std::int64_t))};
  const Rounds rounds = plan_rounds(all, n, max_message_bytes);
  // The matrix is only read (it is the send side); see scatter_rows for the cast.
  double* matrix_local = const_cast<double*>(a.local_data());
  for (std::int64_t round = 0; round < rounds.count; ++round) {
    exchange_round(a, matrix_local, all, rounds, round, out.data(), Direction::kMatrixToRows);
  }
  return out;
}

std::vector<double> gather_replicated(const BlockCyclicMatrix& a) {
  const BlacsGrid& grid = a.grid();
  const std::int64_t m = a.rows();
  const std::int64_t n = a.cols();
  if (m * n > kIntMax) {
    throw Error("gather_replicated: " + std::to_string(m) + " x " + std::to_string(n) +
                " is not a small matrix (more than 2^31-1 elements)");
  }
  std::vector<double> out(static_cast<std::size_t>(m * n));
  if (!grid.uses_scalapack()) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = 0; i < m; ++i) out[i + j * m] = a.local(i, j);
    }
    return out;
  }
  const int size = grid.context().size();
  const std::int64_t nb = a.block_size();
  std::vector<std::size_t> counts(static_cast<std::size_t>(size), 0);
  std::vector<std::size_t> displs(static_cast<std::size_t>(size), 0);
  std::vector<std::pair<int, int>> position(static_cast<std::size_t>(size));
  for (int pr = 0; pr < grid.nprow(); ++pr) {
    for (int pc = 0; pc < grid.npcol(); ++pc) {
      const int r = grid.rank_of(pr, pc);
      position[r] = {pr, pc};
      counts[r] = static_cast<std::size_t>(numroc(m, nb, pr, grid.nprow()) * numroc(n, nb, pc, grid.npcol()));
    }
  }
  for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
  // The local arrays are contiguous (leading dimension = local rows when non-empty).
  TrackedBuffer<double> all(static_cast<std::size_t>(m * n));
  grid.context().allgatherv(a.local_data(), static_cast<std::size_t>(a.local_size()), all.data(), counts);
  for (int r = 0; r < size; ++r) {
    const auto [pr, pc] = position[r];
    const std::int64_t lrows = numroc(m, nb, pr, grid.nprow());
    const std::int64_t lcols = numroc(n, nb, pc, grid.npcol());
    const double* local = all.data() + displs[r];
    for (std::int64_t lj = 0; lj < lcols; ++lj) {
      const std::int64_t j = ((lj / nb) * grid.npcol() + pc) * nb + lj % nb;
      for (std::int64_t li = 0; li < lrows; ++li) {
        const std::int64_t i = ((li / nb) * grid.nprow() + pr) * nb + li % nb;
        out[i + j * m] = local[li + lj * lrows];
      }
    }
  }
  return out;
}

BlockCyclicMatrix distribute_replicated(const BlacsGrid& grid, std::int64_t rows, std::int64_t cols,
                                        const double* column_major, int block_size) {
  BlockCyclicMatrix result(grid, rows, cols, block_size);
  result.for_each_local(
      [&](std::int64_t i, std::int64_t j, double& value) { value = column_major[i + j * rows]; });
  return result;
}

// ----------------------------------------------------------------- products

std::vector<double> multiply_replicated(const BlockCyclicMatrix& a, Transpose trans, const double* x,
                                        std::int64_t k) {
  const bool t = trans == Transpose::kYes;
  const std::int64_t m = t ? a.cols() : a.rows();
  const std::int64_t inner = t ? a.rows() : a.cols();
  if (k < 0) throw Error("multiply_replicated: negative number of columns " + std::to_string(k));
  std::vector<double> out(static_cast<std::size_t>(m * k), 0.0);
  if (m == 0 || k == 0) return out;
  const char ta = trans_char(trans);
  const double one = 1.0;
  const double zero = 0.0;
  const int im = to_int(m, "multiply_replicated rows");
  const int ik = to_int(k, "multiply_replicated columns");
  const int iinner = to_int(inner, "multiply_replicated inner dimension");
  if (!a.grid().uses_scalapack()) {
    const int lda = static_cast<int>(a.local_leading_dim());
    const int ldx = std::max(1, iinner);
    dgemm_(&ta, "N", &im, &ik, &iinner, &one, a.local_data(), &lda, x, &ldx, &zero, out.data(), &im, 1, 1);
    return out;
  }
  const BlockCyclicMatrix xd = distribute_replicated(a.grid(), inner, k, x, a.block_size());
  BlockCyclicMatrix c(a.grid(), m, k, a.block_size());
  pdgemm_(&ta, "N", &im, &ik, &iinner, &one, a.local_data(), &kOne, &kOne, a.descriptor(), xd.local_data(),
          &kOne, &kOne, xd.descriptor(), &zero, c.local_data(), &kOne, &kOne, c.descriptor(), 1, 1);
  return gather_replicated(c);
}

std::vector<double> symmetric_product_replicated(const BlockCyclicMatrix& a, const double* p,
                                                 std::int64_t k) {
  if (a.rows() != a.cols()) {
    throw Error("symmetric_product_replicated: the matrix is " + std::to_string(a.rows()) + " x " +
                std::to_string(a.cols()) + ", not square");
  }
  if (k < 0) throw Error("symmetric_product_replicated: negative number of columns " + std::to_string(k));
  const std::int64_t n = a.rows();
  const std::size_t kk = static_cast<std::size_t>(k);
  std::vector<double> y(static_cast<std::size_t>(n) * kk, 0.0);
  const std::int64_t lrows = a.local_rows(), lcols = a.local_cols(), lld = a.local_leading_dim();
  if (lrows > 0 && lcols > 0 && k > 0) {
    std::vector<std::int64_t> row(static_cast<std::size_t>(lrows));
    for (std::int64_t li = 0; li < lrows; ++li) row[static_cast<std::size_t>(li)] = a.global_row(li);
    // The local rows' entries of P, row-major (li, c), and the (A P)_i partial sums likewise.
    std::vector<double> p_rows(static_cast<std::size_t>(lrows) * kk),
        an(static_cast<std::size_t>(lrows) * kk, 0.0);
    for (std::int64_t li = 0; li < lrows; ++li)
      for (std::size_t c = 0; c < kk; ++c)
        p_rows[static_cast<std::size_t>(li) * kk + c] =
            p[static_cast<std::size_t>(row[li] + static_cast<std::int64_t>(c) * n)];
    std::vector<double> pj(kk), at(kk);
    for (std::int64_t lj = 0; lj < lcols; ++lj) {
      const std::int64_t j = a.global_col(lj);
      const double* column = a.local_data() + lj * lld;
      for (std::size_t c = 0; c < kk; ++c) {
        pj[c] = p[static_cast<std::size_t>(j + static_cast<std::int64_t>(c) * n)];
        at[c] = 0.0;
      }
      for (std::int64_t li = 0; li < lrows; ++li) {
        const double v = column[li];
        double* an_i = an.data() + static_cast<std::size_t>(li) * kk;
        const double* p_i = p_rows.data() + static_cast<std::size_t>(li) * kk;
        for (std::size_t c = 0; c < kk; ++c) {
          an_i[c] += v * pj[c];  // (A P)_i  += a_ij p_j
          at[c] += v * p_i[c];   // (A^T P)_j += a_ij p_i
        }
      }
      for (std::size_t c = 0; c < kk; ++c)
        y[static_cast<std::size_t>(j + static_cast<std::int64_t>(c) * n)] += at[c];
    }
    for (std::int64_t li = 0; li < lrows; ++li)
      for (std::size_t c = 0; c < kk; ++c)
        y[static_cast<std::size_t>(row[li] + static_cast<std::int64_t>(c) * n)] +=
            an[static_cast<std::size_t>(li) * kk + c];
  }
  a.grid().context().allreduce(y, ReduceOp::kSum);  // a no-op on the serial context
  for (double& v : y) v /= 2;
  return y;
}

std::vector<double> matvec_replicated(const BlockCyclicMatrix& a, Transpose trans, const double* x) {
  const bool t = trans == Transpose::kYes;
  const std::int64_t m = t ? a.cols() : a.rows();
  const std::int64_t inner = t ? a.rows() : a.cols();
  std::vector<double> out(static_cast<std::size_t>(m), 0.0);
  if (m == 0) return out;
  const char ta = trans_char(trans);
  const double one = 1.0;
  const double zero = 0.0;
  // gemv's M and N are A's dimensions, whatever the transpose.
  const int am = to_int(a.rows(), "matvec_replicated rows");
  const int an = to_int(a.cols(), "matvec_replicated columns");
  if (!a.grid().uses_scalapack()) {
    const int lda = static_cast<int>(a.local_leading_dim());
    dgemv_(&ta, &am, &an, &one, a.local_data(), &lda, x, &kOne, &zero, out.data(), &kOne, 1);
    return out;
  }
  const BlockCyclicMatrix xd = distribute_replicated(a.grid(), inner, 1, x, a.block_size());
  BlockCyclicMatrix y(a.grid(), m, 1, a.block_size());
  pdgemv_(&ta, &am, &an, &one, a.local_data(), &kOne, &kOne, a.descriptor(), xd.local_data(), &kOne, &kOne,
          xd.descriptor(), &kOne, &zero, y.local_data(), &kOne, &kOne, y.descriptor(), &kOne, 1);
  return gather_replicated(y);
}

void gemm(Transpose trans_a, Transpose trans_b, double alpha, const BlockCyclicMatrix& a,
          const BlockCyclicMatrix& b, double beta, BlockCyclicMatrix& c) {
  check_same_grid(a, b, "gemm");
  check_same_grid(a, c, "gemm");
  const bool ta = trans_a == Transpose::kYes;
  const bool tb = trans_b == Transpose::kYes;
  const std::int64_t m = ta ? a.cols() : a.rows();
  const std::int64_t k = ta ? a.rows() : a.cols();
  const std::int64_t kb = tb ? b.cols() : b.rows();
  const std::int64_t n = tb ? b.rows() : b.cols();
  if (k != kb || c.rows() != m || c.cols() != n) {
    throw Error("gemm: op(A) is " + std::to_string(m) + " x " + std::to_string(k) + ", op(B) " +
                std::to_string(kb) + " x " + std::to_string(n) + ", C " + std::to_string(c.rows()) + " x " +
                std::to_string(c.cols()));
  }
  if (m == 0 || n == 0) return;
  const char ca = trans_char(trans_a);
  const char cb = trans_char(trans_b);
  const int im = to_int(m, "gemm M");
  const int in = to_int(n, "gemm N");
  const int ik = to_int(k, "gemm K");
  if (!a.grid().uses_scalapack()) {
    const int lda = static_cast<int>(a.local_leading_dim());
    const int ldb = static_cast<int>(b.local_leading_dim());
    const int ldc = static_cast<int>(c.local_leading_dim());
    dgemm_(&ca, &cb, &im, &in, &ik, &alpha, a.local_data(), &lda, b.local_data(), &ldb, &beta, c.local_data(),
           &ldc, 1, 1);
    return;
  }
  pdgemm_(&ca, &cb, &im, &in, &ik, &alpha, a.local_data(), &kOne, &kOne, a.descriptor(), b.local_data(),
          &kOne, &kOne, b.descriptor(), &beta, c.local_data(), &kOne, &kOne, c.descriptor(), 1, 1);
}

// ----------------------------------------------------------------- symmetric matrices

void symmetrize(BlockCyclicMatrix& a) {
  if (a.rows() != a.cols()) {
    throw Error("symmetrize: matrix is " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()) +
                ", not square");
  }
  const std::int64_t n = a.rows();
  if (n == 0) return;
  if (!a.grid().uses_scalapack()) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = j + 1; i < n; ++i) {
        const double mean = (a.local(i, j) + a.local(j, i)) / 2;
        a.local(i, j) = mean;
        a.local(j, i) = mean;
      }
    }
    return;
  }
  // A := A/2 + T^T/2 with T = A: halving is exact, so each element is the correctly
  // rounded (a_ij + a_ji)/2, the same value for (i, j) and (j, i).
  const BlockCyclicMatrix t = a.copy();
  const int in = to_int(n, "symmetrize n");
  const double half = 0.5;
  pdtran_(&in, &in, &half, t.local_data(), &kOne, &kOne, t.descriptor(), &half, a.local_data(), &kOne, &kOne,
          a.descriptor());
}

EigenSolver eigen_solver_from_name(const std::string& name) {
  if (name == "pdsyevd") return EigenSolver::kPdsyevd;
  if (name == "pdsyevr") return EigenSolver::kPdsyevr;
  throw Error("unknown symmetric eigensolver '" + name + "' (expected 'pdsyevd' or 'pdsyevr')");
}

const char* eigen_solver_name(EigenSolver solver) noexcept {
  return solver == EigenSolver::kPdsyevr ? "pdsyevr" : "pdsyevd";
}

SymmetricEigenSolution solve_symmetric_eigen(BlockCyclicMatrix& a, EigenSolver solver, Triangle triangle) {
  if (a.rows() != a.cols()) {
    throw Error("solve_symmetric_eigen: matrix is " + std::to_string(a.rows()) + " x " +
                std::to_string(a.cols()) + ", not square");
  }
  if (a.rows() == 0) return SymmetricEigenSolution{{}, BlockCyclicMatrix(a.grid(), 0, 0, a.block_size())};
  const char uplo = triangle == Triangle::kLower ? 'L' : 'U';
  if (!a.grid().uses_scalapack()) return eigen_lapack(a, solver, uplo);
  return eigen_scalapack(a, solver, uplo);
}

EigenMemoryEstimate estimate_eigen_memory(std::int64_t n, int block_size, GridShape shape, EigenSolver solver,
                                          bool lapack) {
  EigenMemoryEstimate estimate;
  constexpr std::int64_t kDouble = sizeof(double);
  constexpr std::int64_t kInt = sizeof(int);
  if (lapack) {
    estimate.matrix_bytes = n * n * kDouble;
    estimate.workspace_bytes = solver == EigenSolver::kPdsyevd
                                   ? (1 + 6 * n + 2 * n * n) * kDouble + (3 + 5 * n) * kInt
                                   : 26 * n * kDouble + (10 * n + 2 * n) * kInt;
    return estimate;
  }
  const std::int64_t nb = block_size > 0 ? block_size : BlockCyclicMatrix::default_block_size(n, n, shape);
  // Process (0, 0) owns the most rows and columns; the work arrays are the largest
  // over all grid processes.
  const std::int64_t np = numroc(n, nb, 0, shape.nprow);
  const std::int64_t nq = numroc(n, nb, 0, shape.npcol);
  estimate.matrix_bytes = np * nq * kDouble;
  if (solver == EigenSolver::kPdsyevd) {
    std::int64_t lwork = 0;
    for (int pr = 0; pr < shape.nprow; ++pr) {
      for (int pc = 0; pc < shape.npcol; ++pc)
        lwork = std::max(lwork, pdsyevd_lwork(n, nb, shape, pr, pc, 'L'));
    }
    estimate.workspace_bytes = lwork * kDouble + pdsyevd_min_liwork(n, shape.npcol) * kInt;
  } else {
    estimate.workspace_bytes =
        pdsyevr_min_lwork(n, nb, shape) * kDouble + pdsyevr_min_liwork(n, shape) * kInt;
  }
  return estimate;
}

}  // namespace ph3mpi::parallel
