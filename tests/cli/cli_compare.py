"""Shared by the check_*.py scripts of the rse, jdos and ise-variant CLI tests."""
import numpy as np

TOL = 1e-8


def compare(name, got, ref, tol=TOL):
    """Values of ref above 1e-12 of its largest: relative deviation <= tol; the rest:
    absolute deviation <= tol * largest. Prints the figures, returns True when within."""
    got = np.asarray(got, dtype=float)
    ref = np.asarray(ref, dtype=float)
    if got.shape != ref.shape:
        print(f"{name}: shape {got.shape} != reference {ref.shape}")
        return False
    scale = np.abs(ref).max()
    big = np.abs(ref) > 1e-12 * scale
    rel = np.abs(got[big] - ref[big]) / np.abs(ref[big])
    max_rel = rel.max() if rel.size else 0.0
    max_abs = np.abs(got[~big] - ref[~big]).max() if (~big).any() else 0.0
    print(f"{name}: max relative deviation {max_rel:.3e} ({big.sum()} values), "
          f"max absolute on small values {max_abs:.3e}")
    return bool(max_rel <= tol and max_abs <= tol * scale)


def degenerate_sets(freqs, cutoff=1e-4):
    """phonopy.phonon.degeneracy.degenerate_sets: bands whose frequencies differ by less
    than cutoff from the first of a set."""
    indices = []
    done = []
    for i in range(len(freqs)):
        if i in done:
            continue
        f_set = [i]
        done.append(i)
        for j in range(i + 1, len(freqs)):
            if (np.abs(freqs[f_set] - freqs[j]) < cutoff).any():
                f_set.append(j)
                done.append(j)
        indices.append(f_set[:])
    return indices


def average_by_degeneracy(values, freqs):
    """Mean over each degenerate set on the last axis (phono3py average_by_degeneracy)."""
    values = np.asarray(values, dtype=float)
    out = np.zeros_like(values)
    for dset in degenerate_sets(np.asarray(freqs)):
        out[..., dset] = values[..., dset].mean(axis=-1, keepdims=True)
    return out
