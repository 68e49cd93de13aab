// mode = "rta": lattice thermal conductivity in the relaxation-time approximation over
// all ranks (phono3py's run_thermal_conductivity(is_LBTE=False), design brief section 3).
//
//  1. plan: irreducible grid points with a cost estimate; checkpoint prepared on rank 0
//     (resume, or refuse one of other settings) and its finished grid points skipped;
//  2. phonons on every BZ point, eigenvectors once per node (BZPhonons: solved, or read_phonon);
//  3. the coordinator hands out grid points (batches of gp_batch_size), largest cost
//     first; the rank that computes one writes its checkpoint shard before it counts done;
//  4. output: rank r reads the shards of a contiguous block of the ir grid points, computes
//     frequencies, group velocities, heat capacities and mode_kappa for them and writes its
//     rows of kappa-m<mesh>[-s<sigma>].hdf5 with collective parallel-HDF5 writes; kappa is
//     summed rank after rank in grid-point order (ordered_accumulate), so it is bit-identical
//     at any rank count. The file is written in a private temporary folder and renamed
//     when complete and finite (io/staged_file.hpp).
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/trace.hpp"
#include "ph3mpi/crystal/shortest_vectors.hpp"
#include "ph3mpi/driver/bz_phonons.hpp"
#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/grid_point_service.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/modes.hpp"
#include "ph3mpi/driver/scattering_plan.hpp"
#include "ph3mpi/grid/ir_grid_points.hpp"
#include "ph3mpi/grid/make_bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/io/staged_file.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/self_energy/isotope.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {
namespace {

namespace fs = std::filesystem;

// Settings an RTA run cannot honour, refused before any work (collective phase).
void check_rta_settings(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!inputs.fc3) throw SettingsError("mode 'rta' needs fc3, which was not loaded");
  if (!s.mesh) throw config::settings_error(s, "mesh", "mode 'rta' needs a mesh");
  if (s.temperatures.empty())
    throw config::settings_error(s, "temperatures", "mode 'rta' needs temperatures");
  if (!s.tetrahedron && s.sigmas.empty()) {
    throw config::settings_error(s, "sigmas", "no integration method: tetrahedron = false and no sigmas");
  }
  if (s.band_indices) {
    throw config::settings_error(
        s, "band_indices", "mode 'rta' computes every band; band_indices is for ise, rse, jdos and isotope");
  }
  if (!s.grid_points.empty()) {
    throw config::settings_error(
        s, "grid_points",
        "mode 'rta' runs over all irreducible grid points; grid_points is for ise, rse, "
        "jdos and isotope (a killed run resumes from its checkpoint instead)");
  }
  const auto ise_only = [&s](const char* key) {
    throw config::settings_error(s, key, "is supported by mode 'ise' only, not by mode 'rta'");
  };
  if (s.use_ave_pp) ise_only("use_ave_pp");
  if (s.const_ave_pp) ise_only("const_ave_pp");
  if (s.write_pp) ise_only("write_pp");
  if (s.read_pp) ise_only("read_pp");
  if (s.write_gamma_detail) ise_only("write_gamma_detail");
}

// One table per integration method, as phono3py prints it after an RTA run.
void print_kappa_table(const parallel::Rank0Stream& log, const std::string& method_name,
                       const std::vector<double>& temperatures, const std::vector<double>& kappa) {
  std::ostringstream s;
  s << "----------- Thermal conductivity (W/m-k) with " << method_name << " -----------\n";
  s << "#  T(K)        xx         yy         zz         yz         xz         xy\n";
  for (std::size_t it = 0; it < temperatures.size(); ++it) {
    s << std::fixed << std::setprecision(1) << std::setw(7) << temperatures[it] << std::setprecision(3);
    for (int k = 0; k < 6; ++k) s << " " << std::setw(10) << kappa[it * 6 + static_cast<std::size_t>(k)];
    s << "\n";
  }
  log << s.str();
}

std::string method_name(const std::optional<double>& sigma) {
  if (!sigma) return "tetrahedron method";
  std::ostringstream s;
  s << "sigma=" << *sigma;
  return s.str();
}

// This rank's block of rows of the kappa file, from the checkpoint shards.
struct OutputRows {
  std::size_t first = 0;  // row of the first grid point of the block
  std::size_t count = 0;
  NdArray<double> frequency, group_velocity, gv_by_gv, heat_capacity, qpoint;
  NdArray<std::int64_t> weight, grid_point;
  std::vector<NamedArrays> shards;  // per grid point of the block
};

OutputRows load_output_rows(const parallel::Context& context, const ScatteringPlan& plan,
                            const io::Checkpoint& checkpoint, const Inputs& inputs,
                            const grid::BZGrid& bz_grid, const phonon::DynamicalMatrix& dm,
                            const NdArray<double>& frequencies) {
  const config::Settings& s = inputs.settings;
  const std::size_t nb = inputs.num_bands();
  const std::size_t n_t = s.temperatures.size();
  const parallel::RowRange range =
      parallel::node_row_range(plan.grid_points.size(), context.rank(), context.size());
  OutputRows rows;
  rows.first = range.begin;
  rows.count = range.end - range.begin;
  const std::size_t n = rows.count;
  rows.frequency = NdArray<double>({n, nb});
  rows.group_velocity = NdArray<double>({n, nb, 3});
  rows.gv_by_gv = NdArray<double>({n, nb, 6});
  rows.heat_capacity = NdArray<double>({n_t, n, nb});
  rows.qpoint = NdArray<double>({n, 3});
  rows.weight = NdArray<std::int64_t>({n});
  rows.grid_point = NdArray<std::int64_t>({n});

  std::vector<std::int64_t> gps(plan.grid_points.begin() + static_cast<std::ptrdiff_t>(range.begin),
                                plan.grid_points.begin() + static_cast<std::ptrdiff_t>(range.end));
  const std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(bz_grid, gps);
  const phonon::GroupVelocity group_velocity(dm, inputs.primitive_symmetry.reciprocal_operations,
                                             inputs.symprec, std::nullopt, units::kDefaultToTHz,
                                             s.cutoff_frequency);
  if (n > 0) group_velocity.run(qpoints, rows.group_velocity.ptr());
  std::vector<double> cv(n_t * nb);
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t gp = gps[i];
    const double* f = frequencies.ptr() + static_cast<std::size_t>(gp) * nb;
    std::copy(f, f + nb, rows.frequency.data.begin() + static_cast<std::ptrdiff_t>(i * nb));
    phonon::mode_heat_capacities(f, nb, s.temperatures, s.cutoff_frequency, cv.data());
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy_n(cv.begin() + static_cast<std::ptrdiff_t>(it * nb), nb,
                  rows.heat_capacity.data.begin() + static_cast<std::ptrdiff_t>((it * n + i) * nb));
    }
    transport::gv_by_gv_over_star(&rows.group_velocity.data[i * nb * 3], nb, bz_grid.rotations_cartesian,
                                  transport::kappa_star_multiplicity(bz_grid, gp),
                                  &rows.gv_by_gv.data[i * nb * 6]);
    for (int k = 0; k < 3; ++k) rows.qpoint.data[i * 3 + static_cast<std::size_t>(k)] = qpoints[i](k);
    rows.weight.data[i] = plan.weights[range.begin + i];
    rows.grid_point.data[i] = gp;
    rows.shards.push_back(checkpoint.read(gp));
  }
  return rows;
}

// Per-method array (methods, T, nband) of a shard -> rows (T, count, nband) at row i.
void place_shard_rows(const NdArray<double>& source, std::size_t method, std::size_t i, std::size_t count,
                      NdArray<double>& target) {
  const std::size_t n_t = source.shape[1];
  const std::size_t nb = source.shape[2];
  for (std::size_t it = 0; it < n_t; ++it) {
    std::copy_n(source.data.begin() + static_cast<std::ptrdiff_t>((method * n_t + it) * nb), nb,
                target.data.begin() + static_cast<std::ptrdiff_t>((it * count + i) * nb));
  }
}

// Writes one kappa file per integration method; returns kappa (T, 6) per method.
std::vector<std::vector<double>> write_rta_output(const parallel::Context& context, const Inputs& inputs,
                                                  const grid::BZGrid& bz_grid, const ScatteringPlan& plan,
                                                  const OutputRows& rows, const common::TraceSink& trace) {
  const config::Settings& s = inputs.settings;
  const std::size_t nb = inputs.num_bands();
  const std::size_t n_t = s.temperatures.size();
  const std::size_t n = rows.count;
  const std::vector<std::optional<double>> methods = integration_methods(s);
  const auto mesh = mesh_numbers(bz_grid);

  transport::RtaSettings rta;
  rta.cutoff_frequency = s.cutoff_frequency;
  rta.boundary_mfp = s.boundary_mfp;
  rta.conversion_factor = transport::kappa_unit_conversion(inputs.primitive.volume());
  rta.num_mesh_points = bz_grid.num_gr_points();

  std::vector<std::vector<double>> kappas;
  for (std::size_t im = 0; im < methods.size(); ++im) {
    NdArray<double> gamma({1, n_t, n, nb});
    NdArray<double> gamma_N({n_t, n, nb});
    NdArray<double> gamma_U({n_t, n, nb});
    NdArray<double> gamma_isotope({1, n, nb});
    for (std::size_t i = 0; i < n; ++i) {
      const std::int64_t gp = rows.grid_point.data[i];
      const NamedArrays& shard = rows.shards[i];
      place_shard_rows(checkpoint_array(shard, "gamma", gp), im, i, n, gamma);
      if (s.is_N_U) {
        place_shard_rows(checkpoint_array(shard, "gamma_N", gp), im, i, n, gamma_N);
        place_shard_rows(checkpoint_array(shard, "gamma_U", gp), im, i, n, gamma_U);
      }
      if (s.isotope) {
        const NdArray<double>& iso = checkpoint_array(shard, "gamma_isotope", gp);
        std::copy_n(iso.data.begin() + static_cast<std::ptrdiff_t>(im * nb), nb,
                    gamma_isotope.data.begin() + static_cast<std::ptrdiff_t>(i * nb));
      }
    }
    if (n > 0) trace.trace("RTAKappa", plan.grid_points[rows.first], -1);
    transport::RtaInput input;
    input.frequencies = &rows.frequency;
    input.group_velocities = &rows.group_velocity;
    input.gv_by_gv = &rows.gv_by_gv;
    input.heat_capacities = &rows.heat_capacity;
    input.gamma = &gamma;
    input.gamma_isotope = s.isotope ? &gamma_isotope : nullptr;
    input.weights = &rows.weight.data;
    transport::RtaKappa local = transport::rta_mode_kappa(input, rta);

    // kappa = sum over ir grid points (file order) and bands / N, rank after rank.
    std::vector<double> kappa_sum = parallel::ordered_accumulate(
        context, std::vector<double>(n_t * 6, 0.0), [&](std::vector<double>& running) {
          NdArray<double> acc({1, n_t, 6});
          acc.data = running;
          transport::accumulate_mode_kappa(local.mode_kappa, acc);
          running = acc.data;
        });
    NdArray<double> kappa({1, n_t, 6});
    kappa.data = kappa_sum;
    transport::finish_kappa(kappa, rta.num_mesh_points);
    kappas.push_back(kappa.data);

    io::KappaFileLayout layout;
    layout.method = io::KappaMethod::kRta;
    layout.temperatures = s.temperatures;
    describe_grid(bz_grid, layout);
    layout.num_grid_points = plan.grid_points.size();
    layout.num_band = nb;
    layout.has_gamma_isotope = s.isotope;
    layout.has_gamma_N_U = s.is_N_U;
    layout.sigma = methods[im];
    if (methods[im] && s.sigma_cutoff) layout.sigma_cutoff_width = s.sigma_cutoff;
    layout.boundary_mfp = s.boundary_mfp;
    layout.kappa_unit_conversion = rta.conversion_factor;

    const fs::path path = s.output_dir / io::kappa_filename(mesh, layout.sigma, layout.sigma_cutoff_width);
    io::StagedFile staged(path, context);  // private temporary folder; finite check and rename at commit
    {
      const std::unique_ptr<io::KappaFile> file = io::create_kappa_file(staged.temp_path(), layout, context);
      file->write_rows("frequency", rows.first, rows.frequency);
      file->write_rows("group_velocity", rows.first, rows.group_velocity);
      file->write_rows("gv_by_gv", rows.first, rows.gv_by_gv);
      file->write_rows("heat_capacity", rows.first, rows.heat_capacity);
      NdArray<double> mode_kappa = local.mode_kappa;
      mode_kappa.shape.erase(mode_kappa.shape.begin());  // (1, T, n, nb, 6) -> (T, n, nb, 6)
      file->write_rows("mode_kappa", rows.first, mode_kappa);
      NdArray<double> gamma_rows = gamma;
      gamma_rows.shape.erase(gamma_rows.shape.begin());
      file->write_rows("gamma", rows.first, gamma_rows);
      if (s.isotope) {
        NdArray<double> iso = gamma_isotope;
        iso.shape.erase(iso.shape.begin());
        file->write_rows("gamma_isotope", rows.first, iso);
      }
      if (s.is_N_U) {
        file->write_rows("gamma_N", rows.first, gamma_N);
        file->write_rows("gamma_U", rows.first, gamma_U);
      }
      file->write_rows("qpoint", rows.first, rows.qpoint);
      file->write_rows("weight", rows.first, rows.weight);
      file->write_rows("grid_point", rows.first, rows.grid_point);
      NdArray<double> kappa_t({n_t, 6});
      kappa_t.data = kappa.data;
      file->write_whole("kappa", kappa_t);
    }  // closed (collectively) here
    staged.commit();
  }
  return kappas;
}

}  // namespace

int run_rta(const ModeArguments& args) {
  const parallel::Context& context = args.context;
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  const parallel::Rank0Stream& log = args.log;
  const auto t_start = std::chrono::steady_clock::now();

  grid::BZGrid bz_grid;
  grid::IrGridPoints ir;
  std::vector<double> mass_variances;
  std::int64_t gp_batch_size = 0;
  parallel::collective_check(context, [&] {
    check_rta_settings(inputs);
    bz_grid = make_bz_grid(inputs);
    ir = grid::get_ir_grid_points(bz_grid);
    if (s.isotope) {
      mass_variances = resolve_mass_variances(inputs);
    }
    gp_batch_size = config::resolve_gp_batch_size(s, std::getenv("PH3MPI_GP_BATCH_SIZE"));
  });
  const std::size_t nb = inputs.num_bands();
  const ScatteringPlan plan = make_scattering_plan(bz_grid, ir, nb);
  const std::size_t n_ir = plan.grid_points.size();

  // Phonons first: a bad read_phonon file is refused before anything is written.
  const std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(context, inputs, bz_grid, *dm);

  // Checkpoint: rank 0 resumes, refuses or clears it; everybody learns what is done.
  const io::Fingerprint fingerprint = scattering_fingerprint(inputs, bz_grid, mass_variances, "rta-gamma");
  const io::Checkpoint checkpoint(s.output_dir, fingerprint.hex());
  const PendingWork work = resume_checkpoint(context, s, plan, fingerprint);
  const io::CheckpointStatus& status = work.status;
  const std::vector<parallel::WorkItem>& items = work.items;
  const std::int64_t restored = work.restored;

  const int threads = omp_get_max_threads();
  const MemoryEstimate memory = estimate_scattering_memory(inputs, bz_grid);
  {
    const auto mesh = mesh_numbers(bz_grid);
    std::ostringstream b;
    b << "ph3mpi " PH3MPI_VERSION " RTA run\n"
      << "  ranks " << context.size() << " x OpenMP threads " << threads << ", gp_batch_size "
      << gp_batch_size << (gp_batch_size <= 0 ? " (one grid point per assignment)" : "") << "\n"
      << "  mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ", " << n_ir
      << " irreducible grid points, " << nb << " bands\n  temperatures (K):";
    for (const double t : s.temperatures) b << " " << t;
    b << "\n  integration:";
    for (const auto& m : integration_methods(s)) b << " [" << method_name(m) << "]";
    b << (s.isotope ? ", isotope" : "") << (s.is_N_U ? ", N/U split" : "");
    if (s.boundary_mfp) b << ", boundary_mfp " << *s.boundary_mfp << " um";
    b << "\n  memory estimate per rank: " << format_bytes(memory.per_rank(1, threads)) << " (eigenvectors "
      << format_bytes(memory.eigenvectors_per_node) << " per node, shared)\n"
      << "  checkpoint " << checkpoint.shard_directory().string() << ": "
      << (status.resumed ? "resumed, " + std::to_string(restored) + " grid points restored" : "new") << "\n";
    for (const std::string& note : status.notes) b << "  " << note << "\n";
    log << b.str();
  }

  // Phonons, interaction and the per-grid-point calculator (all ranks).
  log << "  phonons " << phonons.describe() << "\n";
  if (s.write_phonon) log << "  phonons written to " << phonons.write(context, s.output_dir, bz_grid) << "\n";
  const interaction::PhononView view = phonons.view();
  const interaction::Interaction itr = make_interaction(inputs, bz_grid);
  const common::TraceSink trace =
      common::TraceSink::from_environment(std::getenv("PH3MPI_TRACE"), std::cerr, context.rank(), threads);
  const GridPointGamma calculator(s, itr, view, phonons.frequencies(), bz_grid, mass_variances, trace);

  std::ostringstream null_stream;
  const auto t_compute = std::chrono::steady_clock::now();
  compute_pending_grid_points(
      context, work, static_cast<std::int64_t>(n_ir), gp_batch_size, checkpoint,
      log.is_active() ? log.stream() : null_stream,
      [&](std::int64_t gp, std::int64_t batch) { return calculator.compute(gp, batch); });
  const double compute_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_compute).count();

  // Output: rows from the checkpoint, kappa rank after rank, one file per method.
  const OutputRows rows =
      load_output_rows(context, plan, checkpoint, inputs, bz_grid, *dm, phonons.frequencies());
  const std::vector<std::vector<double>> kappas =
      write_rta_output(context, inputs, bz_grid, plan, rows, trace);
  const std::vector<std::optional<double>> methods = integration_methods(s);
  for (std::size_t im = 0; im < methods.size(); ++im)
    print_kappa_table(log, method_name(methods[im]), s.temperatures, kappas[im]);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  const auto mesh = mesh_numbers(bz_grid);
  log << "RTA: " << items.size() << " grid points computed in " << std::fixed << std::setprecision(2)
      << compute_seconds << " s, " << restored << " restored; total " << seconds << " s; written to "
      << (s.output_dir / io::kappa_filename(mesh)).parent_path().string() << "\n";
  return 0;
}

}  // namespace ph3mpi::driver
