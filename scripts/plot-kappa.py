#!/usr/bin/python3
"""Plot a kappa-m*.hdf5 file (ph3mpi's or phono3py's, RTA or LBTE) as PNG images.

Usage:
  scripts/plot-kappa.py kappa-m999.hdf5 [--outdir D] [--temperature 300] [--prefix NAME]

Writes into D (default: the current folder), NAME defaulting to the file name without
.hdf5:
  NAME-kappa-vs-T.png                 kappa_xx, kappa_yy, kappa_zz against temperature
                                      (LBTE: also the RTA solution, dashed)
  NAME-kappa-cumulative-frequency.png cumulative kappa_xx/yy/zz over modes sorted by
                                      frequency, at one temperature
  NAME-kappa-cumulative-mfp.png       the same against the mean free path (nm, log axis)
  NAME-gamma-vs-frequency.png         Gamma (THz) of every irreducible mode against
                                      frequency (plus Gamma_N, Gamma_U, Gamma_isotope
                                      when the file has them)

Conventions (as phono3py and phono3py-kaccum):
- kappa = sum(mode_kappa) / sum(weight); for a file from a reducible collision matrix
  mode_kappa_RTA runs over the whole grid and the divisor is the number of grid points.
  The cumulative curves are step sums over modes (phono3py-kaccum instead smooths them
  with the tetrahedron method, so its curves are continuous; the end values agree).
- mean free path lambda = |v| / (2 * 2pi * Gamma): Gamma is a half width in THz, the
  lifetime is tau = 1 / (2 * 2pi * Gamma) ps, |v| is in THz*Angstrom, so lambda comes out
  in Angstrom and is divided by 10 for nm. Modes with Gamma <= 0 have no mean free path
  (phono3py gives them 0) and carry no kappa; they are left out of the MFP axis.
- LBTE files have no mode_kappa (the LBTE solution is not a sum over modes): the
  cumulative plots use mode_kappa_RTA, the RTA solution from the same run, and say so in
  their titles.

Exit status 0 on success, 2 when the file cannot be read or lacks the datasets a plot
needs. Needs only Debian's python3-h5py, python3-numpy and python3-matplotlib.
"""

import argparse
import os
import sys

try:
    import h5py
    import numpy as np
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError as exc:  # pragma: no cover - depends on the interpreter
    print(
        f"plot-kappa: error: {exc}; run with /usr/bin/python3 "
        "(Debian python3-h5py, python3-numpy, python3-matplotlib)",
        file=sys.stderr,
    )
    sys.exit(2)

COMPONENTS = (("xx", 0), ("yy", 1), ("zz", 2))
COLORS = ("tab:blue", "tab:orange", "tab:green")
# Cubic crystals give identical xx, yy, zz curves: distinct line styles keep all visible.
STYLES = ("-", "--", ":")
DPI = 100


class PlotError(Exception):
    """Input that cannot be plotted (exit status 2)."""


def load(path):
    try:
        handle = h5py.File(path, "r")
    except FileNotFoundError:
        raise PlotError(f"cannot open '{path}': no such file")
    except (OSError, ValueError) as exc:
        raise PlotError(f"cannot open '{path}' as HDF5: {exc}")
    with handle:
        data = {name: handle[name][()] for name in handle.keys() if isinstance(handle[name], h5py.Dataset)}
    required = ["temperature", "kappa", "frequency", "gamma", "group_velocity", "weight"]
    missing = [n for n in required if n not in data]
    if "mode_kappa" not in data and "mode_kappa_RTA" not in data:
        missing.append("mode_kappa (or mode_kappa_RTA)")
    if missing:
        raise PlotError(f"'{path}' lacks dataset(s) {', '.join(missing)}: not a phono3py/ph3mpi kappa file")
    return data


def grid_indices_of_qpoints(data):
    """GR-grid index (phonopy order, first axis fastest) of each q-point of the file.

    Used for files from a reducible collision matrix, where `frequency` runs over the
    whole grid and the per-irreducible-point datasets (gamma, group_velocity) do not.
    """
    if "qpoint" not in data or "mesh" not in data:
        raise PlotError("frequency and gamma have different grid sizes and the file has no qpoint/mesh to match them")
    mesh = np.asarray(data["mesh"], dtype=np.int64)
    address = np.asarray(data["qpoint"]) * mesh
    rounded = np.rint(address)
    if np.abs(address - rounded).max() > 1e-6:
        raise PlotError("q-points are not on the mesh (generalized regular grid): cannot match them to frequency rows")
    a = rounded.astype(np.int64) % mesh
    return a[:, 0] + a[:, 1] * mesh[0] + a[:, 2] * mesh[0] * mesh[1]


def ir_frequencies(data):
    freq = np.asarray(data["frequency"])
    n_ir = np.asarray(data["gamma"]).shape[1]
    if freq.shape[0] == n_ir:
        return freq
    return freq[grid_indices_of_qpoints(data)]


def mean_free_path_nm(gamma, gv):
    """lambda = |v| / (2 * 2pi * Gamma) in nm (0 where Gamma <= 0), per (point, band)."""
    gv_norm = np.sqrt((np.asarray(gv) ** 2).sum(axis=-1))
    positive = gamma > 0
    mfp = np.zeros_like(gamma, dtype=float)
    mfp[positive] = gv_norm[positive] / (2 * 2 * np.pi * gamma[positive])
    return mfp / 10.0  # Angstrom -> nm


def full_grid_to_ir(data, ir_freq):
    """For a reducible file: the irreducible point of each full-grid row of mode_kappa_RTA.

    Points of one star have the same phonon frequencies, so each grid row is matched to
    the irreducible point with the same frequencies (within 1e-5 THz). The match is
    accepted only if it is unique for every row and every star has as many rows as the
    point's weight; otherwise None.
    """
    freq = np.asarray(data["frequency"])
    weight = np.asarray(data["weight"])
    tol = 1e-5 * max(1.0, float(np.abs(freq).max()))
    owner = np.empty(freq.shape[0], dtype=np.int64)
    for row in range(freq.shape[0]):
        match = np.nonzero(np.abs(ir_freq - freq[row]).max(axis=1) < tol)[0]
        if len(match) != 1:
            return None
        owner[row] = match[0]
    if not np.array_equal(np.bincount(owner, minlength=len(weight)), weight):
        return None
    return owner


def pick_temperature(temps, wanted):
    index = int(np.argmin(np.abs(temps - wanted)))
    if abs(temps[index] - wanted) > 1e-6:
        print(f"plot-kappa: no T = {wanted:g} K in the file; using {temps[index]:g} K")
    return index


def save(fig, path):
    # Fixed margins: tight_layout costs as much as drawing the figure.
    fig.subplots_adjust(left=0.11, right=0.97, bottom=0.1, top=0.89)
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
    print(f"plot-kappa: wrote {path}")


def plot_kappa_vs_t(data, title, path):
    temps = np.asarray(data["temperature"], dtype=float)
    kappa = np.asarray(data["kappa"])
    if kappa.ndim == 3:  # (sigma, T, 6) in a multi-sigma layout: first sigma
        kappa = kappa[0]
    fig, ax = plt.subplots(figsize=(7, 5))
    marker = "o" if len(temps) < 30 else None
    for (name, k), color, style in zip(COMPONENTS, COLORS, STYLES):
        ax.plot(temps, kappa[:, k], ls=style, marker=marker, color=color, label=f"kappa_{name}")
    if "kappa_RTA" in data:
        kappa_rta = np.asarray(data["kappa_RTA"]).reshape(kappa.shape)
        for (name, k), color, style in zip(COMPONENTS, COLORS, STYLES):
            ax.plot(temps, kappa_rta[:, k], ls=style, lw=0.8, marker="s", mfc="none", color=color, label=f"RTA {name}")
    if len(temps) == 1:
        ax.set_xlim(temps[0] - 50, temps[0] + 50)
    ax.set_xlabel("Temperature (K)")
    ax.set_ylabel("kappa (W/m-K)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    save(fig, path)


def cumulative_plot(x, mode_kappa, norm, xlabel, title, path, log_x=False, note=None):
    """Step plot of sum over modes with x <= X of mode_kappa (xx, yy, zz) / norm."""
    order = np.argsort(x, kind="stable")
    xs = x[order]
    shown = np.ones(len(xs), dtype=bool)
    if log_x:
        # Start the axis where kappa starts to accumulate: modes with a vanishing
        # velocity (near q = 0) have absurdly short paths and no weight. The curve
        # still sums them (cumsum before the cut).
        share = np.abs(mode_kappa[order, :3]).max(axis=1)
        carrying = share > 1e-9 * max(share.max(), 1e-300)
        if carrying.any():
            shown = xs >= xs[carrying].min()
    fig, ax = plt.subplots(figsize=(7, 5))
    for (name, k), color, style in zip(COMPONENTS, COLORS, STYLES):
        cum = np.cumsum(mode_kappa[order, k]) / norm
        ax.step(xs[shown], cum[shown], where="post", ls=style, color=color, label=f"kappa_{name}")
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("cumulative kappa (W/m-K)")
    ax.set_title(title, fontsize=10)
    if note:
        ax.text(0.02, 0.97, note, transform=ax.transAxes, va="top", fontsize=8)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    save(fig, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description="PNG plots of a kappa-m*.hdf5 file; see the module docstring.")
    parser.add_argument("kappa_file")
    parser.add_argument("--outdir", default=".", help="folder for the PNG files (created if missing)")
    parser.add_argument("--temperature", type=float, default=300.0, help="T (K) of the mode plots (default 300)")
    parser.add_argument("--prefix", help="file name prefix (default: input file name without .hdf5)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code else 0

    try:
        data = load(args.kappa_file)
        os.makedirs(args.outdir, exist_ok=True)
        prefix = args.prefix or os.path.splitext(os.path.basename(args.kappa_file))[0]
        out = lambda name: os.path.join(args.outdir, f"{prefix}-{name}.png")  # noqa: E731
        temps = np.atleast_1d(np.asarray(data["temperature"], dtype=float))
        it = pick_temperature(temps, args.temperature)
        t_label = f"T = {temps[it]:g} K"
        mesh = "x".join(str(int(m)) for m in np.atleast_1d(data["mesh"])) if "mesh" in data else "?"
        lbte = "mode_kappa" not in data
        kind = "LBTE" if lbte else "RTA"
        base = f"{os.path.basename(args.kappa_file)} ({kind}, mesh {mesh})"

        plot_kappa_vs_t(data, base, out("kappa-vs-T"))

        mk_name = "mode_kappa_RTA" if lbte else "mode_kappa"
        mode_kappa = np.asarray(data[mk_name])
        if mode_kappa.ndim == 5:  # (sigma, T, gp, band, 6): first sigma
            mode_kappa = mode_kappa[0]
        mode_kappa = mode_kappa[it]  # (gp, band, 6)
        n_rows, n_band = mode_kappa.shape[:2]
        weight = np.asarray(data["weight"])
        gamma = np.asarray(data["gamma"])
        if gamma.ndim == 4:
            gamma = gamma[0]
        gamma = gamma[it]  # (ir gp, band)
        n_ir = gamma.shape[0]
        reducible = n_rows != n_ir
        norm = float(n_rows) if reducible else float(weight.sum())
        what = "mode_kappa_RTA: LBTE has no mode-resolved kappa, RTA shown" if lbte else "mode_kappa"
        title = f"{base}, {t_label}\n{what}"

        # The end of the cumulative curve must be the file's kappa (kappa_RTA for LBTE).
        total = mode_kappa.reshape(-1, mode_kappa.shape[-1]).sum(axis=0)[:3] / norm
        k_ref = np.asarray(data["kappa_RTA" if lbte else "kappa"]).reshape(len(temps), -1)[it][:3]
        if np.abs(total - k_ref).max() > 1e-6 * max(1.0, np.abs(k_ref).max()):
            print(f"plot-kappa: warning: sum of {mk_name} ({total}) differs from the file's kappa ({k_ref})")

        freq_rows = np.asarray(data["frequency"])
        if freq_rows.shape[0] != n_rows:
            raise PlotError(f"frequency has {freq_rows.shape[0]} grid points but {mk_name} has {n_rows}")
        cumulative_plot(
            freq_rows.reshape(-1),
            mode_kappa.reshape(-1, mode_kappa.shape[-1]),
            norm,
            "Frequency (THz)",
            title,
            out("kappa-cumulative-frequency"),
        )

        ir_freq = ir_frequencies(data)
        mfp_ir = mean_free_path_nm(gamma, data["group_velocity"])
        if reducible:
            owner = full_grid_to_ir(data, ir_freq)
            if owner is None:
                raise PlotError("cannot match the full-grid rows of mode_kappa_RTA to irreducible points")
            mfp_rows = mfp_ir[owner]
        else:
            mfp_rows = mfp_ir
        mfp = mfp_rows.reshape(-1)
        mk_flat = mode_kappa.reshape(-1, mode_kappa.shape[-1])
        has_mfp = mfp > 0
        left_out = mk_flat[~has_mfp, :3].sum(axis=0) / norm
        note = None
        if np.abs(left_out).max() > 1e-9 * max(1.0, np.abs(k_ref).max()):
            note = "modes without MFP (Gamma <= 0) carry kappa %s W/m-K, not shown" % np.array2string(
                left_out, precision=3
            )
        if not has_mfp.any():
            raise PlotError("no mode has Gamma > 0: no mean free path to plot")
        cumulative_plot(
            mfp[has_mfp],
            mk_flat[has_mfp],
            norm,
            "Mean free path (nm)",
            title,
            out("kappa-cumulative-mfp"),
            log_x=True,
            note=note,
        )

        fig, ax = plt.subplots(figsize=(7, 5))
        ax.scatter(ir_freq.reshape(-1), gamma.reshape(-1), s=12, label="Gamma", color="tab:blue")
        for name, color in (("gamma_N", "tab:green"), ("gamma_U", "tab:red")):
            if name in data:
                g = np.asarray(data[name])
                g = g[0] if g.ndim == 4 else g
                ax.scatter(ir_freq.reshape(-1), g[it].reshape(-1), s=8, marker="x", color=color, label=name)
        if "gamma_isotope" in data:
            g = np.asarray(data["gamma_isotope"])
            g = g[0] if g.ndim == 3 else g
            ax.scatter(ir_freq.reshape(-1), g.reshape(-1), s=8, marker="^", color="tab:purple", label="gamma_isotope")
        ax.set_xlabel("Frequency (THz)")
        ax.set_ylabel("Gamma (THz)")
        ax.set_title(f"{base}, {t_label}", fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend()
        save(fig, out("gamma-vs-frequency"))
    except PlotError as exc:
        print(f"plot-kappa: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
