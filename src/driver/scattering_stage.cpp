#include "ph3mpi/driver/scattering_stage.hpp"

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <set>
#include <sstream>

#include "ph3mpi/driver/grid_point_gamma.hpp"
#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/parallel/node_shared.hpp"
#include "ph3mpi/solvers/gamma_files.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {
namespace {

// Settings a job-array part cannot honour (collective phase).
void check_part_settings(const config::Settings& s, const RunPart& part) {
  if (!part.active()) return;
  if (!s.restart) {
    throw config::settings_error(s, "restart",
                                 "--part " + part.text() +
                                     ": the parts share the checkpoint of output_dir, and restart = false "
                                     "would delete what the other parts computed");
  }
  if (s.read_gamma) {
    throw config::settings_error(
        s, "read_gamma",
        "--part " + part.text() + " splits the Gamma computation; with read_gamma there is none");
  }
}

}  // namespace

void refuse_ise_only_settings(const config::Settings& s) {
  for (const auto& [key, on] :
       std::vector<std::pair<const char*, bool>>{{"use_ave_pp", s.use_ave_pp},
                                                 {"const_ave_pp", s.const_ave_pp.has_value()},
                                                 {"write_pp", s.write_pp},
                                                 {"read_pp", s.read_pp},
                                                 {"write_gamma_detail", s.write_gamma_detail}}) {
    if (on) {
      throw config::settings_error(
          s, key,
          "is supported by mode 'ise' only, not by mode '" + std::string(config::to_string(s.mode)) + "'");
    }
  }
}

ScatteringStage::ScatteringStage(const ModeArguments& args, const std::function<void()>& check_settings,
                                 const StageNames& names)
    : args_(args) {
  const parallel::Context& context = args.context;
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  parallel::collective_check(context, [&] {
    check_settings();
    check_part_settings(s, args.part);
    bz_grid_ = make_bz_grid(inputs);
    ir_ = grid::get_ir_grid_points(bz_grid_);
    if (s.isotope) mass_variances_ = resolve_mass_variances(inputs);
    gp_batch_size_ = config::resolve_gp_batch_size(s, std::getenv("PH3MPI_GP_BATCH_SIZE"));
  });
  plan_ = make_scattering_plan(bz_grid_, ir_, inputs.num_bands(), s.is_kappa_star);
  if (args.part.active()) {
    candidates_ = part_share(plan_.costs, args.part.part, args.part.num_parts);
  } else {
    candidates_.resize(plan_.grid_points.size());
    std::iota(candidates_.begin(), candidates_.end(), std::size_t{0});
  }
  dm_ = make_dynamical_matrix(inputs);
  phonons_ = std::make_unique<BZPhonons>(context, inputs, bz_grid_, *dm_);
  if (s.write_phonon) phonon_file_ = phonons_->write(context, s.output_dir, bz_grid_);
  open_stages(names);
  trace_ = common::TraceSink::from_environment(std::getenv("PH3MPI_TRACE"), std::cerr, context.rank(),
                                               omp_get_max_threads());
}

ScatteringStage::~ScatteringStage() = default;

void ScatteringStage::open_stages(const StageNames& names) {
  const parallel::Context& context = args_.context;
  const Inputs& inputs = args_.inputs;
  const config::Settings& s = inputs.settings;
  std::vector<const solvers::GridPointResults*> parts;
  if (s.read_gamma) {
    solvers::RtaOptions options;
    options.methods = integration_methods(s);
    options.sigma_cutoff = s.sigma_cutoff;
    options.is_N_U = s.is_N_U;
    sources_.push_back(std::make_unique<solvers::GammaFileResults>(
        *s.read_gamma, mesh_numbers(bz_grid_), s.temperatures, inputs.num_bands(), options));
    // Every file checked before anything is computed; each rank its block of grid points.
    parallel::collective_check(context, [&] {
      const parallel::RowRange mine =
          parallel::node_row_range(plan_.grid_points.size(), context.rank(), context.size());
      for (std::size_t i = mine.begin; i < mine.end; ++i) sources_.back()->read(plan_.grid_points[i]);
    });
    parts.push_back(sources_.back().get());
  }
  auto add = [&](const std::string& label, const io::Fingerprint& fingerprint, io::StageKind kind) {
    // restart = false clears the whole checkpoint once, with the first stage.
    const bool restart = s.restart || !stored_.empty();
    Stored stage{label, std::make_unique<io::Checkpoint>(s.output_dir, fingerprint.hex()),
                 resume_checkpoint(context, s.output_dir, restart, kind, plan_, candidates_, fingerprint)};
    sources_.push_back(std::make_unique<solvers::CheckpointResults>(*stage.checkpoint));
    parts.push_back(sources_.back().get());
    stored_.push_back(std::move(stage));
  };
  if (!s.read_gamma) {
    add("ph-ph", phph_fingerprint(inputs, bz_grid_, names.phph, names.phph_depends_on_kappa_star),
        io::StageKind::kExclusive);
  }
  if (s.isotope) {
    add("isotope", isotope_fingerprint(inputs, bz_grid_, mass_variances_, names.isotope),
        io::StageKind::kKeyed);
  }
  results_ = std::make_unique<solvers::CombinedResults>(parts);
}

std::string ScatteringStage::settings_lines() const {
  const config::Settings& s = args_.inputs.settings;
  const auto mesh = mesh_numbers(bz_grid_);
  std::ostringstream b;
  b << "  ranks " << args_.context.size() << " x OpenMP threads " << omp_get_max_threads()
    << ", gp_batch_size " << gp_batch_size_ << (gp_batch_size_ <= 0 ? " (one grid point per assignment)" : "")
    << "\n"
    << "  mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ", " << plan_.grid_points.size()
    << (s.is_kappa_star ? " irreducible grid points, " : " grid points (is_kappa_star = false), ")
    << args_.inputs.num_bands() << " bands\n  temperatures (K):";
  for (const double t : s.temperatures) b << " " << t;
  if (is_part()) {
    b << "\n  part " << args_.part.text() << ": " << candidates_.size() << " of " << plan_.grid_points.size()
      << " grid points (cost-balanced share); no kappa is written";
  }
  GridCounts counts;
  counts.num_grid_points = static_cast<double>(bz_grid_.num_gr_points());
  counts.num_bz_points = static_cast<double>(bz_grid_.num_bz_points());
  counts.num_ir_points = static_cast<double>(plan_.grid_points.size());
  counts.max_triplets = std::ceil(counts.num_grid_points / 2) + 1;
  counts.exact = true;
  counts.interaction = args_.interaction;  // the pre-flight's sizing (rank 0 prints this)
  const MemoryModel model =
      model_memory(memory_sizes(args_.inputs, counts, args_.context.size(), omp_get_max_threads()));
  b << "\n  memory estimate per rank: "
    << format_byte_estimate(model.worst_rank_bytes(phonons_->ranks_on_node()))
    << " (the model --dry-run prints item by item)\n";
  return b.str();
}

std::string ScatteringStage::checkpoint_lines() const {
  std::ostringstream b;
  const config::Settings& s = args_.inputs.settings;
  if (s.read_gamma) b << "  ph-ph Gamma read from the gamma files in " << s.read_gamma->string() << "\n";
  for (const Stored& stage : stored_) {
    b << "  checkpoint " << stage.label << " " << stage.checkpoint->shard_directory().string() << ": "
      << (stage.work.status.resumed
              ? "resumed, " + std::to_string(stage.work.restored) + " grid points restored"
              : "new")
      << "\n";
    for (const std::string& note : stage.work.status.notes) b << "  " << note << "\n";
  }
  b << "  phonons " << phonons_->describe() << "\n";
  if (!phonon_file_.empty()) b << "  phonons written to " << phonon_file_ << "\n";
  return b.str();
}

double ScatteringStage::compute(const GridPointFunction& phph) const {
  const config::Settings& s = args_.inputs.settings;
  const interaction::PhononView view = phonons_->view();
  const GridPointFunction isotope = [&](std::int64_t gp, std::int64_t batch) {
    return isotope_result(gp, s, mass_variances_, view, bz_grid_, trace_, batch);
  };
  std::ostringstream null_stream;
  const auto start = std::chrono::steady_clock::now();
  for (const Stored& stage : stored_) {
    compute_pending_grid_points(
        args_.context, stage.work, static_cast<std::int64_t>(candidates_.size()), gp_batch_size_,
        *stage.checkpoint, args_.log.is_active() ? args_.log.stream() : null_stream,
        s.log_level == config::LogLevel::kDebug, stage.label == "isotope" ? isotope : phph);
  }
  return seconds_since(start);
}

std::string ScatteringStage::work_summary(double compute_seconds) const {
  std::ostringstream b;
  if (args_.inputs.settings.read_gamma) {
    b << "Gamma of " << plan_.grid_points.size() << " grid points read from gamma files";
  }
  for (const Stored& stage : stored_) {
    b << (b.tellp() > 0 ? "; " : "") << (stage.label == "ph-ph" ? "" : stage.label + ": ")
      << stage.work.items.size() << " grid points computed, " << stage.work.restored << " restored";
  }
  b << "; computing " << std::fixed << std::setprecision(2) << compute_seconds << " s";
  return b.str();
}

std::string ScatteringStage::part_report(double compute_seconds) const {
  if (!args_.context.is_root()) return "";
  std::ostringstream b;
  b << "part " << args_.part.text() << ": " << candidates_.size() << " of " << plan_.grid_points.size()
    << " grid points in this share; " << work_summary(compute_seconds) << "\n";
  std::set<std::int64_t> everywhere(plan_.grid_points.begin(),
                                    plan_.grid_points.end());  // done in every stage
  for (const Stored& stage : stored_) {
    const std::vector<std::int64_t> published = stage.checkpoint->published_grid_points();
    const std::set<std::int64_t> have(published.begin(), published.end());
    std::size_t done = 0;
    for (const std::int64_t gp : plan_.grid_points) {
      if (have.count(gp) != 0) {
        ++done;
      } else {
        everywhere.erase(gp);
      }
    }
    b << "  " << stage.label << ": " << done << " of " << plan_.grid_points.size() << " grid points done, "
      << plan_.grid_points.size() - done << " pending (all parts so far)\n";
  }
  const std::size_t left = plan_.grid_points.size() - everywhere.size();
  b << "overall: " << everywhere.size() << " of " << plan_.grid_points.size() << " grid points done, " << left
    << " pending; "
    << (left == 0
            ? "every grid point is done: run without --part to write kappa"
            : "run without --part once every part has ended: it computes what is missing and writes kappa")
    << "\n";
  return b.str();
}

std::unique_ptr<phonon::GroupVelocity> ScatteringStage::make_group_velocity() const {
  const Inputs& inputs = args_.inputs;
  return std::make_unique<phonon::GroupVelocity>(*dm_, inputs.primitive_symmetry.reciprocal_operations,
                                                 inputs.symprec, std::nullopt, units::kDefaultToTHz,
                                                 inputs.settings.cutoff_frequency);
}

solvers::ConductivityProblem ScatteringStage::conductivity_problem(
    const phonon::GroupVelocity& group_velocity) const {
  const Inputs& inputs = args_.inputs;
  const config::Settings& s = inputs.settings;
  solvers::ConductivityProblem p;
  p.bz_grid = &bz_grid_;
  p.grid_points = plan_.grid_points;
  p.weights = plan_.weights;
  p.num_band = inputs.num_bands();
  p.frequencies = phonons_->frequencies().ptr();
  p.group_velocity = &group_velocity;
  p.temperatures = s.temperatures;
  p.cutoff_frequency = s.cutoff_frequency;
  p.boundary_mfp = s.boundary_mfp;
  p.kappa_unit_conversion = transport::kappa_unit_conversion(inputs.primitive.volume());
  p.isotope = s.isotope;
  p.is_kappa_star = s.is_kappa_star;
  if (s.transport_type) p.interband = transport::parse_interband_variant(*s.transport_type);
  p.dynamical_matrix = dm_.get();
  p.phonons = phonons_->view();
  return p;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ph3mpi::driver
