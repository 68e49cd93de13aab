#!/usr/bin/python3
"""Compare ph3mpi's phonon-m<mesh>.hdf5 with phono3py's reference phonons and grid.

Usage: check_phonon_file.py OUTPUT.hdf5 REFERENCE_DIR GRID_GROUP
Tolerances (issue 3): frequencies 1e-8 THz (1e-6 THz for the three acoustic modes at
exactly Gamma), eigenvector projectors within degenerate subspaces 1e-8, group
velocities 1e-7 relative; integer grid arrays identical.
"""
import sys

import h5py
import numpy as np


def degenerate_sets(freqs, tol=1e-4):
    sets, current = [], [0]
    for i in range(1, len(freqs)):
        if abs(freqs[i] - freqs[current[0]]) < tol:
            current.append(i)
        else:
            sets.append(current)
            current = [i]
    sets.append(current)
    return sets


def main():
    out_path, ref_dir, group = sys.argv[1], sys.argv[2], sys.argv[3]
    failures = []
    with h5py.File(out_path, "r") as out, h5py.File(f"{ref_dir}/phonons.hdf5", "r") as ph, h5py.File(
        f"{ref_dir}/grid.hdf5", "r"
    ) as gr:
        addr = out["grid_address"][:]
        if not np.array_equal(addr, gr[f"{group}/addresses"][:]):
            failures.append("grid_address differs from grid.hdf5 addresses")
        if not np.array_equal(addr, ph["grid/addresses"][:]):
            failures.append("grid_address differs from phonons.hdf5 grid/addresses")
        if not np.array_equal(out["ir_grid_points"][:], gr[f"{group}/ir_grid_points_bz"][:]):
            failures.append("ir_grid_points differ")
        if not np.array_equal(out["ir_grid_weights"][:], gr[f"{group}/ir_weights"][:]):
            failures.append("ir_grid_weights differ")
        if not np.array_equal(out["mesh"][:], gr[f"{group}/D_diag"][:]):
            failures.append("mesh differs from D_diag")

        f, fr = out["frequency"][:], ph["grid/frequencies"][:]
        gamma = np.where(~addr.any(axis=1))[0]
        diff = np.abs(f - fr)
        acoustic = np.zeros_like(diff, dtype=bool)
        acoustic[gamma, :3] = True
        max_f = diff[~acoustic].max()
        max_f_gamma = diff[acoustic].max()
        if max_f > 1e-8 or max_f_gamma > 1e-6:
            failures.append(f"frequency deviation {max_f:.3e} THz (Gamma acoustic {max_f_gamma:.3e})")

        ev, evr = out["eigenvector"][:], ph["grid/eigenvectors"][:]
        max_proj = 0.0
        for q in range(len(fr)):
            for s in degenerate_sets(fr[q]):
                a, b = ev[q][:, s], evr[q][:, s]
                max_proj = max(max_proj, np.abs(a @ a.conj().T - b @ b.conj().T).max())
        if max_proj > 1e-8:
            failures.append(f"eigenvector projector deviation {max_proj:.3e}")

        gv, gvr = out["group_velocity"][:], ph["grid/group_velocities"][:]
        norm_r = np.linalg.norm(gvr, axis=2)
        floor = 1e-6 * norm_r.max()
        dev = np.linalg.norm(gv - gvr, axis=2)
        big = norm_r > floor
        max_gv_rel = (dev[big] / norm_r[big]).max()
        max_gv_abs = dev[~big].max() if (~big).any() else 0.0
        if max_gv_rel > 1e-7 or max_gv_abs > 1e-7 * floor / 1e-6:
            failures.append(f"group velocity deviation {max_gv_rel:.3e} relative, {max_gv_abs:.3e} absolute")

    print(
        f"{out_path}: frequency {max_f:.2e} THz (Gamma acoustic {max_f_gamma:.2e}), "
        f"eigenvector projectors {max_proj:.2e}, group velocity {max_gv_rel:.2e} rel"
    )
    for msg in failures:
        print("FAIL:", msg)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
