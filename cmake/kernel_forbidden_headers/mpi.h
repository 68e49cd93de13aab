/* Stand-in for <mpi.h>, first on the include path of kernel code (ph3mpi_kernels and
   the tests/layering header check). Kernels are pure computation: MPI lives in
   src/parallel and src/driver (docs/architecture.md, "Layers"). */
#error "ph3mpi layering: kernel code includes mpi.h (MPI belongs in parallel/ or driver/)"
