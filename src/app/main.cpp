// The ph3mpi executable: everything lives in the library (src/driver/).
#include "ph3mpi/driver/driver.hpp"

int main(int argc, char** argv) { return ph3mpi::driver::main(argc, argv); }
