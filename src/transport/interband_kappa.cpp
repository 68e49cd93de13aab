// Inter-band conductivity per grid point (see interband_kappa.hpp for the formulas).
#include "ph3mpi/transport/interband_kappa.hpp"

#include <cmath>
#include <string>

#include "ph3mpi/common/error.hpp"

// numpy's operation order is repeated below; no implicit a*b+c fusion.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace ph3mpi::transport {
namespace {

void require(bool condition, const std::string& what) {
  if (!condition) throw Error("interband_kappa: " + what);
}

// K_jj'[p] = ((((C_jj' vv_p) g) / denom) c), 0 where not finite (phono3py's numpy order).
template <typename Visit>
void for_each_mode_kappa(const double* frequencies, const double* gamma, const double* cv_matrix,
                         const double* vm_by_vm, std::size_t nb, double conversion_factor, Visit&& visit) {
  for (std::size_t j = 0; j < nb; ++j) {
    for (std::size_t k = 0; k < nb; ++k) {
      const double g = gamma[j] + gamma[k];
      const double dw = frequencies[j] - frequencies[k];
      const double denom = dw * dw + g * g;
      const double c = cv_matrix[j * nb + k];
      const double* vv = vm_by_vm + (j * nb + k) * 6;
      for (std::size_t p = 0; p < 6; ++p) {
        const double value = c * vv[p] * g / denom * conversion_factor;
        visit(j, k, p, std::isfinite(value) ? value : 0.0);
      }
    }
  }
}

}  // namespace

void interband_mode_kappa_matrix(const double* frequencies, const double* gamma, const double* cv_matrix,
                                 const double* vm_by_vm, std::size_t num_band, double conversion_factor,
                                 double* mode_kappa_matrix) {
  for_each_mode_kappa(frequencies, gamma, cv_matrix, vm_by_vm, num_band, conversion_factor,
                      [&](std::size_t j, std::size_t k, std::size_t p, double value) {
                        mode_kappa_matrix[(j * num_band + k) * 6 + p] = value;
                      });
}

InterbandKappaSums interband_kappa_sums(const double* frequencies, const double* gamma,
                                        const double* cv_matrix, const double* vm_by_vm, std::size_t num_band,
                                        double conversion_factor) {
  InterbandKappaSums sums;
  for_each_mode_kappa(frequencies, gamma, cv_matrix, vm_by_vm, num_band, conversion_factor,
                      [&](std::size_t j, std::size_t k, std::size_t p, double value) {
                        sums.total[p] += value;
                        if (j == k) sums.intra[p] += value;
                      });
  return sums;
}

NdArray<double> interband_kappa_at_grid_point(const InterbandGridPointInput& input,
                                              const InterbandSettings& settings) {
  require(input.frequencies != nullptr && input.vm_by_vm != nullptr && input.gamma != nullptr,
          "frequencies, vm_by_vm and gamma are required");
  require(input.num_band > 0, "num_band must be positive");
  const std::size_t nb = input.num_band;
  const std::size_t num_sigma = input.num_sigma;
  const std::size_t num_temp = settings.temperatures.size();
  NdArray<double> out({num_sigma, num_temp, 2, 6});
  std::vector<double> cv_matrix(nb * nb);
  std::vector<double> gamma_eff(nb);
  for (std::size_t t = 0; t < num_temp; ++t) {
    heat_capacity_matrix(settings.variant, input.frequencies, nb, settings.temperatures[t],
                         settings.cutoff_frequency, cv_matrix.data());
    for (std::size_t s = 0; s < num_sigma; ++s) {
      const double* g = input.gamma + (s * num_temp + t) * nb;
      for (std::size_t j = 0; j < nb; ++j) {
        double v = g[j];
        if (input.gamma_isotope != nullptr) v += input.gamma_isotope[s * nb + j];
        if (input.gamma_boundary != nullptr) v += input.gamma_boundary[j];
        gamma_eff[j] = v;
      }
      const InterbandKappaSums sums =
          interband_kappa_sums(input.frequencies, gamma_eff.data(), cv_matrix.data(), input.vm_by_vm, nb,
                               settings.conversion_factor);
      double* o = out.ptr() + (s * num_temp + t) * 12;
      for (std::size_t p = 0; p < 6; ++p) {
        o[p] = sums.total[p];
        o[6 + p] = sums.intra[p];
      }
    }
  }
  return out;
}

InterbandKappa finish_interband_kappa(const NdArray<double>& contributions, std::int64_t num_mesh_points) {
  require(contributions.rank() == 5 && contributions.shape[3] == 2 && contributions.shape[4] == 6,
          "contributions must have shape (num_gp, num_sigma, num_temp, 2, 6), got " +
              contributions.shape_string());
  require(num_mesh_points > 0, "num_mesh_points must be positive");
  const std::size_t num_gp = contributions.shape[0];
  const std::size_t num_sigma = contributions.shape[1];
  const std::size_t num_temp = contributions.shape[2];
  const std::size_t block = num_sigma * num_temp;
  InterbandKappa out{NdArray<double>({num_sigma, num_temp, 6}), NdArray<double>({num_sigma, num_temp, 6}),
                     NdArray<double>({num_sigma, num_temp, 6})};
  for (std::size_t i = 0; i < num_gp; ++i) {
    for (std::size_t st = 0; st < block; ++st) {
      const double* c = contributions.ptr() + (i * block + st) * 12;
      for (std::size_t p = 0; p < 6; ++p) {
        out.kappa[st * 6 + p] += c[p];
        out.kappa_intra[st * 6 + p] += c[6 + p];
      }
    }
  }
  const double n = double(num_mesh_points);
  for (std::size_t i = 0; i < block * 6; ++i) {
    out.kappa[i] /= n;
    out.kappa_intra[i] /= n;
    out.kappa_inter[i] = out.kappa[i] - out.kappa_intra[i];
  }
  return out;
}

}  // namespace ph3mpi::transport
