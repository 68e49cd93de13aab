// mode = "lbte": direct solution of the linearized Boltzmann equation (phono3py's
// run_thermal_conductivity(is_LBTE=True), Chaput PRL 110, 265506 (2013)) with the
// collision matrix distributed block-cyclically over all ranks (design brief 3.8).
//
//  1. as mode rta: plan, checkpoint, node-shared phonons, the coordinator over the
//     irreducible grid points; per grid point the rank computes the full interaction
//     strength once (g_zero path), and from it Gamma and the collision-matrix rows for
//     every temperature (self_energy/collision_matrix), stored in its checkpoint shard;
//  2. per temperature: rank r reads the shards of a contiguous block of grid points,
//     finishes their rows (diagonal, weights, degeneracy averaging; the reducible form
//     expands each to its star) and places them into a ScaLAPACK matrix on a near-square
//     BLACS grid of all ranks, one grid point per collective round: no rank ever holds the
//     whole matrix (memory per rank ~ 2 n^2 / P + workspace);
//  3. symmetrize, diagonalize (pdsyevd or pdsyevr), Y = V diag(1/lambda) V^T X with
//     phono3py's pinv cutoff (two pdgemm with the replicated X), kappa and mode_kappa_RTA;
//  4. rank 0 writes kappa-m<mesh>[-s<sigma>].hdf5 in phono3py's LBTE layout and
//     coleigs-m<mesh>.hdf5 (collision eigenvalues), both under a temporary name first.
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
#include "ph3mpi/interaction/integration_weights.hpp"
#include "ph3mpi/interaction/triplets.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "ph3mpi/io/hdf5_file.hpp"
#include "ph3mpi/io/kappa_file.hpp"
#include "ph3mpi/parallel/blacs_grid.hpp"
#include "ph3mpi/parallel/block_cyclic_matrix.hpp"
#include "ph3mpi/parallel/block_cyclic_ops.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/parallel/ordered_sum.hpp"
#include "ph3mpi/phonon/group_velocity.hpp"
#include "ph3mpi/phonon/heat_capacity.hpp"
#include "ph3mpi/self_energy/collision_matrix.hpp"
#include "ph3mpi/self_energy/isotope.hpp"
#include "ph3mpi/transport/lbte_kappa.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {
namespace {

namespace fs = std::filesystem;

void check_lbte_settings(const Inputs& inputs) {
  const config::Settings& s = inputs.settings;
  if (!inputs.fc3) throw SettingsError("mode 'lbte' needs fc3, which was not loaded");
  if (!s.mesh) throw config::settings_error(s, "mesh", "mode 'lbte' needs a mesh");
  if (s.temperatures.empty())
    throw config::settings_error(s, "temperatures", "mode 'lbte' needs temperatures");
  const std::size_t methods = (s.tetrahedron ? 1U : 0U) + s.sigmas.size();
  if (methods != 1) {
    throw config::settings_error(
        s, s.sigmas.empty() ? "tetrahedron" : "sigmas",
        "mode 'lbte' solves with one integration method: the tetrahedron method "
        "(tetrahedron = true, no sigmas) or one sigma (tetrahedron = false, sigmas = [s])");
  }
  if (s.band_indices) throw config::settings_error(s, "band_indices", "mode 'lbte' needs every band");
  if (!s.grid_points.empty()) {
    throw config::settings_error(s, "grid_points", "mode 'lbte' runs over all irreducible grid points");
  }
  if (s.is_N_U) throw config::settings_error(s, "is_N_U", "is not supported by mode 'lbte'");
  for (const auto& [key, on] :
       std::vector<std::pair<const char*, bool>>{{"use_ave_pp", s.use_ave_pp},
                                                 {"const_ave_pp", s.const_ave_pp.has_value()},
                                                 {"write_pp", s.write_pp},
                                                 {"read_pp", s.read_pp},
                                                 {"write_gamma_detail", s.write_gamma_detail}}) {
    if (on) throw config::settings_error(s, key, "is supported by mode 'ise' only, not by mode 'lbte'");
  }
}

// Rows of one grid point: triplets -> collision weights (3 components) -> interaction
// strength once -> Gamma and rows for every temperature; isotope Gamma.
class GridPointCollision {
 public:
  GridPointCollision(const config::Settings& settings, const interaction::Interaction& interaction,
                     const interaction::PhononView& phonons, const NdArray<double>& frequencies,
                     const grid::BZGrid& bz_grid, const transport::LbteLayout& layout,
                     std::vector<double> mass_variances, common::TraceSink trace)
      : settings_(settings),
        interaction_(interaction),
        phonons_(phonons),
        frequencies_(frequencies),
        bz_grid_(bz_grid),
        layout_(layout),
        mass_variances_(std::move(mass_variances)),
        trace_(std::move(trace)),
        sigma_(settings.tetrahedron ? std::nullopt : std::optional<double>(settings.sigmas.front())) {}

  NamedArrays compute(std::int64_t gp, std::int64_t batch) const {
    const std::size_t nb = phonons_.num_band;
    trace_.trace("get_triplets_at_q", gp, batch);
    const interaction::TripletsAtQ tq = interaction::get_triplets_at_q(gp, bz_grid_);
    const double* f = phonons_.frequencies_at(static_cast<std::size_t>(gp));
    const std::vector<double> f0(f, f + nb);
    trace_.trace("CollisionWeights", gp, batch);
    const interaction::TripletIntegrationWeights w =
        interaction::get_triplets_integration_weights(f0, tq.triplets, frequencies_, bz_grid_, sigma_,
                                                      sigma_ ? settings_.sigma_cutoff : std::nullopt, true);
    trace_.trace("Interaction", gp, batch);
    const NdArray<double> pp = interaction_.run(phonons_, tq.triplets, w.g_zero.ptr());
    trace_.trace("CollisionMatrix", gp, batch);
    self_energy::CollisionRows rows = self_energy::collision_rows(
        gp, pp.ptr(), w, tq, phonons_, interaction_.band_indices(), settings_.temperatures,
        interaction_.cutoff_frequency(), bz_grid_, layout_.reducible ? nullptr : &layout_.symmetry);
    NamedArrays out;
    out.reals["gamma"] = std::move(rows.gamma);
    out.reals["collision"] = std::move(rows.collision);
    if (settings_.isotope) {
      trace_.trace("Isotope", gp, batch);
      const std::vector<double> g =
          self_energy::isotope_gamma(gp, interaction_.band_indices(), mass_variances_, phonons_, bz_grid_,
                                     sigma_, settings_.cutoff_frequency, settings_.degenerate_average);
      NdArray<double> iso({nb});
      iso.data = g;
      out.reals["gamma_isotope"] = std::move(iso);
    }
    NdArray<std::int64_t> n({1});
    n.data[0] = static_cast<std::int64_t>(tq.triplets.size());
    out.ints["num_triplets"] = std::move(n);
    return out;
  }

 private:
  const config::Settings& settings_;
  const interaction::Interaction& interaction_;
  const interaction::PhononView& phonons_;
  const NdArray<double>& frequencies_;
  const grid::BZGrid& bz_grid_;
  const transport::LbteLayout& layout_;
  std::vector<double> mass_variances_;
  common::TraceSink trace_;
  std::optional<double> sigma_;
};

// Column-major n x k from row-major (n, k) and back.
std::vector<double> to_column_major(const double* row_major, std::size_t n, std::size_t k) {
  std::vector<double> cm(n * k);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < k; ++a) cm[a * n + i] = row_major[i * k + a];
  return cm;
}

struct TemperatureResult {
  std::array<double, 6> kappa{}, kappa_RTA{};
  NdArray<double> mode_kappa_RTA, f_vector;  // (num matrix grid points, nb, 6 / 3)
  std::vector<double> eigenvalues;
};

}  // namespace

int run_lbte(const ModeArguments& args) {
  const parallel::Context& context = args.context;
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  const parallel::Rank0Stream& log = args.log;
  const auto t_start = std::chrono::steady_clock::now();

  grid::BZGrid bz_grid;
  grid::IrGridPoints ir;
  std::vector<double> mass_variances;
  std::int64_t gp_batch_size = 0;
  parallel::EigenSolver solver = parallel::EigenSolver::kPdsyevd;
  parallel::collective_check(context, [&] {
    check_lbte_settings(inputs);
    bz_grid = make_bz_grid(inputs);
    ir = grid::get_ir_grid_points(bz_grid);
    if (s.isotope) {
      mass_variances = resolve_mass_variances(inputs);
    }
    gp_batch_size = config::resolve_gp_batch_size(s, std::getenv("PH3MPI_GP_BATCH_SIZE"));
    solver = parallel::eigen_solver_from_name(std::string(config::to_string(s.pinv_solver)));
    transport::pinv_eigenvalues({}, s.pinv_cutoff, s.pinv_method);
  });
  const std::size_t nb = inputs.num_bands();
  const ScatteringPlan plan = make_scattering_plan(bz_grid, ir, nb);
  const std::size_t n_ir = plan.grid_points.size();
  const std::size_t n_t = s.temperatures.size();
  const transport::LbteLayout layout =
      transport::make_lbte_layout(bz_grid, plan.grid_points, nb, s.reducible_collision_matrix, true);
  const std::int64_t n = static_cast<std::int64_t>(layout.size());

  // The distributed matrix: a near-square grid of all ranks; refuse before any work when
  // it cannot fit memory_per_rank.
  const parallel::BlacsGrid blacs(context);
  const int block = static_cast<int>(s.blacs_block_size);
  const parallel::EigenMemoryEstimate eig_memory =
      parallel::estimate_eigen_memory(n, block, blacs.shape(), solver, !blacs.uses_scalapack());
  const MemoryEstimate memory = estimate_scattering_memory(inputs, bz_grid);
  const std::uint64_t per_rank = memory.per_rank(1, omp_get_max_threads()) +
                                 static_cast<std::uint64_t>(eig_memory.total_bytes()) +
                                 n_t * layout.row_block_elements() * sizeof(double);
  parallel::collective_check(context, [&] {
    if (s.memory_per_rank && per_rank > *s.memory_per_rank) {
      throw config::settings_error(
          s, "memory_per_rank",
          "the LBTE run needs about " + format_bytes(per_rank) + " per rank (collision matrix " +
              std::to_string(n) + " x " + std::to_string(n) + " = " +
              format_bytes(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 8) + " on a " +
              std::to_string(blacs.nprow()) + " x " + std::to_string(blacs.npcol()) +
              " BLACS grid: matrix, eigenvectors and solver workspace " +
              format_bytes(eig_memory.total_bytes()) + " per rank), more than memory_per_rank = " +
              format_bytes(*s.memory_per_rank) + "; use more ranks");
    }
  });

  // Phonons first: a bad read_phonon file is refused before anything is written.
  const std::unique_ptr<phonon::DynamicalMatrix> dm = make_dynamical_matrix(inputs);
  const BZPhonons phonons(context, inputs, bz_grid, *dm);

  const io::Fingerprint fingerprint = scattering_fingerprint(
      inputs, bz_grid, mass_variances,
      std::string("lbte-collision-rows") + (s.reducible_collision_matrix ? "-reducible" : ""));
  const io::Checkpoint checkpoint(s.output_dir, fingerprint.hex());
  const PendingWork work = resume_checkpoint(context, s, plan, fingerprint);
  const io::CheckpointStatus& status = work.status;
  const std::vector<parallel::WorkItem>& items = work.items;
  const std::int64_t restored = work.restored;

  const int threads = omp_get_max_threads();
  {
    const auto mesh = mesh_numbers(bz_grid);
    std::ostringstream b;
    b << "ph3mpi " PH3MPI_VERSION " LBTE run ("
      << (s.reducible_collision_matrix ? "reducible" : "irreducible") << " collision matrix)\n"
      << "  ranks " << context.size() << " x OpenMP threads " << threads << ", gp_batch_size "
      << gp_batch_size << ", BLACS grid " << blacs.nprow() << " x " << blacs.npcol() << ", block size "
      << block << ", " << parallel::eigen_solver_name(solver) << "\n"
      << "  mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ", " << n_ir
      << " irreducible grid points, " << nb << " bands, collision matrix " << n << " x " << n << " ("
      << format_bytes(static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 8)
      << ")\n  temperatures (K):";
    for (const double t : s.temperatures) b << " " << t;
    b << "\n  integration: "
      << (s.tetrahedron ? "tetrahedron method" : "sigma " + std::to_string(s.sigmas.front()))
      << (s.isotope ? ", isotope" : "") << ", pinv_cutoff " << s.pinv_cutoff << ", pinv_method "
      << s.pinv_method << "\n  memory estimate per rank: " << format_bytes(per_rank) << " (solver "
      << format_bytes(eig_memory.total_bytes()) << ")\n  checkpoint " << checkpoint.shard_directory().string()
      << ": " << (status.resumed ? "resumed, " + std::to_string(restored) + " grid points restored" : "new")
      << "\n";
    for (const std::string& note : status.notes) b << "  " << note << "\n";
    log << b.str();
  }

  log << "  phonons " << phonons.describe() << "\n";
  if (s.write_phonon) log << "  phonons written to " << phonons.write(context, s.output_dir, bz_grid) << "\n";
  const interaction::PhononView view = phonons.view();
  const interaction::Interaction itr = make_interaction(inputs, bz_grid);
  const common::TraceSink trace =
      common::TraceSink::from_environment(std::getenv("PH3MPI_TRACE"), std::cerr, context.rank(), threads);
  const GridPointCollision calculator(s, itr, view, phonons.frequencies(), bz_grid, layout, mass_variances,
                                      trace);

  std::ostringstream null_stream;
  const auto t_compute = std::chrono::steady_clock::now();
  compute_pending_grid_points(
      context, work, static_cast<std::int64_t>(n_ir), gp_batch_size, checkpoint,
      log.is_active() ? log.stream() : null_stream,
      [&](std::int64_t gp, std::int64_t batch) { return calculator.compute(gp, batch); });
  const double compute_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_compute).count();

  // Replicated per-grid-point data of the ir grid points (cheap): frequencies, group
  // velocities, heat capacities, q-points.
  const auto t_solve = std::chrono::steady_clock::now();
  const std::vector<Eigen::Vector3d> qpoints = grid::qpoints_of_bz_points(bz_grid, plan.grid_points);
  NdArray<double> gv_ir({n_ir, nb, 3});
  const phonon::GroupVelocity group_velocity(*dm, inputs.primitive_symmetry.reciprocal_operations,
                                             inputs.symprec, std::nullopt, units::kDefaultToTHz,
                                             s.cutoff_frequency);
  group_velocity.run(qpoints, gv_ir.ptr());
  const double* frequencies = phonons.frequencies().ptr();

  // This rank's block of grid points: their shards (Gamma, rows for every T).
  const parallel::RowRange mine = parallel::node_row_range(n_ir, context.rank(), context.size());
  std::vector<NamedArrays> shards;
  for (std::size_t i = mine.begin; i < mine.end; ++i) shards.push_back(checkpoint.read(plan.grid_points[i]));
  const std::int64_t rounds = context.max(static_cast<std::int64_t>(mine.end - mine.begin));
  // Gamma and Gamma_iso of all ir grid points on every rank (small).
  std::vector<double> gamma_mine, iso_mine;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const std::int64_t gp = plan.grid_points[mine.begin + k];
    const NdArray<double>& g = checkpoint_array(shards[k], "gamma", gp);  // (T, nb)
    gamma_mine.insert(gamma_mine.end(), g.data.begin(), g.data.end());
    if (s.isotope) {
      const NdArray<double>& iso = checkpoint_array(shards[k], "gamma_isotope", gp);
      iso_mine.insert(iso_mine.end(), iso.data.begin(), iso.data.end());
    }
  }
  const std::vector<double> gamma_all =
      parallel::allgather_in_rank_order(context, gamma_mine);  // (ir, T, nb)
  const std::vector<double> iso_all =
      s.isotope ? parallel::allgather_in_rank_order(context, iso_mine) : std::vector<double>();

  transport::LbteSettings lbte;
  lbte.pinv_cutoff = s.pinv_cutoff;
  lbte.pinv_method = s.pinv_method;
  lbte.cutoff_frequency = s.cutoff_frequency;
  lbte.boundary_mfp = s.boundary_mfp;
  lbte.conversion_factor = transport::kappa_unit_conversion(inputs.primitive.volume());

  NdArray<double> gamma_out({n_t, n_ir, nb});
  NdArray<double> heat_capacity({n_t, n_ir, nb});
  NdArray<double> iso_ir({n_ir, nb});
  if (s.isotope) iso_ir.data = iso_all;
  std::vector<double> cv(n_t * nb);
  for (std::size_t i = 0; i < n_ir; ++i) {
    const double* f = frequencies + static_cast<std::size_t>(plan.grid_points[i]) * nb;
    phonon::mode_heat_capacities(f, nb, s.temperatures, s.cutoff_frequency, cv.data());
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy_n(cv.begin() + static_cast<std::ptrdiff_t>(it * nb), nb,
                  heat_capacity.data.begin() + static_cast<std::ptrdiff_t>((it * n_ir + i) * nb));
      std::copy_n(gamma_all.begin() + static_cast<std::ptrdiff_t>((i * n_t + it) * nb), nb,
                  gamma_out.data.begin() + static_cast<std::ptrdiff_t>((it * n_ir + i) * nb));
    }
  }

  const std::size_t row_block = layout.row_block_elements();
  const std::size_t rows_per_gp = layout.block_size();
  std::vector<TemperatureResult> results;
  for (std::size_t it = 0; it < n_t; ++it) {
    const double temperature = s.temperatures[it];
    TemperatureResult res;
    res.mode_kappa_RTA = NdArray<double>({layout.num_grid_points(), nb, 6});
    res.f_vector = NdArray<double>({layout.num_grid_points(), nb, 3});
    res.eigenvalues.assign(static_cast<std::size_t>(n), 0.0);
    if (temperature <= 0) {  // phono3py skips T <= 0: zeros
      results.push_back(std::move(res));
      continue;
    }
    NdArray<double> gamma_t({n_ir, nb});
    for (std::size_t i = 0; i < n_ir; ++i) {
      std::copy_n(gamma_out.data.begin() + static_cast<std::ptrdiff_t>((it * n_ir + i) * nb), nb,
                  gamma_t.data.begin() + static_cast<std::ptrdiff_t>(i * nb));
    }
    NdArray<double> gv_matrix =
        layout.reducible ? transport::expand_reducible_group_velocities(gv_ir, layout) : gv_ir;
    NdArray<double> gamma_expanded, iso_expanded;
    if (layout.reducible) {
      gamma_expanded = transport::expand_reducible_values(gamma_t, layout);
      if (s.isotope) iso_expanded = transport::expand_reducible_values(iso_ir, layout);
    }

    // Assemble: one grid point of every rank per collective round.
    parallel::BlockCyclicMatrix matrix(blacs, n, n, block);
    std::vector<double> diag(nb);
    for (std::int64_t round = 0; round < rounds; ++round) {
      std::vector<std::int64_t> global_rows;
      std::vector<double> data;
      const std::size_t k = static_cast<std::size_t>(round);
      if (k < shards.size()) {
        const std::size_t i = mine.begin + k;
        const std::int64_t gp = plan.grid_points[i];
        const NdArray<double>& raw = checkpoint_array(shards[k], "collision", gp);
        if (raw.size() != n_t * row_block) {
          throw io::CheckpointError("checkpoint shard of grid point " + std::to_string(gp) +
                                    ": collision rows of the wrong size");
        }
        std::vector<double> rows(raw.data.begin() + static_cast<std::ptrdiff_t>(it * row_block),
                                 raw.data.begin() + static_cast<std::ptrdiff_t>((it + 1) * row_block));
        if (!layout.reducible) {
          transport::lbte_main_diagonal(gamma_t.ptr() + i * nb, s.isotope ? iso_ir.ptr() + i * nb : nullptr,
                                        gv_ir.ptr() + i * nb * 3, s.boundary_mfp, nb, diag.data());
          transport::prepare_irreducible_row_block(rows.data(), i, diag.data(), layout, frequencies);
          for (std::size_t r = 0; r < rows_per_gp; ++r)
            global_rows.push_back(static_cast<std::int64_t>(i * rows_per_gp + r));
          data = std::move(rows);
        } else {
          transport::average_reducible_row_by_degeneracy(rows.data(), i, layout, frequencies);
          for (const std::int64_t q : transport::reducible_star(i, layout)) {
            std::vector<double> expanded(row_block);
            transport::expand_reducible_row(rows.data(), i, q, layout, expanded.data());
            const std::size_t qq = static_cast<std::size_t>(q);
            transport::lbte_main_diagonal(gamma_expanded.ptr() + qq * nb,
                                          s.isotope ? iso_expanded.ptr() + qq * nb : nullptr,
                                          gv_matrix.ptr() + qq * nb * 3, s.boundary_mfp, nb, diag.data());
            transport::add_reducible_main_diagonal(expanded.data(), q, diag.data(), layout);
            for (std::size_t r = 0; r < rows_per_gp; ++r)
              global_rows.push_back(static_cast<std::int64_t>(qq * rows_per_gp + r));
            data.insert(data.end(), expanded.begin(), expanded.end());
          }
        }
      }
      trace.trace("ScatterRows", global_rows.empty() ? -1 : plan.grid_points[mine.begin + k], round);
      parallel::scatter_rows(matrix, global_rows, data.data());
    }
    parallel::symmetrize(matrix);

    // RTA by-product: divisors from the main diagonals (irreducible) or the diagonal
    // of the symmetrized matrix (reducible).
    std::vector<double> divisors;
    if (layout.reducible) {
      std::vector<double> d(static_cast<std::size_t>(n), 0.0);
      matrix.for_each_local([&d](std::int64_t i, std::int64_t j, double& v) {
        if (i == j) d[static_cast<std::size_t>(i)] = v;
      });
      // Each diagonal element lives on exactly one rank: a sum with zeros is exact.
      divisors = parallel::sum_over_ranks(context, d);
    } else {
      NdArray<double> diags({n_ir, nb});
      for (std::size_t i = 0; i < n_ir; ++i) {
        transport::lbte_main_diagonal(gamma_t.ptr() + i * nb, s.isotope ? iso_ir.ptr() + i * nb : nullptr,
                                      gv_ir.ptr() + i * nb * 3, s.boundary_mfp, nb, diags.ptr() + i * nb);
      }
      divisors = transport::rta_divisors_irreducible(diags);
    }
    const NdArray<double> X =
        transport::lbte_X(layout, frequencies, gv_matrix, temperature, s.cutoff_frequency);
    const NdArray<double> Y_rta = transport::rta_Y(X, divisors, layout, frequencies, s.cutoff_frequency);
    res.mode_kappa_RTA = transport::lbte_mode_kappa(X, Y_rta, layout, temperature, lbte.conversion_factor);
    res.kappa_RTA = transport::sum_mode_kappa(res.mode_kappa_RTA, layout.num_mesh_points);

    trace.trace("Eigensolver", -1, static_cast<std::int64_t>(it));
    parallel::SymmetricEigenSolution eig = parallel::solve_symmetric_eigen(matrix, solver);
    res.eigenvalues = eig.eigenvalues;
    const std::vector<double> e = transport::pinv_eigenvalues(eig.eigenvalues, s.pinv_cutoff, s.pinv_method);
    // Y = V diag(e) V^T X: irreducible one right-hand side (X flattened), reducible three.
    const std::size_t k = layout.reducible ? 3 : 1;
    const std::size_t rows = static_cast<std::size_t>(n);
    const std::vector<double> x_cm = to_column_major(X.ptr(), rows, k);
    std::vector<double> t = parallel::multiply_replicated(eig.eigenvectors, parallel::Transpose::kYes,
                                                          x_cm.data(), static_cast<std::int64_t>(k));
    for (std::size_t a = 0; a < k; ++a)
      for (std::size_t l = 0; l < rows; ++l) t[a * rows + l] *= e[l];
    const std::vector<double> y_cm = parallel::multiply_replicated(eig.eigenvectors, parallel::Transpose::kNo,
                                                                   t.data(), static_cast<std::int64_t>(k));
    NdArray<double> Y(X.shape);
    for (std::size_t l = 0; l < rows; ++l)
      for (std::size_t a = 0; a < k; ++a) Y.data[l * k + a] = y_cm[a * rows + l];
    res.f_vector = transport::lbte_f_vectors(Y, layout);
    const NdArray<double> mode_kappa =
        transport::lbte_mode_kappa(X, Y, layout, temperature, lbte.conversion_factor);
    res.kappa = transport::sum_mode_kappa(mode_kappa, layout.num_mesh_points);
    results.push_back(std::move(res));
  }
  const double solve_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t_solve).count();

  // Output (rank 0; every array here is O(n), replicated).
  const auto mesh = mesh_numbers(bz_grid);
  if (context.is_root()) {
    io::KappaFileLayout kl;
    kl.method = io::KappaMethod::kLbte;
    kl.temperatures = s.temperatures;
    describe_grid(bz_grid, kl);
    kl.num_grid_points = n_ir;
    kl.num_band = nb;
    kl.num_all_grid_points = layout.reducible ? layout.num_grid_points() : 0;
    kl.has_gamma_isotope = s.isotope;
    if (!s.tetrahedron) kl.sigma = s.sigmas.front();
    if (!s.tetrahedron && s.sigma_cutoff) kl.sigma_cutoff_width = s.sigma_cutoff;
    kl.boundary_mfp = s.boundary_mfp;
    kl.kappa_unit_conversion = lbte.conversion_factor;

    io::KappaFileData data;
    const std::size_t n_gp_all = layout.num_grid_points();
    data.frequency = NdArray<double>({n_gp_all, nb});
    for (std::size_t q = 0; q < n_gp_all; ++q) {
      const double* f = frequencies + static_cast<std::size_t>(layout.grid_points[q]) * nb;
      std::copy(f, f + nb, data.frequency.data.begin() + static_cast<std::ptrdiff_t>(q * nb));
    }
    data.group_velocity = gv_ir;
    data.heat_capacity = heat_capacity;
    data.gamma = gamma_out;
    if (s.isotope) data.gamma_isotope = iso_ir;
    data.kappa = NdArray<double>({n_t, 6});
    data.kappa_RTA = NdArray<double>({n_t, 6});
    data.mode_kappa_RTA = NdArray<double>({n_t, n_gp_all, nb, 6});
    for (std::size_t it = 0; it < n_t; ++it) {
      std::copy(results[it].kappa.begin(), results[it].kappa.end(),
                data.kappa.data.begin() + static_cast<std::ptrdiff_t>(it * 6));
      std::copy(results[it].kappa_RTA.begin(), results[it].kappa_RTA.end(),
                data.kappa_RTA.data.begin() + static_cast<std::ptrdiff_t>(it * 6));
      std::copy(results[it].mode_kappa_RTA.data.begin(), results[it].mode_kappa_RTA.data.end(),
                data.mode_kappa_RTA.data.begin() + static_cast<std::ptrdiff_t>(it * n_gp_all * nb * 6));
    }
    data.f_vector = results.back().f_vector;  // phono3py: of the last temperature
    data.qpoint = NdArray<double>({n_ir, 3});
    for (std::size_t i = 0; i < n_ir; ++i)
      for (int a = 0; a < 3; ++a) data.qpoint.data[i * 3 + static_cast<std::size_t>(a)] = qpoints[i](a);
    data.weight = NdArray<std::int64_t>({n_ir});
    data.weight.data = plan.weights;
    data.grid_point = NdArray<std::int64_t>({n_ir});
    data.grid_point.data = plan.grid_points;

    const fs::path path = s.output_dir / io::kappa_filename(mesh, kl.sigma, kl.sigma_cutoff_width);
    io::write_new_hdf5_file(path.string(),
                            [&](const std::string& tmp) { io::write_kappa_file(tmp, kl, data); });

    const fs::path coleigs = s.output_dir / ("coleigs" +
                                             io::kappa_filename_suffix(mesh, std::nullopt, std::nullopt,
                                                                       kl.sigma, kl.sigma_cutoff_width) +
                                             ".hdf5");
    io::write_hdf5_atomically(coleigs.string(), [&](io::Hdf5File& file) {
      NdArray<double> ev({n_t, static_cast<std::size_t>(n)});
      for (std::size_t it = 0; it < n_t; ++it)
        std::copy(results[it].eigenvalues.begin(), results[it].eigenvalues.end(),
                  ev.data.begin() + static_cast<std::ptrdiff_t>(it * static_cast<std::size_t>(n)));
      file.write("collision_eigenvalues", ev);
      NdArray<double> temps({n_t});
      temps.data = s.temperatures;
      file.write("temperature", temps);
      file.write_string("version", PH3MPI_VERSION);
    });

    std::ostringstream table;
    for (const bool rta : {false, true}) {
      table << "----------- Thermal conductivity (W/m-k) " << (rta ? "RTA" : "LBTE") << " -----------\n"
            << "#  T(K)        xx         yy         zz         yz         xz         xy\n";
      for (std::size_t it = 0; it < n_t; ++it) {
        const std::array<double, 6>& kv = rta ? results[it].kappa_RTA : results[it].kappa;
        table << std::fixed << std::setprecision(1) << std::setw(7) << s.temperatures[it]
              << std::setprecision(3);
        for (const double v : kv) table << " " << std::setw(10) << v;
        table << "\n";
      }
    }
    log << table.str();
  }
  // Per-rank peak of the block-cyclic storage (matrix, eigenvectors, symmetrization
  // copy): the evidence that no rank held the whole matrix.
  const std::vector<std::string> peaks =
      context.gather_strings(std::to_string(parallel::matrix_memory().peak()));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  std::ostringstream tail;
  tail << "peak block-cyclic memory per rank (bytes):";
  for (const std::string& p : peaks) tail << " " << p;
  tail << "; whole matrix " << static_cast<std::uint64_t>(n) * static_cast<std::uint64_t>(n) * 8 << "\n";
  tail << "LBTE: " << items.size() << " grid points computed in " << std::fixed << std::setprecision(2)
       << compute_seconds << " s, " << restored << " restored; matrix assembly and solve " << solve_seconds
       << " s; total " << seconds << " s\n";
  log << tail.str();
  return 0;
}

}  // namespace ph3mpi::driver
