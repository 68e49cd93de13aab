#include "ph3mpi/driver/scattering_stage.hpp"

#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "ph3mpi/driver/harmonic_setup.hpp"
#include "ph3mpi/driver/memory_model.hpp"
#include "ph3mpi/parallel/error_handling.hpp"
#include "ph3mpi/transport/rta_kappa.hpp"

namespace ph3mpi::driver {

ScatteringStage::ScatteringStage(const ModeArguments& args, const std::function<void()>& check_settings,
                                 const std::string& checkpoint_stage)
    : args_(args) {
  const parallel::Context& context = args.context;
  const Inputs& inputs = args.inputs;
  const config::Settings& s = inputs.settings;
  parallel::collective_check(context, [&] {
    check_settings();
    bz_grid_ = make_bz_grid(inputs);
    ir_ = grid::get_ir_grid_points(bz_grid_);
    if (s.isotope) mass_variances_ = resolve_mass_variances(inputs);
    gp_batch_size_ = config::resolve_gp_batch_size(s, std::getenv("PH3MPI_GP_BATCH_SIZE"));
  });
  plan_ = make_scattering_plan(bz_grid_, ir_, inputs.num_bands());
  dm_ = make_dynamical_matrix(inputs);
  phonons_ = std::make_unique<BZPhonons>(context, inputs, bz_grid_, *dm_);
  if (s.write_phonon) phonon_file_ = phonons_->write(context, s.output_dir, bz_grid_);
  const io::Fingerprint fingerprint =
      scattering_fingerprint(inputs, bz_grid_, mass_variances_, checkpoint_stage);
  checkpoint_ = std::make_unique<io::Checkpoint>(s.output_dir, fingerprint.hex());
  work_ = resume_checkpoint(context, s, plan_, fingerprint);
  trace_ = common::TraceSink::from_environment(std::getenv("PH3MPI_TRACE"), std::cerr, context.rank(),
                                               omp_get_max_threads());
}

std::string ScatteringStage::settings_lines() const {
  const config::Settings& s = args_.inputs.settings;
  const auto mesh = mesh_numbers(bz_grid_);
  std::ostringstream b;
  b << "  ranks " << args_.context.size() << " x OpenMP threads " << omp_get_max_threads()
    << ", gp_batch_size " << gp_batch_size_ << (gp_batch_size_ <= 0 ? " (one grid point per assignment)" : "")
    << "\n"
    << "  mesh " << mesh[0] << "x" << mesh[1] << "x" << mesh[2] << ", " << plan_.grid_points.size()
    << " irreducible grid points, " << args_.inputs.num_bands() << " bands\n  temperatures (K):";
  for (const double t : s.temperatures) b << " " << t;
  GridCounts counts;
  counts.num_grid_points = static_cast<double>(bz_grid_.num_gr_points());
  counts.num_bz_points = static_cast<double>(bz_grid_.num_bz_points());
  counts.num_ir_points = static_cast<double>(plan_.grid_points.size());
  counts.max_triplets = std::ceil(counts.num_grid_points / 2) + 1;
  counts.exact = true;
  const MemoryModel model =
      model_memory(memory_sizes(args_.inputs, counts, args_.context.size(), omp_get_max_threads()));
  b << "\n  memory estimate per rank: "
    << format_byte_estimate(model.worst_rank_bytes(phonons_->ranks_on_node()))
    << " (the model --dry-run prints item by item)\n";
  return b.str();
}

std::string ScatteringStage::checkpoint_lines() const {
  std::ostringstream b;
  b << "  checkpoint " << checkpoint_->shard_directory().string() << ": "
    << (work_.status.resumed ? "resumed, " + std::to_string(work_.restored) + " grid points restored" : "new")
    << "\n";
  for (const std::string& note : work_.status.notes) b << "  " << note << "\n";
  b << "  phonons " << phonons_->describe() << "\n";
  if (!phonon_file_.empty()) b << "  phonons written to " << phonon_file_ << "\n";
  return b.str();
}

double ScatteringStage::compute(const std::function<NamedArrays(std::int64_t, std::int64_t)>& compute) const {
  std::ostringstream null_stream;
  const auto start = std::chrono::steady_clock::now();
  compute_pending_grid_points(args_.context, work_, static_cast<std::int64_t>(plan_.grid_points.size()),
                              gp_batch_size_, *checkpoint_,
                              args_.log.is_active() ? args_.log.stream() : null_stream, compute);
  return seconds_since(start);
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
  if (s.transport_type) p.interband = transport::parse_interband_variant(*s.transport_type);
  p.dynamical_matrix = dm_.get();
  p.phonons = phonons_->view();
  return p;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace ph3mpi::driver
