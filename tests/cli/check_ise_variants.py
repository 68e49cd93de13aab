"""Check the ise variant runs of run_ise_variants_case.sh.

Usage: check_ise_variants.py WORK_DIR REFERENCE_DIR
WORK_DIR/<run>/ise-m999.hdf5 for the runs low, full, wpp, rpp, ave, cst (grid points 105
and 2, T = 0, 300, 1000 K, methods tetrahedron and sigma 0.1, is_N_U):
  low   gamma, gamma_N, gamma_U vs phono3py's ise_gp<N>.hdf5 (1e-8)
  full  (is_full_pp) gamma/N/U vs low to 1e-12; ave_pp vs the band average of phono3py's
        interaction_strength_full (Eq. 21 of PRB 91, 094306) after averaging over
        degenerate sets of q0 (1e-8); gamma_detail files: sum_t w_t sum_{j1 j2}, averaged over
        degenerate bands, is gamma (1e-12)
  wpp   (write_pp, tetrahedron only) gamma vs low's tetrahedron gamma to 1e-12; the pp
        files: phono3py's dataset names and shapes, zero where g_zero is set, g_zero
        nonzero somewhere
  rpp   (read_pp of wpp's files, tetrahedron only) gamma/N/U bit-identical to wpp
  ave   (use_ave_pp) and cst (const_ave_pp = 2e-10): gamma against phono3py's formula
        evaluated here with phono3py's weights (interaction_gp<N>.hdf5), phonons
        (phonons.hdf5) and the run's ave_pp as the interaction (1e-8)
"""
import sys

import h5py
import numpy as np

from cli_compare import average_by_degeneracy, compare

GPS = [105, 2]
TEMPS = [0.0, 300.0, 1000.0]
METHODS = ["tetrahedron", "sigma0.1"]
ISE_UNIT = 3306215.697005045  # phono3py ImagSelfEnergy.unit_conversion_factor
KB = 8.617338256808316e-05  # eV/K
THZ_TO_EV = 0.00413566733
CUTOFF = 1e-4
NUM_GRID = 729


def read(work, run):
    with h5py.File(f"{work}/{run}/ise-m999.hdf5", "r") as f:
        return {k: f[k][()] for k in f}


def gamma_from_flat_interaction(ave, refdir, gp, method):
    """phono3py's Gamma (imag_self_energy_with_g) with P(t, j0, j1, j2) = ave[j0] / N."""
    with h5py.File(f"{refdir}/interaction_gp{gp}.hdf5", "r") as r, \
            h5py.File(f"{refdir}/phonons.hdf5", "r") as p:
        g = r[f"g_{method}"][:]
        g_zero = r[f"g_zero_{method}"][:]
        triplets = r["triplets_at_q"][:]
        weights = r["weights"][:]
        freqs = p["grid/frequencies"][:]
    gamma = np.zeros((len(TEMPS), len(ave)))
    for k, temp in enumerate(TEMPS):
        f1 = freqs[triplets[:, 1]][:, :, None]
        f2 = freqs[triplets[:, 2]][:, None, :]
        ok = (f1 > CUTOFF) & (f2 > CUTOFF)
        if temp > 0:
            t_thz = temp * KB / THZ_TO_EV
            n1 = 1 / np.expm1(np.where(ok, f1, 1) / t_thz)
            n2 = 1 / np.expm1(np.where(ok, f2, 1) / t_thz)
            factor = (n1 + n2 + 1)[:, None] * g[0] + (n1 - n2)[:, None] * g[1]
        else:
            factor = g[0]
        factor = np.where(ok[:, None] & (g_zero == 0), factor, 0)
        gamma[k] = np.einsum("t,tjab->j", weights, factor) * np.asarray(ave) / NUM_GRID * ISE_UNIT
    return average_by_degeneracy(gamma, freqs[gp])


def plain_ave_pp(refdir, gp):
    with h5py.File(f"{refdir}/interaction_gp{gp}.hdf5", "r") as r:
        pp = r["interaction_strength_full"][:]
        weights = r["weights"][:]
    return np.dot(weights, pp.sum(axis=(2, 3))) / (pp.shape[2] * pp.shape[3])


def main():
    work, refdir = sys.argv[1], sys.argv[2]
    ok = True
    runs = {name: read(work, name) for name in ["low", "full", "wpp", "rpp", "ave", "cst"]}
    low = runs["low"]
    if list(low["grid_point"]) != GPS or list(low["temperature"]) != TEMPS:
        sys.exit("grid points / temperatures of the low run are not the expected ones")
    freq = low["frequency"]

    for i, gp in enumerate(GPS):
        with h5py.File(f"{refdir}/ise_gp{gp}.hdf5", "r") as r:
            idx = [list(r["temperatures"][:]).index(t) for t in TEMPS]
            ok &= compare(f"low gp{gp} gamma tetrahedron", low["gamma"][0, :, i], r["gamma_tetrahedron"][idx])
            ok &= compare(f"low gp{gp} gamma sigma 0.1", low["gamma"][1, :, i], r["gamma_sigma0.1"][idx])
            ok &= compare(f"low gp{gp} gamma_N", low["gamma_N"][0, :, i], r["gamma_N_tetrahedron"][idx])
            ok &= compare(f"low gp{gp} gamma_U", low["gamma_U"][0, :, i], r["gamma_U_tetrahedron"][idx])

    for key in ["gamma", "gamma_N", "gamma_U"]:
        ok &= compare(f"full {key} vs low", runs["full"][key], low[key], tol=1e-12)
        ok &= compare(f"wpp {key} vs low", runs["wpp"][key], low[key][:1], tol=1e-12)
    for key in ["gamma", "gamma_N", "gamma_U"]:
        same = np.array_equal(runs["rpp"][key], runs["wpp"][key])
        print(f"rpp {key} bit-identical to wpp: {same}")
        ok &= same
    for run, present in [("low", False), ("wpp", False), ("rpp", False), ("full", True), ("ave", True),
                         ("cst", True)]:
        if ("ave_pp" in runs[run]) != present:
            sys.exit(f"ave_pp {'missing from' if present else 'written by'} the {run} run")

    for i, gp in enumerate(GPS):
        # Band-averaged interaction, per degenerate set of q0 (gauge independent).
        ok &= compare(f"full gp{gp} ave_pp vs reference", average_by_degeneracy(runs["full"]["ave_pp"][i], freq[i]),
                      average_by_degeneracy(plain_ave_pp(refdir, gp), freq[i]))
        ok &= compare(f"ave gp{gp} ave_pp vs full", runs["ave"]["ave_pp"][i], runs["full"]["ave_pp"][i], tol=1e-12)
        ok &= compare(f"cst gp{gp} ave_pp", runs["cst"]["ave_pp"][i], np.full(6, 2e-10), tol=1e-12)
        for m, method in enumerate(METHODS):
            ok &= compare(f"ave gp{gp} {method} gamma vs formula", runs["ave"]["gamma"][m, :, i],
                          gamma_from_flat_interaction(runs["ave"]["ave_pp"][i], refdir, gp, method))
            ok &= compare(f"cst gp{gp} {method} gamma vs formula", runs["cst"]["gamma"][m, :, i],
                          gamma_from_flat_interaction(np.full(6, 2e-10), refdir, gp, method))

            # gamma detail of the full run.
            suffix = "" if method == "tetrahedron" else "-s0.1"
            with h5py.File(f"{work}/full/gamma_detail-m999-g{gp}{suffix}.hdf5", "r") as d:
                detail = d["gamma_detail"][:]
                weights = d["weight"][:]
                if int(d["grid_point"][()]) != gp or list(d["temperature"][:]) != TEMPS or \
                        list(d["mesh"][:]) != [9, 9, 9] or d["triplet"].shape != (len(weights), 3):
                    sys.exit(f"gamma_detail file of gp{gp} {method}: wrong metadata")
                if ("sigma" in d) != (method != "tetrahedron"):
                    sys.exit(f"gamma_detail file of gp{gp} {method}: sigma dataset wrong")
            summed = average_by_degeneracy(np.einsum("t,ktjab->kj", weights, detail), freq[i])
            ok &= compare(f"full gp{gp} {method} sum of gamma_detail vs gamma", summed, runs["full"]["gamma"][m, :, i],
                          tol=1e-12)

        with h5py.File(f"{work}/wpp/pp-m999-g{gp}.hdf5", "r") as p:
            pp = p["pp"][:]
            g_zero = p["g_zero"][:]
            n = len(p["weight"][:])
            if pp.shape != (n, 6, 6, 6) or g_zero.shape != pp.shape or int(p["grid_point"][()]) != gp \
                    or p["triplet"].shape != (n, 3) or list(p["band_indices"][:]) != list(range(6)):
                sys.exit(f"pp file of gp{gp}: wrong datasets")
            if np.any(pp[g_zero != 0] != 0) or not np.any(g_zero) or not np.any(pp):
                sys.exit(f"pp file of gp{gp}: pp not zero where g_zero is set, or g_zero / pp all zero")
            print(f"pp file gp{gp}: {n} triplets, {np.count_nonzero(g_zero)} skipped elements")
    for run in ["ave", "cst"]:
        ok &= compare(f"{run} gamma_N + gamma_U vs gamma", runs[run]["gamma_N"] + runs[run]["gamma_U"],
                      runs[run]["gamma"], tol=1e-12)
    if not ok:
        sys.exit("ise variants differ")


main()
