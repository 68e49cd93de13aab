#include "ph3mpi/driver/grid_point_ise.hpp"

#include <algorithm>
#include <utility>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/io/gamma_detail_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/io/pp_file.hpp"
#include "ph3mpi/self_energy/averaged_interaction.hpp"
#include "ph3mpi/self_energy/frequency_resolved.hpp"
#include "ph3mpi/self_energy/gamma_detail.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"

namespace ph3mpi::driver {

namespace {

std::string method_name(const std::optional<double>& m) {
  return m ? "sigma " + io::format_filename_number(*m) + " THz" : std::string("the tetrahedron method");
}

// Elements a method needs (g_zero == 0) that the read interaction does not hold.
void check_pp_covers(const std::string& path, const NdArray<std::int64_t>& file_g_zero,
                     const NdArray<std::int8_t>& g_zero, const std::optional<double>& method) {
  if (file_g_zero.size() == 0) return;
  for (std::size_t x = 0; x < g_zero.size(); ++x) {
    if (g_zero[x] == 0 && file_g_zero[x] != 0) {
      throw InputError(path, "interaction strength lacks elements that " + method_name(method) +
                                 " needs (the file was written for other integration methods); write it "
                                 "with is_full_pp = true to cover every method");
    }
  }
}

// Frequency-resolved Gamma sums over every element.
void check_pp_complete(const std::string& path, const NdArray<std::int64_t>& file_g_zero) {
  for (const std::int64_t z : file_g_zero.data) {
    if (z != 0) {
      throw InputError(
          path,
          "frequency-resolved Gamma needs every interaction element, the file lacks some; write it "
          "with is_full_pp = true");
    }
  }
}

}  // namespace

void check_ise_variants(const config::Settings& s) {
  if (s.const_ave_pp && s.use_ave_pp) {
    throw config::settings_error(s, "const_ave_pp", "give either const_ave_pp or use_ave_pp, not both");
  }
  if (s.const_ave_pp && s.read_pp) {
    throw config::settings_error(s, "const_ave_pp",
                                 "const_ave_pp replaces the interaction strength that read_pp would read; "
                                 "drop one of them");
  }
  if (s.const_ave_pp && s.write_pp) {
    throw config::settings_error(s, "write_pp",
                                 "write_pp with const_ave_pp would only write the constant; drop write_pp");
  }
  if (s.read_pp && s.write_pp) {
    throw config::settings_error(s, "write_pp",
                                 "read_pp and write_pp together would rewrite the file just read; drop one");
  }
}

bool ise_has_ave_pp(const config::Settings& s) {
  return s.is_full_pp || s.use_ave_pp || s.const_ave_pp.has_value();
}

GridPointIse::GridPointIse(const config::Settings& settings, const interaction::Interaction& interaction,
                           const interaction::PhononView& phonons, const NdArray<double>& frequencies,
                           const grid::BZGrid& bz_grid, std::vector<double> frequency_points,
                           common::TraceSink trace)
    : settings_(settings),
      interaction_(interaction),
      phonons_(phonons),
      frequencies_(frequencies),
      bz_grid_(bz_grid),
      frequency_points_(std::move(frequency_points)),
      trace_(trace),
      methods_(integration_methods(settings)),
      mesh_(mesh_numbers(bz_grid)),
      stored_pp_(settings.is_full_pp || settings.write_pp || settings.read_pp || settings.use_ave_pp ||
                 settings.const_ave_pp.has_value() || settings.write_gamma_detail),
      low_memory_(settings, interaction, phonons, frequencies, bz_grid, std::move(trace)) {}

GridPointResult GridPointIse::compute(const GridPointTask& task) const {
  const std::vector<std::int64_t>& band0 = interaction_.band_indices();
  // Gamma is evaluated at the frequencies of the computed bands at q0.
  std::vector<double> f0(band0.size());
  for (std::size_t b = 0; b < band0.size(); ++b) {
    f0[b] = phonons_.frequencies_at(static_cast<std::size_t>(task.grid_point))[band0[b]];
  }
  GridPointResult result;
  NdArray<double> frequency({f0.size()});
  frequency.data = f0;
  result.arrays.reals["frequency"] = std::move(frequency);

  const auto triplets = [&] {
    trace_.trace("get_triplets_at_q", task.grid_point, task.batch);
    return interaction::get_triplets_at_q(task.grid_point, bz_grid_);
  };
  std::size_t num_triplets = 0;
  if (stored_pp_) {
    const interaction::TripletsAtQ tq = triplets();
    std::vector<interaction::TripletIntegrationWeights> weights;
    for (const Method& m : methods_) {
      trace_.trace("IntegrationWeights", task.grid_point, task.batch);
      weights.push_back(interaction::get_triplets_integration_weights(f0, tq.triplets, frequencies_, bz_grid_,
                                                                      m, settings_.sigma_cutoff));
    }
    const NdArray<double> pp = stored_interaction(task, tq, weights, result);
    gamma_from_stored(task, tq, weights, pp, result);
    if (!frequency_points_.empty()) {
      result.arrays.reals["gamma_at_frequency_points"] = gamma_at_frequency_points(task, tq, pp.ptr());
    }
    num_triplets = tq.triplets.size();
  } else {
    // The RTA kernel (triplets, weights per triplet, pp_collision), traced there.
    NamedArrays low_memory = low_memory_.compute(task.grid_point, task.batch);
    for (const char* name : {"gamma", "gamma_N", "gamma_U"}) {
      const auto it = low_memory.reals.find(name);
      if (it != low_memory.reals.end()) result.arrays.reals[name] = std::move(it->second);
    }
    num_triplets = static_cast<std::size_t>(low_memory.ints.at("num_triplets")[0]);
    if (!frequency_points_.empty()) {
      result.arrays.reals["gamma_at_frequency_points"] = gamma_at_frequency_points(task, triplets(), nullptr);
    }
  }
  result.log_done("Gamma", task, num_triplets);
  return result;
}

NdArray<double> GridPointIse::stored_interaction(
    const GridPointTask& task, const interaction::TripletsAtQ& tq,
    const std::vector<interaction::TripletIntegrationWeights>& weights, GridPointResult& result) const {
  const std::size_t n = tq.triplets.size(), nb0 = interaction_.num_band0(), nb = interaction_.num_band();
  const std::int64_t num_gr = bz_grid_.num_gr_points();
  const std::string pp_path = (settings_.output_dir / io::pp_filename(mesh_, task.grid_point)).string();
  NdArray<double> pp;
  NdArray<std::int64_t> pp_g_zero;  // elements not computed, for the pp file
  if (settings_.read_pp) {
    io::PpFile file =
        io::read_pp_file(pp_path, task.grid_point, tq.triplets, interaction_.band_indices(), nb);
    for (std::size_t im = 0; im < methods_.size(); ++im)
      check_pp_covers(pp_path, file.g_zero, weights[im].g_zero, methods_[im]);
    if (!frequency_points_.empty()) check_pp_complete(pp_path, file.g_zero);
    pp = std::move(file.pp);
  } else if (settings_.const_ave_pp) {
    pp = self_energy::constant_interaction(*settings_.const_ave_pp, n, nb0, nb, num_gr);
  } else if (settings_.is_full_pp || settings_.use_ave_pp || !frequency_points_.empty()) {
    trace_.trace("Interaction", task.grid_point, task.batch);
    pp = interaction_.run(phonons_, tq.triplets);
  } else {
    // Only the elements some method needs (phono3py's g_zero path, over all methods).
    std::vector<std::int8_t> mask(n * nb0 * nb * nb, 1);
    for (const auto& w : weights) {
      for (std::size_t x = 0; x < mask.size(); ++x) {
        if (w.g_zero[x] == 0) mask[x] = 0;
      }
    }
    trace_.trace("Interaction", task.grid_point, task.batch);
    pp = interaction_.run(phonons_, tq.triplets, mask.data());
    pp_g_zero = NdArray<std::int64_t>(pp.shape);
    for (std::size_t x = 0; x < mask.size(); ++x) pp_g_zero[x] = mask[x];
  }
  if (settings_.write_pp) {
    io::PpFile file;
    file.pp = pp;
    file.g_zero = std::move(pp_g_zero);
    file.triplets = tq.triplets;
    file.weights = tq.weights;
    file.grid_point = task.grid_point;
    file.band_indices = interaction_.band_indices();
    file.mesh = mesh_;
    io::write_pp_file(pp_path, file);
    result.log_lines.push_back("Interaction strength at grid point " + std::to_string(task.grid_point) +
                               " written to " + pp_path);
  }
  if (ise_has_ave_pp(settings_)) {
    NdArray<double> ave({nb0});
    ave.data = self_energy::averaged_interaction(pp.ptr(), n, nb0, nb, tq.weights);
    if (settings_.use_ave_pp) pp = self_energy::interaction_from_averaged(ave.data, n, nb, num_gr);
    result.arrays.reals["ave_pp"] = std::move(ave);
  }
  return pp;
}

void GridPointIse::gamma_from_stored(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                                     const std::vector<interaction::TripletIntegrationWeights>& weights,
                                     const NdArray<double>& pp, GridPointResult& result) const {
  const std::size_t n_m = methods_.size(), block = settings_.temperatures.size() * interaction_.num_band0();
  NdArray<double> gamma({n_m, settings_.temperatures.size(), interaction_.num_band0()});
  NdArray<double> gamma_N(gamma.shape), gamma_U(gamma.shape);
  for (std::size_t im = 0; im < n_m; ++im) {
    trace_.trace("ImagSelfEnergy", task.grid_point, task.batch);
    const self_energy::ImagSelfEnergy r = self_energy::imag_self_energy_with_g(
        task.grid_point, pp.ptr(), weights[im].g.ptr(), weights[im].g_zero.ptr(), tq.triplets, tq.weights,
        phonons_, interaction_.band_indices(), settings_.temperatures, interaction_.cutoff_frequency(),
        bz_grid_, settings_.is_N_U);
    const auto at = static_cast<std::ptrdiff_t>(im * block);
    std::copy_n(r.gamma.data.begin(), block, gamma.data.begin() + at);
    if (settings_.is_N_U) {
      std::copy_n(r.gamma_N.data.begin(), block, gamma_N.data.begin() + at);
      std::copy_n(r.gamma_U.data.begin(), block, gamma_U.data.begin() + at);
    }
    if (settings_.write_gamma_detail) write_gamma_detail(task, tq, pp, weights[im], im, result);
  }
  result.arrays.reals["gamma"] = std::move(gamma);
  if (settings_.is_N_U) {
    result.arrays.reals["gamma_N"] = std::move(gamma_N);
    result.arrays.reals["gamma_U"] = std::move(gamma_U);
  }
}

void GridPointIse::write_gamma_detail(const GridPointTask& task, const interaction::TripletsAtQ& tq,
                                      const NdArray<double>& pp,
                                      const interaction::TripletIntegrationWeights& weights,
                                      std::size_t method, GridPointResult& result) const {
  io::GammaDetailFile detail;
  detail.temperatures = settings_.temperatures;
  detail.mesh = mesh_;
  trace_.trace("GammaDetail", task.grid_point, task.batch);
  detail.gamma_detail = self_energy::detailed_imag_self_energy_with_g(
      pp.ptr(), weights.g.ptr(), weights.g_zero.ptr(), tq.triplets, phonons_, interaction_.num_band0(),
      settings_.temperatures, interaction_.cutoff_frequency());
  detail.triplets = tq.triplets;
  detail.weights = tq.weights;
  detail.grid_point = task.grid_point;
  detail.sigma = methods_[method];
  detail.sigma_cutoff = methods_[method] ? settings_.sigma_cutoff : std::nullopt;
  const std::string path =
      (settings_.output_dir /
       io::gamma_detail_filename(mesh_, task.grid_point, detail.sigma, detail.sigma_cutoff))
          .string();
  io::write_gamma_detail_file(path, detail);
  result.log_lines.push_back("Gamma of each triplet (" + method_name(methods_[method]) + ") written to " +
                             path);
}

NdArray<double> GridPointIse::gamma_at_frequency_points(const GridPointTask& task,
                                                        const interaction::TripletsAtQ& tq,
                                                        const double* pp) const {
  const std::size_t n_m = methods_.size(), n_fp = frequency_points_.size();
  const std::size_t block = settings_.temperatures.size() * interaction_.num_band0() * n_fp;
  NdArray<double> out({n_m, settings_.temperatures.size(), interaction_.num_band0(), n_fp});
  for (std::size_t im = 0; im < n_m; ++im) {
    const Method sigma = methods_[im];
    const self_energy::FrequencyPointWeightsFunction weights = [&](std::size_t t, double* g,
                                                                   std::int8_t* g_zero) {
      if (sigma) {
        interaction::set_triplets_integration_weights_sigma(g, g_zero, 2, frequency_points_, {tq.triplets[t]},
                                                            frequencies_, *sigma, settings_.sigma_cutoff);
      } else {
        interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, frequency_points_,
                                                                  {tq.triplets[t]}, frequencies_, bz_grid_);
      }
    };
    trace_.trace("ImagSelfEnergyAtFrequencyPoints", task.grid_point, task.batch);
    const NdArray<double> r = self_energy::imag_self_energy_at_frequency_points(
        interaction_, phonons_, task.grid_point, tq.triplets, tq.weights, settings_.temperatures, n_fp,
        weights, pp);
    std::copy_n(r.data.begin(), block, out.data.begin() + static_cast<std::ptrdiff_t>(im * block));
  }
  return out;
}

}  // namespace ph3mpi::driver
