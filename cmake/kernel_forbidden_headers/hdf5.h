/* Stand-in for <hdf5.h>, first on the include path of kernel code (ph3mpi_kernels and
   the tests/layering header check). Kernels do no I/O: HDF5 lives in src/io
   (docs/architecture.md, "Layers"). */
#error "ph3mpi layering: kernel code includes hdf5.h (HDF5 belongs in io/)"
