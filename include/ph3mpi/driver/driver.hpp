// The ph3mpi program: command line, MPI start-up, the load-and-validate phase and
// dispatch to the mode table. src/app/main.cpp only calls driver::main.
#pragma once

#include <iosfwd>

#include "ph3mpi/driver/inputs.hpp"
#include "ph3mpi/parallel/context.hpp"

namespace ph3mpi::driver {

// The whole program. Returns the process exit code.
int main(int argc, char** argv);

// `ph3mpi --version`: ph3mpi and dependency versions, one per line.
void print_version(std::ostream& out);

struct RunSizeCheck;

// `ph3mpi --dry-run`: what the run would compute (mode, cells, supercells, atoms, bands,
// grid and integration settings, ranks). Writes nothing anywhere else.
// For the conductivity modes (rta, lbte) it also prints the plan: triplets per
// irreducible grid point (min/median/max), memory per rank and a rank x thread split
// for `cores` cores (0: this machine's). With `size` (driver/preflight.hpp) it prints the
// memory model of the mode and does not build a grid that would not fit.
void print_dry_run(const Inputs& inputs, const parallel::Context& context, std::ostream& out, int cores = 0,
                   const RunSizeCheck* size = nullptr);

}  // namespace ph3mpi::driver
