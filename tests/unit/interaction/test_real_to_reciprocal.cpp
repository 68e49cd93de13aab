// The lattice-vector fc3 transform (RealToReciprocal) against the atom-pair kernel
// it replaced (RealToReciprocalPairs): fc3 at the triplets and the interaction strength
// of the full and g_zero paths, for every reference crystal and grid point, at 1e-12.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstring>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "real_to_reciprocal_pairs.hpp"
#include "test_interaction_fixture.hpp"

namespace ph3mpi::interaction {
namespace {

using testing::load_case;
using testing::load_grid_point;
using Complex = std::complex<double>;

// "Relative" here is relative to the scale of the array: max |a - b| / max |b|. Elements
// far below the largest are sums with heavy cancellation (symmetry makes many vanish
// exactly), so any change in the order of the additions moves them by ~1e-16 of the
// largest element, which is a large fraction of themselves; element-by-element ratios
// are printed for information (above 1e-6 of the scale).
struct ComplexDeviation {
  double max_over_scale = 0, max_elementwise = 0;
};

template <typename A, typename B>
ComplexDeviation compare(const A* a, const B* b, std::size_t n) {
  double scale = 0;
  for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, static_cast<double>(std::abs(b[i])));
  ComplexDeviation d;
  for (std::size_t i = 0; i < n; ++i) {
    const double diff = static_cast<double>(std::abs(static_cast<B>(a[i]) - b[i]));
    d.max_over_scale = std::max(d.max_over_scale, diff / scale);
    if (std::abs(b[i]) > 1e-6 * scale) {
      d.max_elementwise = std::max(d.max_elementwise, diff / static_cast<double>(std::abs(b[i])));
    }
  }
  return d;
}

std::vector<Complex> transform_pairs(const RealToReciprocalPairs& r2r, const std::vector<Triplet>& triplets) {
  const std::size_t nb = r2r.num_band(), nb3 = nb * nb * nb;
  std::vector<Complex> out(triplets.size() * nb3);
  RealToReciprocalPairs::Workspace ws;
  r2r.run(r2r.prepare_q0s(triplets.data(), triplets.size()), triplets.data(), triplets.size(), out.data(),
          ws);
  return out;
}

// The q0 sums of the triplets: in the form prepare_q0s chooses for them, or all direct.
enum class Form { kChosen, kDirect };

std::vector<RealToReciprocal::Q0Sums> q0_sums(const RealToReciprocal& r2r,
                                              const std::vector<Triplet>& triplets, Form form) {
  if (form == Form::kChosen) return r2r.prepare_q0s(triplets.data(), triplets.size());
  std::vector<RealToReciprocal::Q0Sums> q0s;
  for (const Triplet& tp : triplets) {
    const std::int64_t gp = tp[0];
    if (std::none_of(q0s.begin(), q0s.end(), [gp](const auto& q) { return q.grid_point == gp; })) {
      q0s.push_back(r2r.prepare_q0(gp));
    }
  }
  return q0s;
}

std::vector<Complex> transform(const RealToReciprocal& r2r, const std::vector<RealToReciprocal::Q0Sums>& q0s,
                               const std::vector<Triplet>& triplets) {
  const std::size_t nb = r2r.num_band(), nb3 = nb * nb * nb;
  std::vector<Complex> out(triplets.size() * nb3);
  RealToReciprocal::Workspace ws;
  r2r.run(q0s, triplets.data(), triplets.size(), out.data(), ws);
  return out;
}

std::vector<Complex> transform(const RealToReciprocal& r2r, const std::vector<Triplet>& triplets,
                               Form form = Form::kChosen) {
  return transform(r2r, q0_sums(r2r, triplets, form), triplets);
}

// The interaction strength (eV^2) with the atom-pair kernel: the pipeline of
// Interaction::run with RealToReciprocalPairs in place of RealToReciprocal.
std::vector<double> strength_pairs(const testing::CaseData& c, const Interaction& itr,
                                   const std::vector<Triplet>& triplets, const std::int8_t* g_zero) {
  const RealToReciprocalPairs pairs(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  const std::vector<Complex> fc3_rec = transform_pairs(pairs, triplets);
  const std::size_t nb = itr.num_band(), nb3 = nb * nb * nb, per = itr.num_band0() * nb * nb;
  std::vector<double> out(triplets.size() * per);
  ReciprocalToNormal::Workspace ws;
  for (std::size_t t = 0; t < triplets.size(); ++t) {
    itr.reciprocal_to_normal().run(&fc3_rec[t * nb3], c.phonons(), triplets[t],
                                   g_zero != nullptr ? g_zero + t * per : nullptr, &out[t * per], ws);
  }
  for (double& x : out) x *= itr.unit_conversion_factor();
  return out;
}

// phono3py's formula (real_to_reciprocal_r0_average, header of real_to_reciprocal.hpp)
// summed term by term in long double (64-bit mantissa), as the exact value both kernels
// are measured against.
std::vector<std::complex<long double>> exact_fc3(const testing::CaseData& c, const Triplet& tp) {
  using LComplex = std::complex<long double>;
  const AtomTriplets& at = c.atoms;
  const std::size_t n_p = at.n_patom, n_s = at.n_satom, nb = 3 * n_p;
  const long double two_pi = 2 * 3.141592653589793238462643383279502884L;
  std::array<std::array<long double, 3>, 3> q{};  // q0, q1, q2 reduced
  for (std::size_t x = 0; x < 3; ++x) {
    const auto& adr = c.bz_grid.addresses[static_cast<std::size_t>(tp[x])];
    for (int k = 0; k < 3; ++k) {
      for (int l = 0; l < 3; ++l) {
        q[x][static_cast<std::size_t>(k)] += static_cast<long double>(c.bz_grid.Q(k, l)) *
                                             static_cast<long double>(adr(l)) /
                                             static_cast<long double>(c.bz_grid.D_diag(l));
      }
    }
  }
  const auto phase = [&](std::size_t x, const Eigen::Vector3d& v) {
    long double t = 0;
    for (std::size_t k = 0; k < 3; ++k)
      t += q[x][k] * static_cast<long double>(v(static_cast<Eigen::Index>(k)));
    return LComplex(std::cos(two_pi * t), std::sin(two_pi * t));
  };
  // P_x(a, J) = <e^{2 pi i q_x.s}> over the shortest vectors from a to J.
  std::vector<LComplex> P[3];
  for (std::size_t x = 0; x < 3; ++x) {
    P[x].resize(n_p * n_s);
    for (std::size_t a = 0; a < n_p; ++a) {
      for (std::size_t J = 0; J < n_s; ++J) {
        const auto m = at.multi[J * n_p + a];
        LComplex sum = 0;
        for (std::int64_t s = m[1]; s < m[1] + m[0]; ++s)
          sum += phase(x, at.svecs[static_cast<std::size_t>(s)]);
        P[x][a * n_s + J] = sum / static_cast<long double>(m[0]);
      }
    }
  }
  std::vector<LComplex> e(n_p);  // e^{2 pi i (q0+q1+q2).d_a}
  std::vector<std::size_t> type(n_s);
  for (std::size_t a = 0; a < n_p; ++a) {
    const Eigen::Vector3d d =
        at.svecs[static_cast<std::size_t>(at.multi[static_cast<std::size_t>(at.p2s_map[a]) * n_p][1])];
    e[a] = phase(0, d) * phase(1, d) * phase(2, d);
    for (std::size_t s = 0; s < n_s; ++s) {
      if (at.s2p_map[s] == at.p2s_map[a]) type[s] = a;
    }
  }
  const auto fc3 = [&](std::size_t a, std::size_t J, std::size_t K) -> const double* {
    const std::size_t block = (a * n_s + J) * n_s + K;
    const std::int8_t* nz = c.nonzero_indices();
    return nz != nullptr && nz[block] == 0 ? nullptr : c.fc3.fc.ptr() + block * 27;
  };
  const auto shortest = [&](std::size_t a, std::size_t J, std::size_t K) {
    return at.all_shortest[(a * n_s + J) * n_s + K] != 0;
  };
  std::vector<LComplex> out(nb * nb * nb);
  const auto add = [&](std::size_t i, std::size_t j, std::size_t k, LComplex z, const double* f, int leg) {
    for (std::size_t l = 0; l < 3; ++l) {
      for (std::size_t m = 0; m < 3; ++m) {
        for (std::size_t n = 0; n < 3; ++n) {
          const std::size_t src = leg == 1   ? l * 9 + m * 3 + n
                                  : leg == 2 ? m * 9 + l * 3 + n
                                             : n * 9 + m * 3 + l;
          out[((3 * i + l) * nb + 3 * j + m) * nb + 3 * k + n] += z * static_cast<long double>(f[src]);
        }
      }
    }
  };
  for (std::size_t a = 0; a < n_p; ++a) {
    for (std::size_t U = 0; U < n_s; ++U) {
      for (std::size_t V = 0; V < n_s; ++V) {
        const double* f = fc3(a, U, V);
        if (f == nullptr) continue;
        const bool s3 = shortest(a, U, V);
        // leg 1: anchor i = a, (J, K) = (U, V)
        add(a, type[U], type[V], e[a] * P[1][a * n_s + U] * P[2][a * n_s + V] * (s3 ? 3.0L : 1.0L), f, 1);
        if (s3) continue;
        // leg 2: anchor j = a, (I, K) = (U, V); leg 3: anchor k = a, (J, I) = (U, V)
        add(type[U], a, type[V], e[a] * P[0][a * n_s + U] * P[2][a * n_s + V], f, 2);
        add(type[V], type[U], a, e[a] * P[1][a * n_s + U] * P[0][a * n_s + V], f, 3);
      }
    }
  }
  for (auto& z : out) z /= 3.0L;
  return out;
}

// Both kernels against the long-double sum: their differences are round-off. The
// lattice form sums W(L) over many cells before the phases cancel, so on NaCl it keeps
// ~1e-13 of the largest element instead of ~1e-15 (asserted at 5e-13 for both).
TEST(RealToReciprocalGemm, BothKernelsAgreeWithLongDoubleSum) {
  for (const auto& name : testing::case_names()) {
    const auto& c = load_case(name);
    const RealToReciprocal gemm(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
    const RealToReciprocalPairs pairs(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
    const auto& ref = load_grid_point(name, testing::grid_points(name)[0]);
    std::vector<Triplet> some;
    for (std::size_t t = 0; t < ref.triplets.size(); t += 1 + ref.triplets.size() / 6)
      some.push_back(ref.triplets[t]);
    const std::vector<Complex> a = transform(gemm, some);
    const std::vector<Complex> b = transform_pairs(pairs, some);
    std::vector<std::complex<long double>> exact;
    for (const Triplet& tp : some) {
      const auto x = exact_fc3(c, tp);
      exact.insert(exact.end(), x.begin(), x.end());
    }
    const ComplexDeviation dg = compare(a.data(), exact.data(), a.size());
    const ComplexDeviation dp = compare(b.data(), exact.data(), b.size());
    std::printf(
        "[%s] %zu triplets vs long double: lattice form %.2e (elementwise %.2e), pair form %.2e "
        "(elementwise %.2e) of max|fc3|\n",
        name.c_str(), some.size(), dg.max_over_scale, dg.max_elementwise, dp.max_over_scale,
        dp.max_elementwise);
    EXPECT_LT(dg.max_over_scale, 5e-13) << name;
    EXPECT_LT(dp.max_over_scale, 5e-13) << name;
  }
}

class RealToReciprocalGemm : public ::testing::TestWithParam<std::string> {};

// Both forms of the q0 sums: direct (prepare_q0) and as chosen for the triplets by
// prepare_q0s (separable for the larger grid points of Si, NaCl, MgO and AlN).
TEST_P(RealToReciprocalGemm, MatchesAtomPairKernel) {
  const auto& c = load_case(GetParam());
  const RealToReciprocal gemm(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  const RealToReciprocalPairs pairs(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  std::size_t separable = 0;
  for (const std::int64_t gp : testing::grid_points(GetParam())) {
    const auto& ref = load_grid_point(GetParam(), gp);
    const std::vector<Complex> b = transform_pairs(pairs, ref.triplets);
    for (const Form form : {Form::kDirect, Form::kChosen}) {
      const auto q0s = q0_sums(gemm, ref.triplets, form);
      const bool is_separable = q0s.front().separable();
      separable += is_separable ? 1 : 0;
      const std::vector<Complex> a = transform(gemm, q0s, ref.triplets);
      const ComplexDeviation d = compare(a.data(), b.data(), a.size());
      std::printf(
          "[%s gp%lld] fc3 at %zu triplets, %s form: %zu lattice vectors, %zu product rows (%zu atom pairs); "
          "max |diff|/max|ref| %.2e, max |diff|/|ref| (|ref| > 1e-6 max) %.2e\n",
          GetParam().c_str(), static_cast<long long>(gp), ref.triplets.size(),
          is_separable ? "separable" : "direct", gemm.num_lattice_vectors(), gemm.num_rows(),
          c.atoms.n_patom * c.atoms.n_satom * c.atoms.n_satom, d.max_over_scale, d.max_elementwise);
      EXPECT_LT(d.max_over_scale, 1e-12);
    }
  }
  EXPECT_GT(separable, 0u) << "prepare_q0s chose the direct form everywhere: the separable one is untested";
}

TEST_P(RealToReciprocalGemm, InteractionStrengthMatchesAtomPairKernel) {
  const auto& c = load_case(GetParam());
  const Interaction itr(c.fc3.fc, c.nonzero_indices(), c.atoms, c.masses, c.bz_grid);
  for (const std::int64_t gp : testing::grid_points(GetParam())) {
    const auto& ref = load_grid_point(GetParam(), gp);
    for (const bool g_zero_path : {false, true}) {
      const std::int8_t* g_zero = g_zero_path ? ref.g_zero_tetrahedron.data() : nullptr;
      const NdArray<double> pp = itr.run(c.phonons(), ref.triplets, g_zero);
      const std::vector<double> expected = strength_pairs(c, itr, ref.triplets, g_zero);
      ASSERT_EQ(pp.size(), expected.size());
      double scale = 0, worst = 0;
      for (std::size_t i = 0; i < pp.size(); ++i) scale = std::max(scale, std::abs(expected[i]));
      for (std::size_t i = 0; i < pp.size(); ++i)
        worst = std::max(worst, std::abs(pp[i] - expected[i]) / scale);
      const auto d = testing::relative_deviation(pp.ptr(), expected.data(), pp.size(), 1e-6, g_zero_path);
      std::printf(
          "[%s gp%lld] %s pp: max |diff|/max|ref| %.2e; max |diff|/|ref| over the %zu entries above "
          "1e-6 of the largest %.2e\n",
          GetParam().c_str(), static_cast<long long>(gp), g_zero_path ? "g_zero" : "full", worst, d.compared,
          d.max_relative);
      EXPECT_LT(worst, 1e-12);
      EXPECT_LT(d.max_relative, 1e-8);  // strict_zero: skipped elements are exactly zero in both
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllCases, RealToReciprocalGemm, ::testing::ValuesIn(testing::case_names()),
                         [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (char& ch : s) ch = ch == '-' ? '_' : ch;
                           return s;
                         });

TEST(RealToReciprocalGemm, WithoutR0AverageMatchesAtomPairKernel) {
  const auto& c = load_case("aln-lda");
  const RealToReciprocal gemm(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid, false);
  const RealToReciprocalPairs pairs(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid, false);
  const auto& ref = load_grid_point("aln-lda", 64);
  const std::vector<Complex> a = transform(gemm, ref.triplets);
  const std::vector<Complex> b = transform_pairs(pairs, ref.triplets);
  const ComplexDeviation d = compare(a.data(), b.data(), a.size());
  EXPECT_LT(d.max_over_scale, 1e-12);
  // The legacy path is a different quantity (shows both paths were taken).
  const RealToReciprocal averaged(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid, true);
  EXPECT_GT(compare(transform(averaged, ref.triplets).data(), b.data(), a.size()).max_over_scale, 1e-6);
}

TEST(RealToReciprocalGemm, FullFc3MatchesCompact) {
  const auto& c = load_case("si-pbesol");
  const io::ForceConstants full =
      io::read_fc3(test::data_path("si-pbesol/fc3-full.hdf5"), c.supercell.num_atoms(), c.primitive.p2s_map);
  ASSERT_FALSE(full.is_compact);
  const RealToReciprocal from_full(full.fc, nullptr, c.atoms, c.bz_grid);
  const RealToReciprocalPairs pairs(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  const auto& ref = load_grid_point("si-pbesol", 2);
  const std::vector<Complex> a = transform(from_full, ref.triplets);
  const std::vector<Complex> b = transform_pairs(pairs, ref.triplets);
  const ComplexDeviation d = compare(a.data(), b.data(), a.size());
  EXPECT_LT(d.max_over_scale, 1e-12);
}

// A triplet's numbers must not depend on the batch it goes through (batch size, its
// place in the batch): that is what makes results independent of the thread count.
// Both forms; the q0 sums are prepared once (their form depends on the triplets).
TEST(RealToReciprocalGemm, SameBitsForAnyBatching) {
  const auto& c = load_case("aln-lda");
  const auto& ref = load_grid_point("aln-lda", 64);
  const std::size_t nb3 = 12 * 12 * 12;
  const RealToReciprocal prepared(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  for (const Form form : {Form::kDirect, Form::kChosen}) {
    const auto q0s = q0_sums(prepared, ref.triplets, form);
    std::vector<Complex> first;
    for (const std::size_t batch : {std::size_t{1}, std::size_t{3}, std::size_t{16}, std::size_t{64}}) {
      const RealToReciprocal r2r(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid, true, batch);
      ASSERT_EQ(r2r.batch_size(), batch);
      const std::vector<Complex> out = transform(r2r, q0s, ref.triplets);
      if (first.empty()) {
        first = out;
        continue;
      }
      EXPECT_EQ(std::memcmp(out.data(), first.data(), out.size() * sizeof(Complex)), 0) << "batch " << batch;
    }
    // Shifted: triplet t sits at another place of its batch.
    const RealToReciprocal r2r(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid, true, 5);
    const std::vector<Triplet> shifted(ref.triplets.begin() + 2, ref.triplets.end());
    const std::vector<Complex> out = transform(r2r, q0s, shifted);
    EXPECT_EQ(std::memcmp(out.data(), first.data() + 2 * nb3, out.size() * sizeof(Complex)), 0);
  }
}

TEST(RealToReciprocalGemm, RejectsMissingQ0Sums) {
  const auto& c = load_case("si-pbesol");
  const RealToReciprocal r2r(c.fc3.fc, c.nonzero_indices(), c.atoms, c.bz_grid);
  const auto& ref = load_grid_point("si-pbesol", 105);
  std::vector<RealToReciprocal::Q0Sums> q0s;
  q0s.push_back(r2r.prepare_q0(ref.triplets[0][0] + 1));
  std::vector<Complex> out(6 * 6 * 6);
  RealToReciprocal::Workspace ws;
  EXPECT_THROW(r2r.run(q0s, ref.triplets.data(), 1, out.data(), ws), Error);
  EXPECT_THROW(r2r.prepare_q0(-1), Error);
  // Separable sums serve only the (a0, a1) address pairs they were prepared for: leave
  // out the triplets whose q1 has a0 = 0 (mod D0).
  std::vector<Triplet> some, others;
  for (const Triplet& tp : ref.triplets) {
    const auto a0 = c.bz_grid.addresses[static_cast<std::size_t>(tp[1])](0) % c.bz_grid.D_diag(0);
    (a0 != 0 ? some : others).push_back(tp);
  }
  const auto partial = r2r.prepare_q0s(some.data(), some.size());
  ASSERT_TRUE(partial.front().separable());
  std::size_t rejected = 0;
  for (const Triplet& tp : others) {
    try {
      r2r.run(partial, &tp, 1, out.data(), ws);
    } catch (const Error&) {
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, others.size());
  EXPECT_GT(rejected, 0u);
}

}  // namespace
}  // namespace ph3mpi::interaction
