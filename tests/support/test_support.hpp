// Helpers shared by the test binaries.
#pragma once

#include <string>

namespace ph3mpi::test {

// Absolute path of a file under tests/data (a copy of ../shared/data).
std::string data_path(const std::string& relative);

// A fresh empty directory under the build tree's temp area, removed by the caller or left for inspection.
std::string make_temp_dir(const std::string& stem);

}  // namespace ph3mpi::test
