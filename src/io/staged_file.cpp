#include "ph3mpi/io/staged_file.hpp"

#include "ph3mpi/io/finite_check.hpp"
#include "ph3mpi/parallel/error_handling.hpp"

namespace ph3mpi::io {

StagedFile::StagedFile(std::filesystem::path final_path, const parallel::Context& context)
    : context_(context), final_path_(std::move(final_path)) {
  std::string folder;
  parallel::collective_check(context_, [&] {
    if (!context_.is_root()) return;
    folder_ = PrivateDirectory::create(final_path_.has_parent_path() ? final_path_.parent_path() : ".");
    folder = folder_.path().string();
  });
  context_.broadcast(folder);
  if (!context_.is_root()) folder_ = PrivateDirectory::adopt(folder);
  temp_path_ = (std::filesystem::path(folder) / final_path_.filename()).string();
}

void StagedFile::commit() {
  context_.barrier();  // every rank has closed its handle of the file
  parallel::collective_check(context_, [&] {
    if (!context_.is_root()) return;
    require_finite_hdf5(temp_path_, final_path_.string());
    publish_file(temp_path_, final_path_, false);
  });
}

}  // namespace ph3mpi::io
