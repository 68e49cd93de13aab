// phono3py's per-grid-point gamma files (io/gamma_file.hpp) in mode rta:
//  * write_gamma: after the RTA solution, every rank writes the files of its rows (one per
//    grid point and integration method), with the values phono3py's --write-gamma writes;
//  * read_gamma: GammaFileResults serves the ph-ph results of a grid point from the files
//    of a folder instead of a checkpoint, checked against the run (io::check_gamma_file).
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/solvers/conductivity_problem.hpp"
#include "ph3mpi/solvers/grid_point_results.hpp"
#include "ph3mpi/solvers/rta_solver.hpp"

namespace ph3mpi::solvers {

// Every rank writes kappa-m<mesh>-g<gp>[-s<sigma>[-sd<cutoff>]].hdf5 of its rows of
// `solution` into output_dir. Returns how many files this rank wrote. Not collective.
std::size_t write_rta_gamma_files(const ConductivityProblem& problem, const RtaOptions& options,
                                  const RtaSolution& solution, const std::filesystem::path& output_dir);

// The ph-ph results of mode rta read from gamma files in `folder`: read(gp) gives
// gamma (methods, T, nb) and, with is_N_U, gamma_N and gamma_U, from the file of each
// integration method; a missing or inconsistent file is an InputError naming it and the
// mismatch.
class GammaFileResults final : public GridPointResults {
 public:
  GammaFileResults(std::filesystem::path folder, const std::array<std::int64_t, 3>& mesh,
                   std::vector<double> temperatures, std::size_t num_band, const RtaOptions& options);
  NamedArrays read(std::int64_t grid_point) const override;
  // The path of the file of grid point gp and method im.
  std::filesystem::path path(std::int64_t grid_point, std::size_t method) const;

 private:
  std::filesystem::path folder_;
  std::array<std::int64_t, 3> mesh_;
  std::vector<double> temperatures_;
  std::size_t num_band_;
  RtaOptions options_;
};

}  // namespace ph3mpi::solvers
