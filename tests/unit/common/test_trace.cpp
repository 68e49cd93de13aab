// PH3MPI_TRACE: the environment value decides, the line format is fixed, and a silent
// sink writes nothing.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ph3mpi/common/trace.hpp"

namespace {

using ph3mpi::common::trace_requested;
using ph3mpi::common::TraceSink;

TEST(Trace, EnvironmentValue) {
  EXPECT_FALSE(trace_requested(nullptr));
  EXPECT_FALSE(trace_requested(""));
  EXPECT_FALSE(trace_requested("0"));
  EXPECT_FALSE(trace_requested("false"));
  EXPECT_FALSE(trace_requested("OFF"));
  EXPECT_FALSE(trace_requested("No"));
  EXPECT_TRUE(trace_requested("1"));
  EXPECT_TRUE(trace_requested("yes"));
  EXPECT_TRUE(trace_requested("TRUE"));
}

TEST(Trace, LineFormat) {
  std::ostringstream out;
  const TraceSink sink(out, 3, 8);
  ASSERT_TRUE(sink.enabled());
  sink.trace("Interaction", 123, 17);
  sink.trace("ImagSelfEnergy", 0, 0);
  EXPECT_EQ(out.str(),
            "[ph3mpi.trace] rank=3 threads=8 site=Interaction gp=123 batch=17\n"
            "[ph3mpi.trace] rank=3 threads=8 site=ImagSelfEnergy gp=0 batch=0\n");
}

TEST(Trace, SilentUnlessRequested) {
  std::ostringstream out;
  const TraceSink off = TraceSink::from_environment("0", out, 0, 1);
  EXPECT_FALSE(off.enabled());
  off.trace("Interaction", 1, 2);
  const TraceSink unset = TraceSink::from_environment(nullptr, out, 0, 1);
  unset.trace("Interaction", 1, 2);
  const TraceSink dflt;
  dflt.trace("Interaction", 1, 2);
  EXPECT_TRUE(out.str().empty());

  const TraceSink on = TraceSink::from_environment("1", out, 1, 2);
  on.trace("Triplets", 5, 0);
  EXPECT_EQ(out.str(), "[ph3mpi.trace] rank=1 threads=2 site=Triplets gp=5 batch=0\n");
}

TEST(Trace, LinesFromThreadsStayWhole) {
  std::ostringstream out;
  const TraceSink sink(out, 0, 4);
  constexpr int kLines = 400;
#pragma omp parallel for
  for (int i = 0; i < kLines; ++i) {
    const TraceSink copy = sink;  // copies share the lock
    copy.trace("Interaction", i, i / 10);
  }
  std::istringstream lines(out.str());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_EQ(line.rfind("[ph3mpi.trace] rank=0 threads=4 site=Interaction gp=", 0), 0u) << line;
  }
  EXPECT_EQ(count, kLines);
}

}  // namespace
