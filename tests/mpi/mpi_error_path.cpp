// The collective error path (run with 1 and 2 ranks): a phase that fails on one
// rank fails on every rank with that rank's message, and run_guarded lets exactly one
// rank print it and returns 1 everywhere. (The abort path for an error outside a
// collective phase ends the process; tests/cli checks it with the guard_probe program.)
#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>

#include "ph3mpi/common/error.hpp"
#include "ph3mpi/parallel/context.hpp"
#include "ph3mpi/parallel/error_handling.hpp"

namespace {

using ph3mpi::parallel::collective_check;
using ph3mpi::parallel::CollectiveError;
using ph3mpi::parallel::Context;

// The highest rank fails (rank 1 with two ranks, rank 0 alone).
int failing_rank(const Context& ctx) { return ctx.size() - 1; }

TEST(CollectiveCheck, SuccessOnEveryRankReturns) {
  const Context ctx = Context::mpi_world();
  int ran = 0;
  EXPECT_NO_THROW(collective_check(ctx, [&] { ran = 1; }));
  EXPECT_EQ(ran, 1);
}

TEST(CollectiveCheck, OneFailingRankFailsEveryRankWithItsMessage) {
  const Context ctx = Context::mpi_world();
  const int bad = failing_rank(ctx);
  try {
    collective_check(ctx, [&] {
      if (ctx.rank() == bad) throw ph3mpi::InputError("fc2.hdf5", "rank " + std::to_string(bad) + " saw NaN");
    });
    FAIL() << "rank " << ctx.rank() << " did not throw";
  } catch (const CollectiveError& e) {
    EXPECT_EQ(e.failing_rank(), bad);
    EXPECT_EQ(e.num_failing_ranks(), 1);
    EXPECT_EQ(std::string(e.what()), "fc2.hdf5: rank " + std::to_string(bad) + " saw NaN");
  }
}

TEST(CollectiveCheck, LowestFailingRankWins) {
  const Context ctx = Context::mpi_world();
  try {
    collective_check(ctx, [&] { throw std::runtime_error("failure on rank " + std::to_string(ctx.rank())); });
    FAIL();
  } catch (const CollectiveError& e) {
    EXPECT_EQ(e.failing_rank(), 0);
    EXPECT_EQ(e.num_failing_ranks(), ctx.size());
    EXPECT_EQ(std::string(e.what()), "failure on rank 0");
  }
}

TEST(CollectiveCheck, NonStandardExceptionsAreCaught) {
  const Context ctx = Context::mpi_world();
  EXPECT_THROW(collective_check(ctx,
                                [&] {
                                  if (ctx.rank() == 0) throw 42;
                                }),
               CollectiveError);
}

TEST(RunGuarded, CollectiveFailurePrintsOnceAndReturnsOneEverywhere) {
  const Context ctx = Context::mpi_world();
  const int bad = failing_rank(ctx);
  std::ostringstream err;
  const int code = ph3mpi::parallel::run_guarded(
      ctx,
      [&] {
        collective_check(ctx, [&] {
          if (ctx.rank() == bad) throw ph3mpi::SettingsError("mode 'rta' is not implemented in this version");
        });
        return 0;
      },
      err);
  EXPECT_EQ(code, 1);
  // Exactly one rank (the failing one) printed exactly one line.
  const auto all = ctx.gather_strings(err.str());
  if (ctx.is_root()) {
    std::string joined;
    for (const auto& s : all) joined += s;
    EXPECT_EQ(joined, "ph3mpi: error: mode 'rta' is not implemented in this version\n");
    EXPECT_EQ(all[static_cast<std::size_t>(bad)], joined);
  }
}

TEST(RunGuarded, SuccessReturnsTheBodysCodeSilently) {
  const Context ctx = Context::mpi_world();
  std::ostringstream err;
  EXPECT_EQ(ph3mpi::parallel::run_guarded(
                ctx, [] { return 3; }, err),
            3);
  EXPECT_TRUE(err.str().empty());
}

TEST(RunGuarded, SerialContextReturnsOneForAnEscapedError) {
  std::ostringstream err;
  const int code = ph3mpi::parallel::run_guarded(
      Context::serial(), []() -> int { throw std::runtime_error("boom"); }, err);
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err.str(), "ph3mpi: error: boom\n");
}

}  // namespace
