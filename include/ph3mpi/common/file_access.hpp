// Why a file cannot be read, named the way the operating system knows it. A reader that
// only asks "does it exist?" turns a permission problem into "file not found" and a file
// it may not open into "not an HDF5 file"; require_readable_file() opens the file first
// and names the real cause: "permission denied", "too many levels of symbolic links",
// "file not found (dangling symbolic link)", "is a directory", ...
#pragma once

#include <string>

namespace ph3mpi::common {

// The cause an errno value stands for, in lower case ("permission denied", "too many levels
// of symbolic links", "file not found", ...).
std::string errno_cause(int error_number);

// Opens `path` for reading and closes it again. Throws InputError(path, cause) when that
// fails or when `path` is a directory (`what` names the expected content, e.g. "an HDF5
// file": "is a directory, expected an HDF5 file"). A missing file is "file not found"; a
// symbolic link to nothing "file not found (dangling symbolic link)".
void require_readable_file(const std::string& path, const std::string& what);

}  // namespace ph3mpi::common
