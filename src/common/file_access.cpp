#include "ph3mpi/common/file_access.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "ph3mpi/common/error.hpp"

namespace ph3mpi::common {

std::string errno_cause(int error_number) {
  switch (error_number) {
    case ENOENT:
      return "file not found";
    case EACCES:
    case EPERM:
      return "permission denied";
    case ELOOP:
      return "too many levels of symbolic links";
    case ENOTDIR:
      return "a component of the path is not a folder";
    case EISDIR:
      return "is a directory";
    case ENAMETOOLONG:
      return "file name too long";
    default:
      break;
  }
  std::string text = std::strerror(error_number);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

void require_readable_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int error_number = errno;
    struct stat link_status {};
    if (error_number == ENOENT && ::lstat(path.c_str(), &link_status) == 0 && S_ISLNK(link_status.st_mode)) {
      throw InputError(path, "file not found (dangling symbolic link)");
    }
    throw InputError(path, errno_cause(error_number));
  }
  struct stat status {};
  const bool is_directory = ::fstat(fd, &status) == 0 && S_ISDIR(status.st_mode);
  ::close(fd);
  if (is_directory) throw InputError(path, "is a directory, expected " + what);
}

}  // namespace ph3mpi::common
