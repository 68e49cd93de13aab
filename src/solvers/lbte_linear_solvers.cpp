#include "ph3mpi/solvers/lbte_linear_solvers.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"

namespace ph3mpi::solvers {

namespace {

// X (num_gp, nb, 3) as the k column-major right-hand sides of the matrix: k = 1 (the
// flattened X, irreducible) or 3 (its Cartesian columns, reducible).
std::size_t num_rhs(const transport::LbteLayout& layout) { return layout.reducible ? 3 : 1; }

std::vector<double> to_columns(const NdArray<double>& X, std::size_t n, std::size_t k) {
  std::vector<double> cm(n * k);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < k; ++a) cm[a * n + i] = X.data[i * k + a];
  return cm;
}

NdArray<double> from_columns(const std::vector<double>& cm, const std::vector<std::size_t>& shape,
                             std::size_t n, std::size_t k) {
  NdArray<double> Y(shape);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < k; ++a) Y.data[i * k + a] = cm[a * n + i];
  return Y;
}

// Omega_s P = (Omega P + Omega^T P) / 2 for k replicated columns: one pass over the
// local blocks of Omega (parallel::symmetric_product_replicated).
std::vector<double> symmetric_product(const parallel::BlockCyclicMatrix& omega, const std::vector<double>& p,
                                      std::size_t k) {
  return parallel::symmetric_product_replicated(omega, p.data(), static_cast<std::int64_t>(k));
}

double dot(const double* a, const double* b, std::size_t n) {
  double s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

}  // namespace

LbteLinearSolution solve_lbte_direct(parallel::BlockCyclicMatrix& omega, const NdArray<double>& X,
                                     const transport::LbteLayout& layout, const double* frequencies,
                                     const DirectOptions& options) {
  parallel::symmetrize(omega);
  parallel::SymmetricEigenSolution eig = parallel::solve_symmetric_eigen(omega, options.eigen_solver);
  LbteLinearSolution out;
  out.eigenvalues = eig.eigenvalues;
  const std::vector<double> e =
      transport::pinv_eigenvalues(eig.eigenvalues, options.pinv_cutoff, options.pinv_method);
  const std::size_t k = num_rhs(layout);
  const std::size_t n = static_cast<std::size_t>(omega.rows());
  const auto kk = static_cast<std::int64_t>(k);
  // The part of a right-hand side V^T x (k columns) in the eigenvalues the cutoff drops.
  const auto dropped_fraction = [&](const std::vector<double>& t) {
    double dropped = 0, total = 0;
    for (std::size_t l = 0; l < n * k; ++l) {
      total += t[l] * t[l];
      if (e[l % n] == 0.0) dropped += t[l] * t[l];
    }
    return total > 0 ? std::sqrt(dropped / total) : 0.0;
  };
  const std::vector<double> x = to_columns(X, n, k);
  std::vector<double> t =
      parallel::multiply_replicated(eig.eigenvectors, parallel::Transpose::kYes, x.data(), kk);
  out.rhs_fraction_dropped = dropped_fraction(t);
  const std::vector<double> xp =
      to_columns(transport::project_on_collision_range(X, layout, frequencies), n, k);
  out.projected_rhs_fraction_dropped = dropped_fraction(
      parallel::multiply_replicated(eig.eigenvectors, parallel::Transpose::kYes, xp.data(), kk));
  for (std::size_t l = 0; l < n * k; ++l) t[l] *= e[l % n];
  const std::vector<double> y =
      parallel::multiply_replicated(eig.eigenvectors, parallel::Transpose::kNo, t.data(), kk);
  out.Y = from_columns(y, X.shape, n, k);
  return out;
}

LbteLinearSolution solve_lbte_cg(const parallel::BlockCyclicMatrix& omega, const NdArray<double>& X,
                                 const transport::LbteLayout& layout, const double* frequencies,
                                 const CgOptions& options) {
  const std::size_t k = num_rhs(layout);
  const std::size_t n = static_cast<std::size_t>(omega.rows());
  // Jacobi preconditioner from the diagonal of Omega (that of Omega_s). A positive
  // semi-definite matrix with a zero diagonal element has a zero row and column there:
  // such rows get 0 and stay out of the iteration.
  std::vector<double> diag(n, 0.0);
  omega.for_each_local([&diag](std::int64_t i, std::int64_t j, const double& v) {
    if (i == j) diag[static_cast<std::size_t>(i)] = v;
  });
  diag = parallel::sum_over_ranks(omega.grid().context(), diag);
  const double threshold = 1e-10 * *std::max_element(diag.begin(), diag.end());
  std::vector<double> m(n);
  for (std::size_t i = 0; i < n; ++i) m[i] = diag[i] > threshold ? 1.0 / diag[i] : 0.0;
  // v -> its part in the range of Omega_s: zero rows cleared, then the structural projection.
  const auto project = [&](double* v) {
    for (std::size_t i = 0; i < n; ++i)
      if (m[i] == 0.0) v[i] = 0.0;
    if (layout.reducible) return;
    NdArray<double> w(X.shape);
    std::copy_n(v, n, w.data.begin());
    w = transport::project_on_collision_range(w, layout, frequencies);
    std::copy_n(w.data.begin(), n, v);
  };
  const auto precondition = [&](const double* r_in, double* z_out) {
    for (std::size_t i = 0; i < n; ++i) z_out[i] = m[i] * r_in[i];
    project(z_out);
  };

  std::vector<double> b = to_columns(X, n, k);
  for (std::size_t a = 0; a < k; ++a) project(&b[a * n]);
  std::vector<double> y(n * k, 0.0), r = b, z(n * k), p(n * k);
  std::vector<double> rz(k), b_norm(k), r_norm(k);
  std::vector<char> active(k, 1);
  for (std::size_t a = 0; a < k; ++a) {
    double* ra = &r[a * n];
    precondition(ra, &z[a * n]);
    std::copy_n(&z[a * n], n, &p[a * n]);
    rz[a] = dot(ra, &z[a * n], n);
    b_norm[a] = std::sqrt(dot(ra, ra, n));
    r_norm[a] = b_norm[a];
    active[a] = b_norm[a] > 0 && rz[a] > 0;
  }
  LbteLinearSolution out;
  const auto converged = [&](std::size_t a) { return r_norm[a] <= options.tolerance * b_norm[a]; };
  for (std::size_t a = 0; a < k; ++a) active[a] = active[a] && !converged(a);
  bool stalled = false;  // no descent direction left (p^T Omega_s p <= 0): reported as not converged
  while (!stalled && std::any_of(active.begin(), active.end(), [](char c) { return c != 0; })) {
    if (out.iterations == options.max_iterations) break;
    ++out.iterations;
    const std::vector<double> q = symmetric_product(omega, p, k);
    for (std::size_t a = 0; a < k; ++a) {
      if (!active[a]) continue;
      double* pa = &p[a * n];
      double* ra = &r[a * n];
      double* za = &z[a * n];
      const double pq = dot(pa, &q[a * n], n);
      if (!(pq > 0)) {
        stalled = true;
        break;
      }
      const double alpha = rz[a] / pq;
      for (std::size_t i = 0; i < n; ++i) {
        y[a * n + i] += alpha * pa[i];
        ra[i] -= alpha * q[a * n + i];
      }
      r_norm[a] = std::sqrt(dot(ra, ra, n));
      if (converged(a)) {
        active[a] = 0;
        continue;
      }
      precondition(ra, za);
      const double rz_new = dot(ra, za, n);
      const double beta = rz_new / rz[a];
      rz[a] = rz_new;
      for (std::size_t i = 0; i < n; ++i) pa[i] = za[i] + beta * pa[i];
    }
  }
  // The true residual of the result (the recurrence drifts slightly from it).
  const std::vector<double> oy = symmetric_product(omega, y, k);
  for (std::size_t a = 0; a < k; ++a) {
    double s = 0;
    for (std::size_t i = 0; i < n; ++i) s += (b[a * n + i] - oy[a * n + i]) * (b[a * n + i] - oy[a * n + i]);
    if (b_norm[a] > 0) out.relative_residual = std::max(out.relative_residual, std::sqrt(s) / b_norm[a]);
  }
  if (std::any_of(active.begin(), active.end(), [](char c) { return c != 0; })) {
    std::ostringstream msg;
    msg << "LBTE conjugate gradient: no convergence to lbte_cg_tolerance = " << options.tolerance
        << " within "
        << "lbte_cg_max_iterations = " << options.max_iterations << " (relative residual reached "
        << out.relative_residual << ")";
    throw Error(msg.str());
  }
  out.Y = from_columns(y, X.shape, n, k);
  return out;
}

}  // namespace ph3mpi::solvers
