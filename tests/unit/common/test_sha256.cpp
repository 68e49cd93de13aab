// SHA-256 against the FIPS 180-4 / NIST example vectors, and the streaming interface
// against one-shot hashing.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/sha256.hpp"

namespace {

using ph3mpi::common::Sha256;
using ph3mpi::common::sha256_hex;

TEST(Sha256, NistVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex(
          "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
          "mnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST(Sha256, MillionA) {
  Sha256 hash;
  const std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) hash.update(chunk);
  EXPECT_EQ(hash.finish_hex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, StreamingEqualsOneShotAtEveryLength) {
  // Lengths around the 55/56/64-byte padding boundaries, fed in uneven pieces.
  std::string message;
  for (int n = 0; n < 200; ++n) {
    Sha256 pieces;
    for (std::size_t start = 0; start < message.size(); start += 7) pieces.update(message.substr(start, 7));
    EXPECT_EQ(pieces.finish_hex(), sha256_hex(message)) << "length " << n;
    message += static_cast<char>('A' + n % 26);
  }
}

TEST(Sha256, FinishResetsForTheNextMessage) {
  Sha256 hash;
  hash.update("something else");
  (void)hash.finish();
  hash.update("abc");
  EXPECT_EQ(hash.finish_hex(), sha256_hex("abc"));
}

TEST(Sha256, FileHashEqualsContentHash) {
  const auto path = std::filesystem::temp_directory_path() / "ph3mpi-sha256-test.bin";
  std::string content;
  for (int i = 0; i < 3 * 1024 * 1024 + 17; ++i) content += static_cast<char>(i * 31 % 251);
  {
    std::ofstream out(path, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  EXPECT_EQ(ph3mpi::common::sha256_file_hex(path.string()), sha256_hex(content));
  std::filesystem::remove(path);
  EXPECT_THROW(ph3mpi::common::sha256_file_hex(path.string()), ph3mpi::InputError);
}

}  // namespace
