// The variants of the imaginary self energy around the band-frequency Gamma, on si-pbesol
// (9x9x9, grid points 105 and 2):
//  * frequency-resolved Gamma(omega) against phono3py 4.4 (ise_gp105.hdf5 group
//    frequency_resolved/: sigmas [None, 0.1], T = 300 K, 201 frequency points), computed
//    per triplet and from a stored interaction;
//  * gamma detail: the weighted sum over triplets of the per-triplet contributions is Gamma
//    (and its normal / umklapp parts);
//  * the band-averaged interaction (phono3py averaged_interaction) against the reference
//    interaction_strength_full, and the constant one;
//  * OpenMP: 1 and 2 threads give the same bits on every new path.
#include <gtest/gtest.h>

#include <cstring>

#include "../interaction/test_interaction_fixture.hpp"
#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/phonon/degeneracy.hpp"
#include "ph3mpi/self_energy/averaged_interaction.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/frequency_resolved.hpp"
#include "ph3mpi/self_energy/gamma_detail.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"
#include "self_energy_reference.hpp"

namespace ph3mpi::self_energy {
namespace {

using interaction::Interaction;
using testing::expect_close;
using testing::with_threads;

const std::string kCase = "si-pbesol";

// The reference crystal (fc3, atoms, masses) with the full reference BZ grid, whose
// tetrahedron data the weights need.
const Interaction& interaction_of_case() {
  static const Interaction itr = [] {
    const auto& c = interaction::testing::load_case(kCase);
    return Interaction(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses,
                       testing::load_phonon_case(kCase).bz_grid);
  }();
  return itr;
}

bool same_bits(const NdArray<double>& a, const NdArray<double>& b) {
  return a.shape == b.shape && std::memcmp(a.ptr(), b.ptr(), a.size() * sizeof(double)) == 0;
}

struct FrequencyResolvedReference {
  std::vector<double> frequency_points;
  std::vector<double> sigmas;  // -1 = tetrahedron
  NdArray<double> gammas;      // (sigma, gp, T, band, point) = (2, 1, 1, 6, 201)
};

const FrequencyResolvedReference& frequency_resolved_reference() {
  static const FrequencyResolvedReference r = [] {
    FrequencyResolvedReference d;
    const io::Hdf5File f(test::data_path(kCase + "/reference/ise_gp105.hdf5"));
    d.frequency_points = f.read_double("frequency_resolved/frequency_points").data;
    d.sigmas = f.read_double("frequency_resolved/sigmas").data;
    d.gammas = f.read_double("frequency_resolved/gammas");
    EXPECT_EQ(f.read_double("frequency_resolved/temperatures").data, std::vector<double>{300.0});
    return d;
  }();
  return r;
}

FrequencyPointWeightsFunction weights_at_points(const std::vector<double>& points,
                                                const std::vector<interaction::Triplet>& triplets,
                                                std::optional<double> sigma) {
  const auto& ph = testing::load_phonon_case(kCase);
  return [&ph, &points, &triplets, sigma](std::size_t t, double* g, std::int8_t* g_zero) {
    if (sigma) {
      interaction::set_triplets_integration_weights_sigma(g, g_zero, 2, points, {triplets[t]}, ph.frequencies,
                                                          *sigma, std::nullopt);
    } else {
      interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, points, {triplets[t]},
                                                                ph.frequencies, ph.bz_grid);
    }
  };
}

TEST(FrequencyResolvedGamma, AgainstPhono3py) {
  const auto& ph = testing::load_phonon_case(kCase);
  const auto& r = frequency_resolved_reference();
  const Interaction& itr = interaction_of_case();
  const auto points = get_frequency_points(ph.max_frequency(), {std::nullopt, 0.1}, std::nullopt, 201);
  expect_close("frequency points", points, r.frequency_points, 1e-15);
  const auto tq = interaction::get_triplets_at_q(105, ph.bz_grid);
  const NdArray<double> pp = itr.run(ph.phonons(), tq.triplets);  // stored, every element
  const std::size_t block = 6 * points.size();
  for (std::size_t s = 0; s < r.sigmas.size(); ++s) {
    const std::optional<double> sigma = r.sigmas[s] < 0 ? std::nullopt : std::optional<double>(r.sigmas[s]);
    const std::string tag = sigma ? "sigma 0.1" : "tetrahedron";
    const auto weights = weights_at_points(points, tq.triplets, sigma);
    const NdArray<double> computed = imag_self_energy_at_frequency_points(
        itr, ph.phonons(), 105, tq.triplets, tq.weights, {300.0}, points.size(), weights);
    ASSERT_EQ(computed.shape, (std::vector<std::size_t>{1, 6, points.size()}));
    expect_close("Gamma(omega) " + tag + ", computed per triplet", computed.ptr(), &r.gammas[s * block],
                 block);
    const NdArray<double> from_stored = imag_self_energy_at_frequency_points(
        itr, ph.phonons(), 105, tq.triplets, tq.weights, {300.0}, points.size(), weights, pp.ptr());
    expect_close("Gamma(omega) " + tag + ", stored vs computed", from_stored.ptr(), computed.ptr(), block,
                 1e-12);
  }
}

TEST(FrequencyResolvedGamma, MatchesBandFrequencyGammaAtTheBands) {
  // At omega = the frequency of a non-degenerate band j0, Gamma_j0(omega) is Gamma_j0.
  const auto& ph = testing::load_phonon_case(kCase);
  const auto& ref = interaction::testing::load_grid_point(kCase, 105);
  const Interaction& itr = interaction_of_case();
  const double* f = ph.phonons().frequencies_at(105);
  const std::vector<double> points(f, f + 6);
  const auto tq = interaction::get_triplets_at_q(105, ph.bz_grid);
  const NdArray<double> g =
      imag_self_energy_at_frequency_points(itr, ph.phonons(), 105, tq.triplets, tq.weights, ref.temperatures,
                                           6, weights_at_points(points, tq.triplets, std::nullopt));
  std::vector<double> diagonal, expected;
  for (std::size_t k = 0; k < ref.temperatures.size(); ++k) {
    for (std::size_t j = 0; j < 6; ++j) {
      diagonal.push_back(g[(k * 6 + j) * 6 + j]);
      expected.push_back(ref.gamma_tetrahedron[k * 6 + j]);
    }
  }
  expect_close("Gamma_j(omega = f_j) vs Gamma_j", diagonal, expected);
}

TEST(FrequencyResolvedGamma, BitIdenticalForOneAndTwoThreads) {
  const auto& ph = testing::load_phonon_case(kCase);
  const Interaction& itr = interaction_of_case();
  const auto points = get_frequency_points(ph.max_frequency(), {0.1}, std::nullopt, 41);
  for (const std::int64_t gp : {105, 2}) {
    const auto tq = interaction::get_triplets_at_q(gp, ph.bz_grid);
    const NdArray<double> pp = itr.run(ph.phonons(), tq.triplets);
    for (const std::optional<double> sigma : {std::optional<double>(), std::optional<double>(0.1)}) {
      const auto weights = weights_at_points(points, tq.triplets, sigma);
      for (const double* stored : {static_cast<const double*>(nullptr), pp.ptr()}) {
        const auto run = [&] {
          return imag_self_energy_at_frequency_points(itr, ph.phonons(), gp, tq.triplets, tq.weights,
                                                      {0.0, 300.0}, points.size(), weights, stored);
        };
        const auto one = with_threads(1, run);
        const auto two = with_threads(2, run);
        EXPECT_TRUE(same_bits(one, two))
            << "gp " << gp << (sigma ? " sigma" : " tetrahedron") << (stored ? " stored" : " computed");
      }
    }
  }
}

TEST(GammaDetail, WeightedSumOverTripletsIsGamma) {
  const auto& c = interaction::testing::load_case(kCase);
  for (const std::int64_t gp : {105, 2}) {
    const auto& ref = interaction::testing::load_grid_point(kCase, gp);
    const std::string tag = "[gp" + std::to_string(gp) + "]";
    const std::size_t n = ref.triplets.size(), nt = ref.temperatures.size(), nb = 6, per = nb * nb * nb;
    const std::vector<std::int64_t> bands = {0, 1, 2, 3, 4, 5};
    const NdArray<double> detail = detailed_imag_self_energy_with_g(
        ref.pp_full.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets, c.phonons(),
        nb, ref.temperatures, ref.cutoff_frequency);
    ASSERT_EQ(detail.shape, (std::vector<std::size_t>{nt, n, nb, nb, nb}));
    NdArray<double> sum({nt, nb}, 0.0), normal({nt, nb}, 0.0), umklapp({nt, nb}, 0.0);
    for (std::size_t k = 0; k < nt; ++k) {
      for (std::size_t t = 0; t < n; ++t) {
        const bool is_n = interaction::is_normal_process(ref.triplets[t], c.bz_grid);
        for (std::size_t j0 = 0; j0 < nb; ++j0) {
          double s = 0;
          for (std::size_t x = 0; x < nb * nb; ++x) s += detail[(k * n + t) * per + j0 * nb * nb + x];
          const double v = static_cast<double>(ref.weights[t]) * s;
          sum[k * nb + j0] += v;
          (is_n ? normal : umklapp)[k * nb + j0] += v;
        }
      }
    }
    const double* f_gp = c.phonons().frequencies_at(static_cast<std::size_t>(gp));
    for (NdArray<double>* a : {&sum, &normal, &umklapp}) average_by_degeneracy(*a, bands, f_gp, nb);
    const ImagSelfEnergy direct = imag_self_energy_with_g(
        gp, ref.pp_full.ptr(), ref.g_tetrahedron.ptr(), ref.g_zero_tetrahedron.data(), ref.triplets,
        ref.weights, c.phonons(), bands, ref.temperatures, ref.cutoff_frequency, c.bz_grid, true);
    expect_close(tag + " sum of gamma_detail vs Gamma", sum.ptr(), direct.gamma.ptr(), sum.size(), 1e-12);
    expect_close(tag + " sum of gamma_detail vs phono3py Gamma", sum.ptr(), ref.gamma_tetrahedron.ptr(),
                 sum.size());
    if (ref.gamma_N_tetrahedron.size() != 0) {
      expect_close(tag + " normal part vs phono3py gamma_N", normal.ptr(), ref.gamma_N_tetrahedron.ptr(),
                   normal.size());
      expect_close(tag + " umklapp part vs phono3py gamma_U", umklapp.ptr(), ref.gamma_U_tetrahedron.ptr(),
                   umklapp.size());
    }
    const auto run = [&] {
      return detailed_imag_self_energy_with_g(ref.pp_full.ptr(), ref.g_sigma.ptr(), nullptr, ref.triplets,
                                              c.phonons(), nb, ref.temperatures, ref.cutoff_frequency);
    };
    EXPECT_TRUE(same_bits(with_threads(1, run), with_threads(2, run))) << tag;
  }
}

// sum_t w_t sum_{j1 j2} P(t, j0, j1, j2) / nb^2 written out plainly (PRB 91, 094306, Eq. 21).
std::vector<double> plain_average(const NdArray<double>& pp, const std::vector<std::int64_t>& weights) {
  const std::size_t n = pp.shape[0], nb0 = pp.shape[1], nb = pp.shape[2];
  std::vector<double> ave(nb0, 0.0);
  for (std::size_t j0 = 0; j0 < nb0; ++j0) {
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t x = 0; x < nb * nb; ++x) {
        ave[j0] += static_cast<double>(weights[t]) * pp[(t * nb0 + j0) * nb * nb + x];
      }
    }
    ave[j0] /= static_cast<double>(nb * nb);
  }
  return ave;
}

// Means over the degenerate sets of q0 (the per-band values inside a set depend on the
// eigenvector gauge).
std::vector<double> degenerate_means(const std::vector<double>& v, const double* freqs, std::size_t nb) {
  std::vector<double> out(v.size());
  for (const auto& dset : phonon::degenerate_sets(freqs, nb)) {
    double s = 0;
    for (const std::size_t b : dset) s += v[b];
    for (const std::size_t b : dset) out[b] = s / static_cast<double>(dset.size());
  }
  return out;
}

TEST(AveragedInteraction, AgainstReferenceInteractionStrength) {
  const auto& c = interaction::testing::load_case(kCase);
  const Interaction itr(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses, c.bz_grid);
  for (const std::int64_t gp : {105, 2}) {
    const auto& ref = interaction::testing::load_grid_point(kCase, gp);
    const std::string tag = "[gp" + std::to_string(gp) + "]";
    const NdArray<double> pp = itr.run(c.phonons(), ref.triplets);
    const std::vector<double> ave = averaged_interaction(pp.ptr(), ref.triplets.size(), 6, 6, ref.weights);
    const double* f = c.phonons().frequencies_at(static_cast<std::size_t>(gp));
    expect_close(tag + " ave_pp (degenerate-set means) vs reference interaction_strength_full",
                 degenerate_means(ave, f, 6),
                 degenerate_means(plain_average(ref.pp_full, ref.weights), f, 6));
    // Replacing P by P_ave / N keeps the average; the constant gives itself back.
    const NdArray<double> flat = interaction_from_averaged(ave, ref.triplets.size(), 6, 729);
    expect_close(tag + " average of the averaged interaction",
                 averaged_interaction(flat.ptr(), ref.triplets.size(), 6, 6, ref.weights), ave, 1e-13);
    const NdArray<double> constant = constant_interaction(2.5e-10, ref.triplets.size(), 6, 6, 729);
    expect_close(tag + " average of the constant interaction",
                 averaged_interaction(constant.ptr(), ref.triplets.size(), 6, 6, ref.weights),
                 std::vector<double>(6, 2.5e-10), 1e-13);
  }
  EXPECT_THROW(averaged_interaction(nullptr, 3, 6, 6, {1, 2}), Error);
}

TEST(StoredInteractionPath, EqualsLowMemoryPathAndThreadIndependent) {
  // is_full_pp: Gamma from the stored full interaction with our own weights equals the
  // sum taken without storing it (pp_collision) to rounding.
  const auto& ph = testing::load_phonon_case(kCase);
  const Interaction& itr = interaction_of_case();
  const std::vector<double> temperatures = {0.0, 300.0, 1000.0};
  for (const std::int64_t gp : {105, 2}) {
    const auto tq = interaction::get_triplets_at_q(gp, ph.bz_grid);
    const double* f = ph.phonons().frequencies_at(static_cast<std::size_t>(gp));
    const std::vector<double> f0(f, f + 6);
    for (const std::optional<double> sigma : {std::optional<double>(), std::optional<double>(0.1)}) {
      const auto iw = interaction::get_triplets_integration_weights(f0, tq.triplets, ph.frequencies,
                                                                    ph.bz_grid, sigma, std::nullopt);
      const auto stored = [&] {
        const NdArray<double> pp = itr.run(ph.phonons(), tq.triplets);
        return imag_self_energy_with_g(gp, pp.ptr(), iw.g.ptr(), iw.g_zero.ptr(), tq.triplets, tq.weights,
                                       ph.phonons(), itr.band_indices(), temperatures, itr.cutoff_frequency(),
                                       ph.bz_grid, true);
      };
      const ImagSelfEnergy one = with_threads(1, stored);
      const ImagSelfEnergy two = with_threads(2, stored);
      EXPECT_TRUE(same_bits(one.gamma, two.gamma) && same_bits(one.gamma_N, two.gamma_N));
      const std::size_t n = tq.triplets.size(), per = 6 * 6 * 6;
      const TripletWeightsFunction copy = [&](std::size_t t, double* g, std::int8_t* g_zero) {
        std::copy(&iw.g[t * per], &iw.g[(t + 1) * per], g);
        std::copy(&iw.g[(n + t) * per], &iw.g[(n + t + 1) * per], g + per);
        std::copy(&iw.g_zero[t * per], &iw.g_zero[(t + 1) * per], g_zero);
      };
      const ImagSelfEnergy low =
          pp_collision(itr, ph.phonons(), gp, tq.triplets, tq.weights, temperatures, copy, ph.bz_grid, true);
      const std::string tag = "[gp" + std::to_string(gp) + (sigma ? " sigma" : " tetrahedron") + "] full pp";
      expect_close(tag + " vs low memory", one.gamma.ptr(), low.gamma.ptr(), one.gamma.size(), 1e-12);
      expect_close(tag + " vs low memory, normal", one.gamma_N.ptr(), low.gamma_N.ptr(), one.gamma.size(),
                   1e-12);
      expect_close(tag + " vs low memory, umklapp", one.gamma_U.ptr(), low.gamma_U.ptr(), one.gamma.size(),
                   1e-12);
    }
  }
}

}  // namespace
}  // namespace ph3mpi::self_energy
