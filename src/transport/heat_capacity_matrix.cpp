// Heat-capacity matrices of the inter-band conductivity (see heat_capacity_matrix.hpp).
#include "ph3mpi/transport/heat_capacity_matrix.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/units.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"

// numpy's operation order is repeated below; no implicit a*b+c fusion.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace ph3mpi::transport {

std::optional<InterbandVariant> parse_interband_variant(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "njc23") return InterbandVariant::kNJC23;
  if (lower == "ibdb19") return InterbandVariant::kIBDB19;
  if (lower == "smm19") return InterbandVariant::kSMM19;
  return std::nullopt;
}

std::string interband_variant_name(InterbandVariant variant) {
  switch (variant) {
    case InterbandVariant::kNJC23:
      return "NJC23";
    case InterbandVariant::kIBDB19:
      return "IBDB19";
    case InterbandVariant::kSMM19:
      return "SMM19";
  }
  throw Error("interband_variant_name: unknown variant");
}

void heat_capacity_matrix(InterbandVariant variant, const double* frequencies, std::size_t num_band,
                          double temperature, double cutoff_frequency, double* cv_matrix) {
  if (frequencies == nullptr || cv_matrix == nullptr) throw Error("heat_capacity_matrix: null array");
  const std::size_t nb = num_band;
  std::vector<double> e(nb);   // h f, eV
  std::vector<double> cv(nb);  // C_j with the cutoff (the fallback of non-finite entries)
  std::vector<char> above_cutoff(nb);
  const double cutoff_ev = cutoff_frequency * units::kTHzToEv;
  for (std::size_t j = 0; j < nb; ++j) {
    e[j] = frequencies[j] * units::kTHzToEv;
    above_cutoff[j] = e[j] > cutoff_ev;
    cv[j] = phonon::mode_heat_capacity(frequencies[j], temperature, cutoff_frequency);
  }

  std::vector<double> n(nb);              // Bose-Einstein occupation (njc23, ibdb19)
  std::vector<double> cv_per_energy(nb);  // C_j / E_j without cutoff, 0 where not finite (smm19)
  const double kt = units::kKb * temperature;
  for (std::size_t j = 0; j < nb; ++j) {
    const double x = e[j] / kt;
    const double ex = std::exp(x);
    n[j] = 1.0 / (ex - 1);
    const double c = units::kKb * (x * x) * ex / ((ex - 1.0) * (ex - 1.0));  // phonopy mode_cv
    const double r = c / e[j];
    cv_per_energy[j] = std::isfinite(r) ? r : 0.0;
  }

  for (std::size_t j = 0; j < nb; ++j) {
    for (std::size_t k = 0; k < nb; ++k) {
      double value = 0.0;
      if (above_cutoff[j] && above_cutoff[k]) {
        switch (variant) {
          case InterbandVariant::kNJC23: {
            const double sum = e[j] + e[k];
            const double prefactor = sum * sum / 4;
            value = -prefactor / temperature * (n[j] - n[k]) / (e[j] - e[k]);
            break;
          }
          case InterbandVariant::kIBDB19: {
            const double prefactor = e[j] * e[k];
            value = -prefactor / temperature * (n[j] - n[k]) / (e[j] - e[k]);
            break;
          }
          case InterbandVariant::kSMM19:
            value = 0.25 * (e[j] + e[k]) * (cv_per_energy[j] + cv_per_energy[k]);
            break;
        }
        if (!std::isfinite(value)) value = cv[k];
      }
      cv_matrix[j * nb + k] = value;
    }
  }
}

}  // namespace ph3mpi::transport
