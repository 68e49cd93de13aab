// Phonons at many q-points (phono3py run_phonon_solver_c: build D(q), zheevd 'L',
// sign(lambda) sqrt|lambda| * factor), OpenMP over q-points.
#include "ph3mpi/phonon/phonon_solver.hpp"

#include <cstdint>
#include <exception>

#include "ph3mpi/phonon/eigensolver.hpp"

namespace ph3mpi::phonon {

void solve_phonons(const DynamicalMatrix& dm, const std::vector<Eigen::Vector3d>& qpoints, std::size_t begin,
                   std::size_t end, double* frequencies, std::complex<double>* eigenvectors,
                   const std::optional<Eigen::Vector3d>& q_direction, double frequency_factor_to_thz) {
  const std::size_t nb = dm.num_band();
  const std::int64_t first = std::int64_t(begin);
  const std::int64_t last = std::int64_t(std::min(end, qpoints.size()));
  std::exception_ptr error;
#pragma omp parallel
  {
    Eigen::MatrixXcd d;
    Eigen::MatrixXcd vecs;
    Eigen::VectorXd vals;
#pragma omp for schedule(dynamic)
    for (std::int64_t iq = first; iq < last; ++iq) {
      try {
        const std::size_t q = std::size_t(iq);
        dm.compute(qpoints[q], q_direction, d, DynamicalMatrix::GammaConvention::kPhono3pyGrid);
        hermitian_eigh(d, vals, vecs);
        double* f = frequencies + q * nb;
        std::complex<double>* e = eigenvectors + q * nb * nb;
        for (std::size_t b = 0; b < nb; ++b)
          f[b] = eigenvalue_to_frequency(vals(Eigen::Index(b)), frequency_factor_to_thz);
        for (std::size_t c = 0; c < nb; ++c)
          for (std::size_t b = 0; b < nb; ++b) e[c * nb + b] = vecs(Eigen::Index(c), Eigen::Index(b));
      } catch (...) {
#pragma omp critical(ph3mpi_phonon_solver_error)
        if (!error) error = std::current_exception();
      }
    }
  }
  if (error) std::rethrow_exception(error);
}

Phonons solve_phonons(const DynamicalMatrix& dm, const std::vector<Eigen::Vector3d>& qpoints,
                      const std::optional<Eigen::Vector3d>& q_direction, double frequency_factor_to_thz) {
  const std::size_t nb = dm.num_band();
  Phonons ph;
  ph.frequencies = NdArray<double>({qpoints.size(), nb});
  ph.eigenvectors = NdArray<std::complex<double>>({qpoints.size(), nb, nb});
  solve_phonons(dm, qpoints, 0, qpoints.size(), ph.frequencies.ptr(), ph.eigenvectors.ptr(), q_direction,
                frequency_factor_to_thz);
  return ph;
}

}  // namespace ph3mpi::phonon
