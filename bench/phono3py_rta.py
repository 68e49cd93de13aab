"""phono3py's side of bench/bench_rta.sh: the same RTA run through phono3py's Python API.

Run by the interpreter named in PHONO3PY_PYTHON (one that can import phono3py 4.x, with
whatever PYTHONPATH it needs). Loads phono3py.yaml with fc2/fc3 from the case folder,
sets the mesh, and calls run_thermal_conductivity (tetrahedron method, RTA, the given
temperature) without writing files; prints kappa_xx so the bench can show both codes
computed the same quantity. The C backend is requested because phono3py's Rust backend
is not available on every machine (PHONO3PY_LANG overrides).

Usage: python3 phono3py_rta.py <case-dir> <mesh a,b,c> <temperature K>
"""

import os
import sys

import phono3py


def main() -> None:
    case, mesh, temperature = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ph3 = phono3py.load(
        os.path.join(case, "phono3py.yaml"),
        fc2_filename=os.path.join(case, "fc2.hdf5"),
        fc3_filename=os.path.join(case, "fc3.hdf5"),
        make_r0_average=True,
        lang=os.environ.get("PHONO3PY_LANG", "C"),
        log_level=0,
    )
    ph3.mesh_numbers = [int(v) for v in mesh.split(",")]
    ph3.init_phph_interaction()
    ph3.run_thermal_conductivity(temperatures=[temperature], write_kappa=False)
    kappa = ph3.thermal_conductivity.kappa  # (num_sigma, num_temp, 6)
    print(f"kappa_xx {kappa[0, 0, 0]:.6f}")


if __name__ == "__main__":
    main()
