// SHA-256 (FIPS 180-4), written for the checkpoint: fingerprints of the settings and
// input files, and content checksums of shard files. No external dependency.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ph3mpi::common {

class Sha256 {
 public:
  using Digest = std::array<std::uint8_t, 32>;

  Sha256() { reset(); }
  void reset();
  // Appends bytes to the message. May be called any number of times before finish().
  void update(const void* data, std::size_t size);
  void update(std::string_view text) { update(text.data(), text.size()); }
  // Pads, returns the digest and resets the object for a new message.
  Digest finish();
  // finish() as 64 lowercase hex digits.
  std::string finish_hex();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_{};
  std::array<std::uint8_t, 64> buffer_{};
  std::size_t buffered_ = 0;       // bytes waiting in buffer_
  std::uint64_t total_bytes_ = 0;  // message length so far
};

// Lowercase hex of any digest.
std::string to_hex(const Sha256::Digest& digest);
// One-shot helpers.
std::string sha256_hex(std::string_view bytes);
// Hash of a file's contents, read in chunks. Throws ph3mpi::InputError(path, ...) if it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace ph3mpi::common
