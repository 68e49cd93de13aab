// One copy per node of fc3 and of the interaction tables built from it (issue 13 item 3:
// ranks as cheap as threads). RealToReciprocal's tables (the nonzero fc3 blocks and the
// index of the lattice-vector sums, real_to_reciprocal.hpp) are read-only once built and
// of the size of fc3; each rank used to read fc3 and build its own copy. Here node rank 0
// alone reads fc3 (load_inputs with read_fc3_values) and builds the tables into an MPI-3
// shared window (Context::allocate_shared on the node sub-context, as the eigenvectors in
// bz_phonons.hpp); after a node barrier every rank of the node reads that one copy. The
// tables are the same bytes as a rank's private ones, so every number is unchanged.
//
// PH3MPI_NODE_SHARED_FC3=0 in the environment restores one fc3 and one table copy per
// rank (for memory comparisons, bench/memory_per_rank.sh).
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <vector>

#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/grid/bz_grid.hpp"
#include "ph3mpi/interaction/atom_triplets.hpp"
#include "ph3mpi/interaction/interaction.hpp"
#include "ph3mpi/interaction/real_to_reciprocal.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::driver {

// PH3MPI_NODE_SHARED_FC3: unset, "1" -> true (shared per node), "0" -> false (per rank).
// Throws SettingsError for any other value.
bool node_shared_fc3(const char* env_value);
bool node_shared_fc3_from_environment();

// Whether this rank reads fc3's values: every rank when not shared, else node rank 0.
// Collective over `context` (splits it by node).
bool reads_fc3_values(const parallel::Context& context, bool shared);

struct NodeSharedRealToReciprocal {
  interaction::RealToReciprocal real_to_reciprocal;
  std::size_t bytes_allocated_here = 0;  // table bytes this rank allocated (node rank 0: all, others 0)
  bool is_shared = false;                // in an MPI shared window (false: serial Context)
};

// Collective over `context`: node rank 0 sizes and builds the tables of `fc3` into a
// window of its node (its OpenMP threads), the other ranks of the node map it. fc3 is
// read on node rank 0 only (others may pass a view without values). Errors of the build
// end every rank (collective_check).
NodeSharedRealToReciprocal make_node_shared_real_to_reciprocal(const parallel::Context& context,
                                                               const interaction::Fc3View& fc3,
                                                               const interaction::AtomTriplets& atoms,
                                                               const grid::BZGrid& bz_grid,
                                                               bool make_r0_average = true);

// PH3MPI_MEMORY_REPORT=1 (unset or 0: off): whether the modes report memory per rank.
bool memory_report_requested(const char* env_value);

// Collective over `context`: one line per rank, written by rank 0 to `out`,
//   [ph3mpi.memory] rank=R node_rank=r peak_rss_kB= rss_kB= rss_anon_kB= rss_shmem_kB=
//   pss_kB= pss_anon_kB= pss_shmem_kB= fc3_bytes= table_bytes=
// from /proc/self/status (VmHWM, VmRSS, RssAnon, RssShmem) and /proc/self/smaps_rollup
// (Pss: shared pages divided among the processes that map them, _Anon: heap, _Shmem:
// shared windows; -1 where unreadable).
// fc3_bytes: fc3 this rank holds; table_bytes: tables of `itr` this rank allocated.
void report_memory_per_rank(const parallel::Context& context, const Inputs& inputs,
                            const interaction::Interaction& itr, std::ostream& out);

// Frees inputs.fc3's values and nonzero indices (keeps their shapes; has_values false).
void release_fc3_values(Inputs& inputs);

// fc3 of `inputs` as the kernel reads it (values null when this rank did not read them).
interaction::Fc3View fc3_view(const io::ForceConstants& fc3);

}  // namespace ph3mpi::driver
