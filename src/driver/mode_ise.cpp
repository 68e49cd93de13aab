// mode = "ise": phono3py's --ise. The imaginary part of the self energy, Gamma (THz),
// at the frequencies of the bands of each of settings.grid_points, for every
// temperature and every integration method (tetrahedron first when enabled, then
// each sigma), as phono3py's ImagSelfEnergy. Written to <output_dir>/ise-m<mesh>.hdf5
// by rank 0:
//   grid_point (gp), band_indices (nb0), temperature (T), tetrahedron (), sigma (sigmas),
//   frequency (gp, nb0) THz, gamma (methods, T, gp, nb0) THz, with is_N_U gamma_N/gamma_U;
//   ave_pp (gp, nb0) eV^2 with is_full_pp, use_ave_pp or const_ave_pp (phono3py's
//   averaged_pp_interaction, self_energy/averaged_interaction.hpp);
//   with num_frequency_points or frequency_step: frequency_points (fp) THz and
//   gamma_at_frequency_points (methods, T, gp, nb0, fp) THz, Gamma_j0(omega) in phono3py's
//   axis order (get_imag_self_energy: sigmas, temperatures, grid points, bands, points).
//
// How the interaction strength P of a grid point is obtained:
//   default            low memory (phono3py's pp_collision): per triplet only the elements
//                      with nonzero weight, never stored;
//   is_full_pp         every element, stored, Gamma from it (phono3py is_full_pp=True);
//   write_pp / read_pp stored, and written to / read from <output_dir>/pp-m<mesh>-g<gp>.hdf5
//                      (io/pp_file.hpp); written with every element any method needs
//                      (g_zero of the skipped ones in the file), read files are checked
//                      against the grid point, its triplets and bands;
//   use_ave_pp         P replaced by its band average P_ave(j0)/N (computed from the full P,
//                      or from the file with read_pp);
//   const_ave_pp = c   P replaced by c/N, no fc3 transform;
//   write_gamma_detail stored, and the per-triplet contributions written per method to
//                      <output_dir>/gamma_detail-m<mesh>-g<gp>[-s<sigma>].hdf5 (io/gamma_detail_file.hpp).
// All stored variants give the low-memory Gamma up to rounding (the sums are the same).
// Frequency-resolved Gamma uses the stored P when there is one (then with every element),
// else computes it per triplet where some frequency point needs it.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iomanip>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/gamma_detail_file.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/io/pp_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/self_energy/averaged_interaction.hpp"
#include "ph3mpi/self_energy/frequency_points.hpp"
#include "ph3mpi/self_energy/frequency_resolved.hpp"
#include "ph3mpi/self_energy/gamma_detail.hpp"
#include "ph3mpi/self_energy/imag_self_energy.hpp"
#include "ph3mpi/self_energy/pp_collision.hpp"

namespace ph3mpi::driver {

namespace {

using Method = std::optional<double>;  // nullopt: tetrahedron method, else the Gaussian sigma (THz)

// Variant keys that contradict each other.
void check_interaction_variants(const config::Settings& s) {
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

std::string method_name(const Method& m) {
  return m ? "sigma " + io::format_filename_number(*m) + " THz" : std::string("the tetrahedron method");
}

// Elements a method needs (g_zero == 0) that the read interaction does not hold.
void check_pp_covers(const std::string& path, const NdArray<std::int64_t>& file_g_zero,
                     const NdArray<std::int8_t>& g_zero, const Method& method) {
  if (file_g_zero.size() == 0) return;
  for (std::size_t x = 0; x < g_zero.size(); ++x) {
    if (g_zero[x] == 0 && file_g_zero[x] != 0) {
      throw InputError(path, "interaction strength lacks elements that " + method_name(method) +
                                 " needs (the file was written for other integration methods); write it "
                                 "with is_full_pp = true to cover every method");
    }
  }
}

}  // namespace

int run_ise(const ModeArguments& args) {
  const Inputs& inputs = args.inputs;
  const config::Settings& settings = inputs.settings;
  const auto t0 = std::chrono::steady_clock::now();
  grid::BZGrid bz_grid = make_bz_grid(inputs);
  check_grid_point_settings(inputs, bz_grid, true, args.context);
  if (!inputs.fc3) throw SettingsError("mode 'ise' needs fc3, which was not loaded");
  const std::array<std::int64_t, 3> mesh = mesh_numbers(bz_grid);
  const std::size_t n_gp = settings.grid_points.size();
  const std::size_t nb = inputs.num_bands();
  std::vector<std::int64_t> band0 = settings.band_indices.value_or(std::vector<std::int64_t>{});
  if (band0.empty()) {
    for (std::size_t b = 0; b < nb; ++b) band0.push_back(static_cast<std::int64_t>(b));
  }
  const std::size_t nb0 = band0.size();

  // Variant settings, and with read_pp the files (read once by rank 0, which computes),
  // checked in a collective phase: a bad combination or file ends every rank cleanly.
  std::vector<io::PpFile> pp_files;
  parallel::collective_check(args.context, [&] {
    check_interaction_variants(settings);
    if (!settings.read_pp || !args.context.is_root()) return;
    for (const std::int64_t gp : settings.grid_points) {
      const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid);
      pp_files.push_back(io::read_pp_file((settings.output_dir / io::pp_filename(mesh, gp)).string(), gp,
                                          tq.triplets, band0, nb));
    }
  });

  // Phonons on every BZ point (the triplets and tetrahedra reach any of them), solved or
  // read_phonon: a collective step; then rank 0 computes.
  std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(args.context, inputs, bz_grid, *dm);
  if (settings.write_phonon) {
    args.log << "Phonons written to " << phonons.write(args.context, settings.output_dir, bz_grid) << "\n";
  }
  if (!args.context.is_root()) return 0;
  const interaction::PhononView view = phonons.view();

  const interaction::Interaction itr = make_interaction(inputs, bz_grid, band0);
  const double cutoff = itr.cutoff_frequency();
  const std::int64_t num_gr = bz_grid.num_gr_points();

  // Methods: tetrahedron (nullopt) first, then the sigmas.
  std::vector<Method> methods;
  if (settings.tetrahedron) methods.emplace_back(std::nullopt);
  for (const double s : settings.sigmas) methods.emplace_back(s);
  const std::size_t n_m = methods.size();
  const std::size_t n_t = settings.temperatures.size();

  const bool frequency_resolved =
      settings.num_frequency_points.has_value() || settings.frequency_step.has_value();
  std::vector<double> frequency_points;
  if (frequency_resolved) {
    // phono3py: twice the highest phonon frequency (plus Gaussian tails), from all BZ points.
    const double max_freq =
        *std::max_element(phonons.frequencies().data.begin(), phonons.frequencies().data.end());
    frequency_points = self_energy::get_frequency_points(max_freq, methods, settings.frequency_step,
                                                         settings.num_frequency_points);
  }
  const std::size_t n_fp = frequency_points.size();
  const bool stored_pp = settings.is_full_pp || settings.write_pp || settings.read_pp ||
                         settings.use_ave_pp || settings.const_ave_pp.has_value() ||
                         settings.write_gamma_detail;
  const bool has_ave_pp = settings.is_full_pp || settings.use_ave_pp || settings.const_ave_pp.has_value();

  NdArray<double> frequency({n_gp, nb0});
  NdArray<double> gamma({n_m, n_t, n_gp, nb0});
  NdArray<double> gamma_N({n_m, n_t, n_gp, nb0});
  NdArray<double> gamma_U({n_m, n_t, n_gp, nb0});
  NdArray<double> ave_pp({n_gp, nb0});
  NdArray<double> gamma_at_fp({n_m, n_t, n_gp, nb0, n_fp});

  for (std::size_t ig = 0; ig < n_gp; ++ig) {
    const std::int64_t gp = settings.grid_points[ig];
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid);
    const std::size_t n = tq.triplets.size();
    // Frequency points: the frequencies of the computed bands at q0.
    std::vector<double> f0(nb0);
    for (std::size_t b = 0; b < nb0; ++b) {
      f0[b] = view.frequencies_at(static_cast<std::size_t>(gp))[band0[b]];
      frequency.data[ig * nb0 + b] = f0[b];
    }
    const auto store = [&](std::size_t im, const self_energy::ImagSelfEnergy& r) {
      for (std::size_t it = 0; it < n_t; ++it) {
        for (std::size_t b = 0; b < nb0; ++b) {
          const std::size_t dst = ((im * n_t + it) * n_gp + ig) * nb0 + b;
          gamma.data[dst] = r.gamma.data[it * nb0 + b];
          if (settings.is_N_U) {
            gamma_N.data[dst] = r.gamma_N.data[it * nb0 + b];
            gamma_U.data[dst] = r.gamma_U.data[it * nb0 + b];
          }
        }
      }
    };

    NdArray<double> pp;  // the stored interaction strength (n, nb0, nb, nb) eV^2, when there is one
    if (stored_pp) {
      std::vector<interaction::TripletIntegrationWeights> iw;
      for (const Method& m : methods) {
        iw.push_back(interaction::get_triplets_integration_weights(f0, tq.triplets, phonons.frequencies(),
                                                                   bz_grid, m, settings.sigma_cutoff));
      }
      NdArray<std::int64_t> pp_g_zero;  // elements not computed, for the pp file
      if (settings.read_pp) {
        io::PpFile& file = pp_files[ig];
        const std::string path = (settings.output_dir / io::pp_filename(mesh, gp)).string();
        for (std::size_t im = 0; im < n_m; ++im)
          check_pp_covers(path, file.g_zero, iw[im].g_zero, methods[im]);
        if (frequency_resolved && file.g_zero.size() != 0) {
          for (const std::int64_t z : file.g_zero.data) {
            if (z != 0) {
              throw InputError(path,
                               "frequency-resolved Gamma needs every interaction element, the file lacks "
                               "some; write it with is_full_pp = true");
            }
          }
        }
        pp = std::move(file.pp);
        file = io::PpFile{};
      } else if (settings.const_ave_pp) {
        pp = self_energy::constant_interaction(*settings.const_ave_pp, n, nb0, nb, num_gr);
      } else if (settings.is_full_pp || settings.use_ave_pp || frequency_resolved) {
        pp = itr.run(view, tq.triplets);
      } else {
        // Only the elements some method needs (phono3py's g_zero path, over all methods).
        std::vector<std::int8_t> mask(n * nb0 * nb * nb, 1);
        for (const auto& w : iw) {
          for (std::size_t x = 0; x < mask.size(); ++x) {
            if (w.g_zero[x] == 0) mask[x] = 0;
          }
        }
        pp = itr.run(view, tq.triplets, mask.data());
        pp_g_zero = NdArray<std::int64_t>(pp.shape);
        for (std::size_t x = 0; x < mask.size(); ++x) pp_g_zero[x] = mask[x];
      }
      if (settings.write_pp) {
        io::PpFile file;
        file.pp = pp;
        file.g_zero = std::move(pp_g_zero);
        file.triplets = tq.triplets;
        file.weights = tq.weights;
        file.grid_point = gp;
        file.band_indices = band0;
        file.mesh = mesh;
        const std::filesystem::path path = settings.output_dir / io::pp_filename(mesh, gp);
        io::write_pp_file(path.string(), file);
        args.log << "Interaction strength at grid point " << gp << " written to " << path.string() << "\n";
      }
      if (has_ave_pp) {
        const std::vector<double> ave = self_energy::averaged_interaction(pp.ptr(), n, nb0, nb, tq.weights);
        std::copy(ave.begin(), ave.end(), ave_pp.data.begin() + static_cast<std::ptrdiff_t>(ig * nb0));
        if (settings.use_ave_pp) pp = self_energy::interaction_from_averaged(ave, n, nb, num_gr);
      }
      for (std::size_t im = 0; im < n_m; ++im) {
        store(im, self_energy::imag_self_energy_with_g(
                      gp, pp.ptr(), iw[im].g.ptr(), iw[im].g_zero.ptr(), tq.triplets, tq.weights, view, band0,
                      settings.temperatures, cutoff, bz_grid, settings.is_N_U));
        if (settings.write_gamma_detail) {
          io::GammaDetailFile detail;
          detail.temperatures = settings.temperatures;
          detail.mesh = mesh;
          detail.gamma_detail = self_energy::detailed_imag_self_energy_with_g(
              pp.ptr(), iw[im].g.ptr(), iw[im].g_zero.ptr(), tq.triplets, view, nb0, settings.temperatures,
              cutoff);
          detail.triplets = tq.triplets;
          detail.weights = tq.weights;
          detail.grid_point = gp;
          detail.sigma = methods[im];
          detail.sigma_cutoff = methods[im] ? settings.sigma_cutoff : std::nullopt;
          const std::filesystem::path path =
              settings.output_dir / io::gamma_detail_filename(mesh, gp, detail.sigma, detail.sigma_cutoff);
          io::write_gamma_detail_file(path.string(), detail);
          args.log << "Gamma of each triplet (" << method_name(methods[im]) << ") written to "
                   << path.string() << "\n";
        }
      }
    } else {
      for (std::size_t im = 0; im < n_m; ++im) {
        const Method sigma = methods[im];
        const self_energy::TripletWeightsFunction weights = [&](std::size_t t, double* g,
                                                                std::int8_t* g_zero) {
          if (sigma) {
            interaction::set_triplets_integration_weights_sigma(
                g, g_zero, 2, f0, {tq.triplets[t]}, phonons.frequencies(), *sigma, settings.sigma_cutoff);
          } else {
            interaction::set_triplets_integration_weights_tetrahedron(g, g_zero, 2, f0, {tq.triplets[t]},
                                                                      phonons.frequencies(), bz_grid);
          }
        };
        store(im, self_energy::pp_collision(itr, view, gp, tq.triplets, tq.weights, settings.temperatures,
                                            weights, bz_grid, settings.is_N_U));
      }
    }

    if (frequency_resolved) {
      for (std::size_t im = 0; im < n_m; ++im) {
        const Method sigma = methods[im];
        const self_energy::FrequencyPointWeightsFunction weights = [&](std::size_t t, double* g,
                                                                       std::int8_t* g_zero) {
          if (sigma) {
            interaction::set_triplets_integration_weights_sigma(g, g_zero, 2, frequency_points,
                                                                {tq.triplets[t]}, phonons.frequencies(),
                                                                *sigma, settings.sigma_cutoff);
          } else {
            interaction::set_triplets_integration_weights_tetrahedron(
                g, g_zero, 2, frequency_points, {tq.triplets[t]}, phonons.frequencies(), bz_grid);
          }
        };
        const NdArray<double> r = self_energy::imag_self_energy_at_frequency_points(
            itr, view, gp, tq.triplets, tq.weights, settings.temperatures, n_fp, weights,
            stored_pp ? pp.ptr() : nullptr);
        for (std::size_t it = 0; it < n_t; ++it) {
          std::copy(&r[it * nb0 * n_fp], &r[(it + 1) * nb0 * n_fp],
                    &gamma_at_fp[((im * n_t + it) * n_gp + ig) * nb0 * n_fp]);
        }
      }
    }
    args.log << "Gamma at grid point " << gp << " (" << n << " triplets) done\n";
  }

  const std::filesystem::path path =
      settings.output_dir / ("ise" + io::kappa_filename_suffix(mesh) + ".hdf5");
  io::write_hdf5_atomically(path.string(), [&](io::Hdf5File& file) {
    NdArray<std::int64_t> grid_point({n_gp});
    grid_point.data = settings.grid_points;
    file.write("grid_point", grid_point);
    NdArray<std::int64_t> band_indices({nb0});
    band_indices.data = band0;
    file.write("band_indices", band_indices);
    NdArray<double> temperature({n_t});
    temperature.data = settings.temperatures;
    file.write("temperature", temperature);
    file.write_scalar("tetrahedron", static_cast<std::int64_t>(settings.tetrahedron ? 1 : 0));
    if (!settings.sigmas.empty()) {
      NdArray<double> sigma({settings.sigmas.size()});
      sigma.data = settings.sigmas;
      file.write("sigma", sigma);
    }
    file.write("frequency", frequency);
    file.write("gamma", gamma);
    if (settings.is_N_U) {
      file.write("gamma_N", gamma_N);
      file.write("gamma_U", gamma_U);
    }
    if (has_ave_pp) file.write("ave_pp", ave_pp);
    if (frequency_resolved) {
      NdArray<double> points({n_fp});
      points.data = frequency_points;
      file.write("frequency_points", points);
      file.write("gamma_at_frequency_points", gamma_at_fp);
    }
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  args.log << "Imaginary self energy at " << n_gp << " grid points, " << n_m << " method(s), " << n_t
           << " temperatures in " << std::fixed << std::setprecision(2) << seconds << " s, written to "
           << path.string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
