// Error types. Kernels and readers throw these with full context (file, key,
// line, dataset); each rank catches once at the top (parallel/error_handling)
// and turns the exception into one message and a non-zero exit.
#pragma once

#include <stdexcept>
#include <string>

namespace ph3mpi {

// Base of every error ph3mpi raises on purpose.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad user input: a file that is missing, malformed or inconsistent with the rest.
// what() reads "<file>: <problem>".
class InputError : public Error {
 public:
  InputError(const std::string& file, const std::string& problem)
      : Error(file + ": " + problem), file_(file), problem_(problem) {}
  const std::string& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string file_;
  std::string problem_;
};

// A bad config.toml entry. what() reads "<file>:<line>: key '<key>': <problem>".
class ConfigError : public InputError {
 public:
  ConfigError(const std::string& file, const std::string& key, long line, const std::string& problem)
      : InputError(file + (line > 0 ? ":" + std::to_string(line) : std::string()),
                   (key.empty() ? std::string() : "key '" + key + "': ") + problem),
        key_(key),
        line_(line) {}
  const std::string& key() const noexcept { return key_; }
  long line() const noexcept { return line_; }

 private:
  std::string key_;
  long line_;
};

// An HDF5 library call failed (HighFive-style: every C call is checked).
class Hdf5Error : public Error {
 public:
  explicit Hdf5Error(const std::string& message) : Error(message) {}
};

// Settings that are individually valid but cannot be combined.
class SettingsError : public Error {
 public:
  explicit SettingsError(const std::string& message) : Error(message) {}
};

}  // namespace ph3mpi
