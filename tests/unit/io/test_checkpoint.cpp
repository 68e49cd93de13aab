// Checkpoint: round trip, detection of torn/truncated/garbled shards, refusal of a
// checkpoint from other settings, *.tmp leftovers, restart = false, and a writer
// killed with SIGKILL at a random moment.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/common/named_arrays.hpp"
#include "ph3mpi/io/checkpoint.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using ph3mpi::NamedArrays;
using ph3mpi::NdArray;
using ph3mpi::io::Checkpoint;
using ph3mpi::io::CheckpointError;
using ph3mpi::io::CheckpointMismatch;
using ph3mpi::io::CheckpointStatus;
using ph3mpi::io::Fingerprint;

// A fresh directory per test, removed afterwards.
class TempDir : public ph3mpi::test::ScratchDirectory {
 public:
  TempDir() : ScratchDirectory("ckpt") {}
};

Fingerprint settings(const std::string& mesh = "11 11 11") {
  Fingerprint fp;
  fp.add("mode", "rta");
  fp.add("mesh", mesh);
  fp.add_numbers("temperatures", {300.0, 400.0});
  fp.add_number("cutoff_frequency", 1e-4);
  fp.add_int("is_N_U", 0);
  return fp;
}

// A recognisable payload: gamma values gp + 1/(k+3) are distinct and easy to find in the file.
NamedArrays payload(std::int64_t gp, std::size_t n = 24) {
  NamedArrays p;
  NdArray<double> gamma({2, n / 2});
  for (std::size_t k = 0; k < gamma.size(); ++k) {
    gamma[k] = static_cast<double>(gp) + 1.0 / (static_cast<double>(k) + 3.0);
  }
  p.reals["gamma"] = gamma;
  NdArray<double> scalar(std::vector<std::size_t>{});
  scalar[0] = 0.1 * static_cast<double>(gp);
  p.reals["ave_pp"] = scalar;
  p.reals["empty"] = NdArray<double>({0, 3});
  NdArray<std::int64_t> triplets({3, 3});
  for (std::size_t k = 0; k < triplets.size(); ++k) triplets[k] = gp * 100 + static_cast<std::int64_t>(k);
  p.ints["triplets"] = triplets;
  return p;
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

bool has_note(const CheckpointStatus& status, const std::string& text) {
  for (const std::string& note : status.notes) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> files_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(Fingerprint, OrderIndependentAndSensitiveToEveryEntry) {
  Fingerprint a;
  a.add("mesh", "11 11 11");
  a.add_number("sigma", 0.1);
  Fingerprint b;
  b.add_number("sigma", 0.1);
  b.add("mesh", "11 11 11");
  EXPECT_EQ(a.hex(), b.hex());
  EXPECT_EQ(a.hex().size(), 64u);
  Fingerprint c;
  c.add("mesh", "11 11 11");
  c.add_number("sigma", 0.1 + 1e-16);  // 17 digits keep a one-ulp change visible
  EXPECT_NE(a.hex(), c.hex());
  Fingerprint d;
  d.add("mesh", "11 11 1");  // entry boundaries are part of the hash
  d.add("1sigma", "0.10000000000000001");
  EXPECT_NE(a.hex(), d.hex());
  EXPECT_THROW(a.add("mesh", "19 19 19"), ph3mpi::Error);
}

TEST(Fingerprint, FileContentsNotPath) {
  TempDir tmp;
  write_bytes(tmp.path() / "fc3.hdf5", "force constants");
  write_bytes(tmp.path() / "copy.hdf5", "force constants");
  Fingerprint a, b;
  a.add_file("fc3", tmp.path() / "fc3.hdf5");
  b.add_file("fc3", tmp.path() / "copy.hdf5");
  EXPECT_EQ(a.hex(), b.hex());
  write_bytes(tmp.path() / "copy.hdf5", "force constantz");
  Fingerprint c;
  c.add_file("fc3", tmp.path() / "copy.hdf5");
  EXPECT_NE(a.hex(), c.hex());
  EXPECT_EQ(Fingerprint::differences(a.entries(), c.entries()),
            std::vector<std::string>{"fc3: file contents differ"});
  Fingerprint missing;
  EXPECT_THROW(missing.add_file("fc2", tmp.path() / "nope.hdf5"), ph3mpi::InputError);
}

TEST(Checkpoint, RoundTripIsBitwise) {
  TempDir tmp;
  const Fingerprint fp = settings();
  const CheckpointStatus first = Checkpoint::prepare(tmp.path(), fp, true);
  EXPECT_FALSE(first.resumed);
  EXPECT_TRUE(first.done.empty());
  EXPECT_TRUE(fs::exists(tmp.path() / "checkpoint" / fp.hex() / "manifest.json"));

  const Checkpoint checkpoint(tmp.path(), fp.hex());
  checkpoint.write(5, payload(5));
  checkpoint.write({12, 3}, {payload(12), payload(3)});
  EXPECT_EQ(checkpoint.shard_path(5), tmp.path() / "checkpoint" / fp.hex() / "gp-5.h5");
  EXPECT_EQ(files_in(checkpoint.shard_directory()),
            (std::vector<std::string>{"gp-12.h5", "gp-3.h5", "gp-5.h5", "manifest.json"}));
  EXPECT_EQ(checkpoint.published_grid_points(), (std::vector<std::int64_t>{3, 5, 12}));

  for (std::int64_t gp : {3, 5, 12}) {
    EXPECT_TRUE(ph3mpi::bitwise_equal(checkpoint.read(gp), payload(gp))) << gp;
  }
  EXPECT_THROW(checkpoint.read(4), CheckpointError);

  const CheckpointStatus again = Checkpoint::prepare(tmp.path(), settings(), true);
  EXPECT_TRUE(again.resumed);
  EXPECT_EQ(again.done, (std::vector<std::int64_t>{3, 5, 12}));
  EXPECT_TRUE(again.notes.empty());
}

TEST(Checkpoint, BadArrayNamesAreRefused) {
  TempDir tmp;
  const Fingerprint fp = settings();
  Checkpoint::prepare(tmp.path(), fp, true);
  const Checkpoint checkpoint(tmp.path(), fp.hex());
  NamedArrays bad;
  bad.reals["a/b"] = NdArray<double>({1});
  EXPECT_THROW(checkpoint.write(1, bad), ph3mpi::Error);
  NamedArrays inconsistent;
  inconsistent.reals["gamma"].shape = {2, 2};
  inconsistent.reals["gamma"].data = {1.0};
  EXPECT_THROW(checkpoint.write(1, inconsistent), ph3mpi::Error);
}

class DamagedShard : public ::testing::Test {
 protected:
  void SetUp() override {
    Checkpoint::prepare(tmp.path(), fp, true);
    for (std::int64_t gp : {1, 2, 3}) checkpoint.write(gp, payload(gp, 4000));
  }

  // prepare() must keep 1 and 3, drop 2 with a note, and leave no file for 2.
  void expect_gp2_recomputed(const std::string& reason_part) {
    const CheckpointStatus status = Checkpoint::prepare(tmp.path(), fp, true);
    EXPECT_EQ(status.done, (std::vector<std::int64_t>{1, 3}));
    EXPECT_TRUE(has_note(status, "gp-2.h5 is damaged")) << (status.notes.empty() ? "" : status.notes[0]);
    EXPECT_TRUE(has_note(status, reason_part)) << (status.notes.empty() ? "" : status.notes[0]);
    EXPECT_TRUE(has_note(status, "grid point 2 will be recomputed"));
    EXPECT_FALSE(fs::exists(checkpoint.shard_path(2)));
    // Recomputing it makes the checkpoint whole again.
    checkpoint.write(2, payload(2, 4000));
    EXPECT_EQ(Checkpoint::prepare(tmp.path(), fp, true).done, (std::vector<std::int64_t>{1, 2, 3}));
  }

  TempDir tmp;
  Fingerprint fp = settings();
  Checkpoint checkpoint{tmp.path(), fp.hex()};
};

TEST_F(DamagedShard, Truncated) {
  const fs::path shard = checkpoint.shard_path(2);
  const std::string bytes = read_bytes(shard);
  write_bytes(shard, bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(Checkpoint::check_shard(shard, fp.hex(), 2).state, ph3mpi::io::ShardState::kDamaged);
  EXPECT_THROW(checkpoint.read(2), CheckpointError);
  expect_gp2_recomputed("gp-2.h5");
}

TEST_F(DamagedShard, TornToAFewBytes) {
  const fs::path shard = checkpoint.shard_path(2);
  write_bytes(shard, read_bytes(shard).substr(0, 40));
  expect_gp2_recomputed("gp-2.h5");
}

TEST_F(DamagedShard, Empty) {
  write_bytes(checkpoint.shard_path(2), "");
  expect_gp2_recomputed("empty");
}

TEST_F(DamagedShard, GarbledValueCaughtByTheChecksum) {
  // Flip one bit of a stored gamma value: HDF5 reads it without complaint, only the
  // content checksum can tell.
  const fs::path shard = checkpoint.shard_path(2);
  std::string bytes = read_bytes(shard);
  const double needle = 2.0 + 1.0 / (100.0 + 3.0);
  const std::string pattern(reinterpret_cast<const char*>(&needle), sizeof needle);
  const std::size_t at = bytes.find(pattern);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 0x10);
  write_bytes(shard, bytes);
  const auto check = Checkpoint::check_shard(shard, fp.hex(), 2);
  EXPECT_EQ(check.state, ph3mpi::io::ShardState::kDamaged);
  EXPECT_NE(check.reason.find("checksum"), std::string::npos) << check.reason;
  expect_gp2_recomputed("checksum mismatch");
}

TEST_F(DamagedShard, GarbledMetadata) {
  const fs::path shard = checkpoint.shard_path(2);
  std::string bytes = read_bytes(shard);
  for (std::size_t i = 8; i < 64; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  write_bytes(shard, bytes);
  expect_gp2_recomputed("gp-2.h5");
}

TEST(Checkpoint, ForeignSettingsAreRefusedWithTheDifferences) {
  TempDir tmp;
  const Fingerprint old_settings = settings("11 11 11");
  Checkpoint::prepare(tmp.path(), old_settings, true);
  Checkpoint(tmp.path(), old_settings.hex()).write(4, payload(4));

  Fingerprint new_settings = settings("19 19 19");
  new_settings.add("isotope", "true");
  try {
    Checkpoint::prepare(tmp.path(), new_settings, true);
    FAIL() << "a checkpoint of other settings was accepted";
  } catch (const CheckpointMismatch& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("other settings"), std::string::npos) << what;
    EXPECT_NE(what.find("mesh: '11 11 11' in the checkpoint, '19 19 19' now"), std::string::npos) << what;
    EXPECT_NE(what.find("isotope: not in the checkpoint, 'true' now"), std::string::npos) << what;
    EXPECT_NE(what.find("use a new output_dir or restart = false"), std::string::npos) << what;
  }
  // Nothing was touched: the old run can still resume.
  EXPECT_EQ(Checkpoint::prepare(tmp.path(), old_settings, true).done, (std::vector<std::int64_t>{4}));
}

TEST(Checkpoint, ForeignShardFolderWithoutManifestIsRefused) {
  TempDir tmp;
  const Fingerprint old_settings = settings("11 11 11");
  Checkpoint::prepare(tmp.path(), old_settings, true);
  Checkpoint(tmp.path(), old_settings.hex()).write(4, payload(4));
  fs::remove(tmp.path() / "checkpoint" / old_settings.hex() / "manifest.json");
  EXPECT_THROW(Checkpoint::prepare(tmp.path(), settings("19 19 19"), true), CheckpointMismatch);
}

TEST(Checkpoint, ShardOfOtherSettingsInsideIsRefused) {
  TempDir tmp;
  const Fingerprint a = settings("11 11 11"), b = settings("19 19 19");
  Checkpoint::prepare(tmp.path() / "a", a, true);
  Checkpoint(tmp.path() / "a", a.hex()).write(4, payload(4));
  Checkpoint::prepare(tmp.path() / "b", b, true);
  const Checkpoint cb(tmp.path() / "b", b.hex());
  fs::copy_file(Checkpoint(tmp.path() / "a", a.hex()).shard_path(4), cb.shard_path(4));
  EXPECT_EQ(Checkpoint::check_shard(cb.shard_path(4), b.hex(), 4).state, ph3mpi::io::ShardState::kForeign);
  EXPECT_THROW(Checkpoint::prepare(tmp.path() / "b", b, true), CheckpointMismatch);
  // A valid shard under the name of another grid point is not silently used either.
  fs::remove(cb.shard_path(4));
  cb.write(7, payload(7));
  fs::rename(cb.shard_path(7), cb.shard_path(8));
  EXPECT_THROW(Checkpoint::prepare(tmp.path() / "b", b, true), CheckpointMismatch);
}

TEST(Checkpoint, UnreadableManifestIsRefused) {
  TempDir tmp;
  Checkpoint::prepare(tmp.path(), settings(), true);
  write_bytes(tmp.path() / "checkpoint" / settings().hex() / "manifest.json", "{\"format\": \"ph3mpi-checkp");
  try {
    Checkpoint::prepare(tmp.path(), settings(), true);
    FAIL() << "an unreadable manifest was accepted";
  } catch (const CheckpointMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("manifest.json is unreadable"), std::string::npos) << e.what();
  }
}

TEST(Checkpoint, TmpFilesAreIgnoredAndRemoved) {
  TempDir tmp;
  const Fingerprint fp = settings();
  Checkpoint::prepare(tmp.path(), fp, true);
  const Checkpoint checkpoint(tmp.path(), fp.hex());
  checkpoint.write(1, payload(1));
  // A complete shard that was never renamed still does not count: only the rename publishes.
  checkpoint.write(2, payload(2));
  fs::rename(checkpoint.shard_path(2), checkpoint.shard_path(2).string() + ".tmp");
  write_bytes(checkpoint.shard_path(3).string() + ".tmp", "half a shard");
  write_bytes(checkpoint.directory() / "manifest.json.tmp", "{");

  const CheckpointStatus status = Checkpoint::prepare(tmp.path(), fp, true);
  EXPECT_EQ(status.done, (std::vector<std::int64_t>{1}));
  EXPECT_TRUE(has_note(status, "removed gp-2.h5.tmp"));
  EXPECT_TRUE(has_note(status, "removed gp-3.h5.tmp"));
  EXPECT_EQ(files_in(checkpoint.shard_directory()), (std::vector<std::string>{"gp-1.h5", "manifest.json"}));
  // Besides the stage folder only the live writer's private staging folder.
  std::vector<std::string> names = files_in(checkpoint.directory());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(names[0].rfind(".ph3mpi-tmp-", 0), 0u);
  EXPECT_EQ(names[1], fp.hex());
}

TEST(Checkpoint, RestartFalseClears) {
  TempDir tmp;
  const Fingerprint fp = settings();
  Checkpoint::prepare(tmp.path(), fp, true);
  Checkpoint(tmp.path(), fp.hex()).write(1, payload(1));
  Checkpoint(tmp.path(), fp.hex()).write(2, payload(2));

  const CheckpointStatus fresh = Checkpoint::prepare(tmp.path(), fp, false);
  EXPECT_TRUE(fresh.done.empty());
  EXPECT_FALSE(fresh.resumed);
  EXPECT_TRUE(has_note(fresh, "restart = false"));
  EXPECT_EQ(files_in(Checkpoint(tmp.path(), fp.hex()).shard_directory()),
            std::vector<std::string>{"manifest.json"});

  // restart = false also replaces a checkpoint of other settings instead of refusing it.
  Checkpoint(tmp.path(), fp.hex()).write(1, payload(1));
  const Fingerprint other = settings("19 19 19");
  EXPECT_THROW(Checkpoint::prepare(tmp.path(), other, true), CheckpointMismatch);
  EXPECT_TRUE(Checkpoint::prepare(tmp.path(), other, false).done.empty());
  EXPECT_EQ(files_in(tmp.path() / "checkpoint"), std::vector<std::string>{other.hex()});
}

Fingerprint staged(const std::string& stage, const std::string& mesh = "11 11 11") {
  Fingerprint fp = settings(mesh);
  fp.add("stage", stage);
  return fp;
}

TEST(Checkpoint, StagesLiveSideBySide) {
  // ph-ph results and isotope Gamma, each in its own folder: preparing one never touches the other.
  TempDir tmp;
  const Fingerprint phph = staged("rta-gamma"), iso = staged("rta-isotope");
  Checkpoint::prepare(tmp.path(), phph, true);
  Checkpoint(tmp.path(), phph.hex()).write(4, payload(4));
  EXPECT_TRUE(Checkpoint::prepare(tmp.path(), iso, true, ph3mpi::io::StageKind::kKeyed).done.empty());
  Checkpoint(tmp.path(), iso.hex()).write(5, payload(5));
  EXPECT_EQ(Checkpoint::prepare(tmp.path(), phph, true).done, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(Checkpoint::prepare(tmp.path(), iso, true, ph3mpi::io::StageKind::kKeyed).done,
            (std::vector<std::int64_t>{5}));
  EXPECT_EQ(files_in(tmp.path() / "checkpoint").size(), 2u);  // two stage folders, nothing else
}

TEST(Checkpoint, ExclusiveStageRefusesOtherSettingsKeyedStageKeepsBoth) {
  TempDir tmp;
  const Fingerprint phph_a = staged("rta-gamma", "11 11 11"), phph_b = staged("rta-gamma", "19 19 19");
  Checkpoint::prepare(tmp.path(), phph_a, true);
  try {
    Checkpoint::prepare(tmp.path(), phph_b, true);
    FAIL() << "an exclusive stage of other settings was accepted";
  } catch (const CheckpointMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("mesh: '11 11 11' in the checkpoint, '19 19 19' now"),
              std::string::npos)
        << e.what();
  }
  // Isotope Gamma of two mass-variance settings: one folder each, both resumable.
  Fingerprint iso_a = staged("rta-isotope"), iso_b = staged("rta-isotope");
  iso_a.add_numbers("mass_variances", {1e-4});
  iso_b.add_numbers("mass_variances", {2e-4});
  const auto keyed = ph3mpi::io::StageKind::kKeyed;
  Checkpoint::prepare(tmp.path(), iso_a, true, keyed);
  Checkpoint(tmp.path(), iso_a.hex()).write(1, payload(1));
  Checkpoint::prepare(tmp.path(), iso_b, true, keyed);
  EXPECT_EQ(Checkpoint::prepare(tmp.path(), iso_a, true, keyed).done, (std::vector<std::int64_t>{1}));
  // The exclusive stage is not confused by the keyed folders.
  EXPECT_TRUE(Checkpoint::prepare(tmp.path(), phph_a, true).resumed);
}

TEST(Checkpoint, OlderLayoutIsRefused) {
  TempDir tmp;
  fs::create_directories(tmp.path() / "checkpoint");
  write_bytes(tmp.path() / "checkpoint" / "manifest.json", "{}");
  try {
    Checkpoint::prepare(tmp.path(), settings(), true);
    FAIL() << "an older checkpoint layout was accepted";
  } catch (const CheckpointMismatch& e) {
    EXPECT_NE(std::string(e.what()).find("older ph3mpi"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(Checkpoint::prepare(tmp.path(), settings(), false).done.empty());  // restart = false clears it
}

TEST(Checkpoint, ConcurrentPreparesAgreeOnOneStageFolder) {
  // Job-array parts start together: each prepares the same stages and writes its own grid
  // points. No prepare may fail or see a folder without its manifest, and every shard survives.
  TempDir tmp;
  const Fingerprint phph = staged("rta-gamma");
  for (int round = 0; round < 5; ++round) {
    fs::remove_all(tmp.path() / "checkpoint");
    std::vector<pid_t> children;
    for (int child = 0; child < 6; ++child) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        int code = 0;
        try {
          Checkpoint::prepare(tmp.path(), phph, true);
          Checkpoint::prepare(tmp.path(), staged("rta-isotope"), true, ph3mpi::io::StageKind::kKeyed);
          Checkpoint(tmp.path(), phph.hex()).write(child, payload(child));
        } catch (...) {
          code = 1;
        }
        ::_exit(code);
      }
      children.push_back(pid);
    }
    for (const pid_t pid : children) {
      int wstatus = 0;
      ::waitpid(pid, &wstatus, 0);
      EXPECT_TRUE(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) << "round " << round;
    }
    const CheckpointStatus status = Checkpoint::prepare(tmp.path(), phph, true);
    EXPECT_TRUE(status.resumed);
    EXPECT_EQ(status.done, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5})) << "round " << round;
    EXPECT_EQ(files_in(tmp.path() / "checkpoint").size(), 2u) << "round " << round;  // no staging left
  }
}

TEST(Checkpoint, ShardNames) {
  EXPECT_EQ(ph3mpi::io::shard_grid_point("gp-0.h5"), 0);
  EXPECT_EQ(ph3mpi::io::shard_grid_point("gp-1234.h5"), 1234);
  EXPECT_FALSE(ph3mpi::io::shard_grid_point("gp-12.h5.tmp"));
  EXPECT_FALSE(ph3mpi::io::shard_grid_point("gp-012.h5"));
  EXPECT_FALSE(ph3mpi::io::shard_grid_point("gp-.h5"));
  EXPECT_FALSE(ph3mpi::io::shard_grid_point("gp-1a.h5"));
  EXPECT_FALSE(ph3mpi::io::shard_grid_point("manifest.json"));
}

TEST(Checkpoint, WriterKilledAtAnyMomentLeavesOnlyValidShards) {
  // A child process writes shards as fast as it can and is killed with SIGKILL; whatever
  // moment that hits (mid-HDF5-write, before or after a rename), prepare() must return
  // only shards that read back exactly, and remove the torn *.tmp.
  TempDir tmp;
  const Fingerprint fp = settings();
  Checkpoint::prepare(tmp.path(), fp, true);
  const Checkpoint checkpoint(tmp.path(), fp.hex());
  // The last round waits until the child has published a shard, so that restoring
  // something is always exercised, not only the empty case.
  for (int delay_ms : {5, 30, 80, -1}) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      try {
        for (std::int64_t gp = 0;; ++gp) checkpoint.write(gp % 400, payload(gp % 400, 20000));
      } catch (...) {
      }
      ::_exit(1);  // never back into googletest
    }
    if (delay_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    } else {
      for (int wait = 0; wait < 2000 && !fs::exists(checkpoint.shard_path(0)); ++wait) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      EXPECT_TRUE(fs::exists(checkpoint.shard_path(0)));
    }
    ::kill(child, SIGKILL);
    int wstatus = 0;
    ::waitpid(child, &wstatus, 0);
    ASSERT_TRUE(WIFSIGNALED(wstatus));

    const CheckpointStatus status = Checkpoint::prepare(tmp.path(), fp, true);
    if (delay_ms < 0) {
      EXPECT_FALSE(status.done.empty());
    }
    for (std::int64_t gp : status.done) {
      EXPECT_TRUE(ph3mpi::bitwise_equal(checkpoint.read(gp), payload(gp, 20000))) << gp;
    }
    for (const std::string& name : files_in(checkpoint.shard_directory())) {
      EXPECT_EQ(name.find(".tmp"), std::string::npos) << name;
    }
  }
}

}  // namespace
