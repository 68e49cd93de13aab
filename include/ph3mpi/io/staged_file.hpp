// An output file written by all ranks together (parallel HDF5, e.g. the RTA kappa file),
// published the way write_hdf5_atomically publishes a serial one (io/safe_files.hpp): rank
// 0 makes a private temporary folder beside the final path and broadcasts its name; the
// ranks create and fill the file in it collectively; commit() checks that every dataset is
// finite (io/finite_check.hpp) and renames the file into place on rank 0. Any failure of
// rank 0 there is a collective error: every rank throws the same message.
#pragma once

#include <filesystem>
#include <string>

#include "ph3mpi/io/safe_files.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::io {

class StagedFile {
 public:
  // Collective over `context`.
  StagedFile(std::filesystem::path final_path, const parallel::Context& context);
  // Rank 0 removes the private folder (and the temporary file in it, when not committed).
  ~StagedFile() = default;
  StagedFile(const StagedFile&) = delete;
  StagedFile& operator=(const StagedFile&) = delete;

  // Where to create the file: the same path on every rank.
  const std::string& temp_path() const noexcept { return temp_path_; }
  const std::filesystem::path& final_path() const noexcept { return final_path_; }

  // Collective, after every rank has closed the file: finite check and rename on rank 0.
  void commit();

 private:
  const parallel::Context& context_;
  std::filesystem::path final_path_;
  PrivateDirectory folder_;
  std::string temp_path_;
};

}  // namespace ph3mpi::io
