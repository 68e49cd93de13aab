#!/usr/bin/python3
"""Run one example config of config/ end to end (ctest config.<file>).

Usage: run_config.py CONFIG SRC_DIR PH3MPI MPIEXEC [MPIEXEC_FLAGS...]

The config is copied into a temporary folder with its input paths made absolute
(relative to the original config's folder, as ph3mpi resolves them) and output_dir
pointing into the temporary folder, so the source tree is never written. Then
`MPIEXEC -n 2 PH3MPI copy.toml` must exit 0 and write the file its mode promises
(<prefix>-m<mesh>.hdf5, and coleigs-m<mesh>.hdf5 for lbte) with no temporary file left.
Where tests/data/<crystal>/reference holds phono3py's result of the same settings, the
output is compared with it (REFERENCE_CHECKS below); other configs are only run.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

NP = 2
TIMEOUT_S = 300

# Keys whose values are paths relative to the config file.
PATH_KEYS = ("phono3py_yaml", "fc2", "fc3", "born", "read_phonon")

# Output file prefix per mode (ph3mpi writes <prefix>-m<mesh>.hdf5 into output_dir).
OUTPUT_PREFIX = {
    "phonons": "phonon",
    "rta": "kappa",
    "lbte": "kappa",
    "ise": "ise",
    "rse": "rse",
    "jdos": "jdos",
    "isotope": "isotope",
}

# config file -> how its output is checked against the reference of the same settings.
#   ("kappa", REFERENCE, ARGS): scripts/compare-kappa.py REFERENCE OUTPUT ARGS
#   ("script", SCRIPT, ARGS): /usr/bin/python3 tests/cli/SCRIPT OUTPUT ARGS
# Names starting with "ref:" are files in the crystal's reference folder (Intel-made, with
# the phonons in reference/phonon-m*.hdf5), "run:" files in its runs folder (phono3py runs
# with the phonons they used; the example reads those phonons).
REFERENCE_CHECKS = {
    "si-pbesol-rta.toml": ("kappa", "run:si-rta-m999/kappa-m999.hdf5", ["--rtol", "1e-10"]),
    "si-pbesol-lbte.toml": ("kappa", "run:si-lbte-m999/kappa-m999.hdf5", ["--rtol", "1e-10"]),
    "mgo-rta.toml": ("kappa", "run:mgo-rta-m999/kappa-m999.hdf5", ["--rtol", "1e-10"]),
    "nacl-pbe-rta.toml": ("kappa", "run:nacl-rta-m999/kappa-m999.hdf5", ["--rtol", "1e-10"]),
    "aln-lda-rta.toml": ("kappa", "run:aln-rta-m775/kappa-m775.hdf5", ["--rtol", "1e-10"]),
    "aln-lda-lbte.toml": ("kappa", "run:aln-lbte-m775/kappa-m775.hdf5", ["--rtol", "1e-10"]),
    "si-pbesol-phonons.toml": ("script", "check_phonon_file.py", ["ref:", "m999"]),
    "si-pbesol-ise.toml": ("script", "check_ise_file.py", ["ref:"]),
    "si-pbesol-rse.toml": ("script", "check_rse_file.py", ["ref:rse_gp105.hdf5"]),
    "si-pbesol-isotope.toml": ("script", "check_isotope_config.py", ["ref:isotope_gp105.hdf5"]),
    "si-pbesol-jdos.toml": ("script", "check_jdos_t300.py", ["ref:jdos_gp105.hdf5"]),
}


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def rewrite_config(text, settings, config_dir, out_dir):
    """The config text with absolute input paths and output_dir = out_dir. Only the
    value of each `key = "..."` line changes; comments and other keys stay."""

    def set_value(text, key, value):
        pattern = re.compile(r'^(\s*' + key + r'\s*=\s*)"[^"\n]*"', re.MULTILINE)
        new, count = pattern.subn(lambda m: m.group(1) + '"' + value + '"', text)
        if count != 1:
            fail(f"expected one line `{key} = \"...\"` in the config, found {count}")
        return new

    for key in PATH_KEYS:
        if key in settings:
            text = set_value(text, key, os.path.normpath(os.path.join(config_dir, settings[key])))
    if "output_dir" in settings:
        text = set_value(text, "output_dir", out_dir)
    else:
        text = f'output_dir = "{out_dir}"\n' + text
    return text


def main():
    config, src, ph3mpi, mpiexec = sys.argv[1:5]
    mpiexec_flags = sys.argv[5:]
    name = os.path.basename(config)
    with open(config, "rb") as f:
        settings = tomllib.load(f)
    mode = settings.get("mode")
    if mode not in OUTPUT_PREFIX:
        fail(f"{name}: unknown mode {mode!r}")
    mesh = settings.get("mesh")
    if not (isinstance(mesh, list) and len(mesh) == 3):
        fail(f"{name}: the example configs give the mesh as three integers")
    mesh_tag = "m" + "".join(str(n) for n in mesh)
    config_dir = os.path.dirname(os.path.abspath(config))
    crystal = os.path.basename(os.path.dirname(os.path.normpath(os.path.join(config_dir, settings["phono3py_yaml"]))))
    ref_dir = os.path.join(src, "tests", "data", crystal, "reference")

    work = tempfile.mkdtemp(prefix="ph3mpi-config-")
    try:
        out_dir = os.path.join(work, "out")
        copy = os.path.join(work, name)
        with open(config) as f:
            text = rewrite_config(f.read(), settings, config_dir, out_dir)
        with open(copy, "w") as f:
            f.write(text)
        print(f"== {name} (mode {mode}) as {copy}:\n{text}", flush=True)

        env = dict(os.environ, OMP_NUM_THREADS="1")
        cmd = [mpiexec, *mpiexec_flags, "-n", str(NP), ph3mpi, copy]
        print("== " + " ".join(cmd), flush=True)
        try:
            status = subprocess.run(cmd, env=env, timeout=TIMEOUT_S).returncode
        except subprocess.TimeoutExpired:
            fail(f"ph3mpi did not finish within {TIMEOUT_S} s")
        if status != 0:
            fail(f"ph3mpi exited with status {status}")

        expected = [os.path.join(out_dir, f"{OUTPUT_PREFIX[mode]}-{mesh_tag}.hdf5")]
        if mode == "lbte":
            expected.append(os.path.join(out_dir, f"coleigs-{mesh_tag}.hdf5"))
        for path in expected:
            if not os.path.isfile(path):
                fail(f"expected output {path} was not written; output_dir has {sorted(os.listdir(out_dir))}")
            print(f"output written: {path}")
        leftovers = [n for n in os.listdir(out_dir) if n.endswith(".tmp")]
        if leftovers:
            fail(f"temporary files left in output_dir: {leftovers}")

        check = REFERENCE_CHECKS.get(name)
        if check is None:
            print(f"PASS: {name} ran (no reference check registered in {os.path.basename(__file__)})")
            return
        kind, tool, args = check
        runs_dir = os.path.join(src, "tests", "data", crystal, "runs")

        def resolve(a):
            if a.startswith("ref:"):
                return os.path.join(ref_dir, a[4:])
            if a.startswith("run:"):
                return os.path.join(runs_dir, a[4:])
            return a

        args = [resolve(a) for a in args]
        if kind == "kappa":
            cmd = ["/usr/bin/python3", os.path.join(src, "scripts", "compare-kappa.py"),
                   resolve(tool), expected[0], *args]
        else:
            here = os.path.dirname(os.path.abspath(__file__))
            script = os.path.join(here, tool) if os.path.isfile(os.path.join(here, tool)) else \
                os.path.join(src, "tests", "cli", tool)
            cmd = ["/usr/bin/python3", "-B", script, expected[0], *args]
        print("== " + " ".join(cmd), flush=True)
        env = dict(os.environ, PYTHONPATH=os.path.join(src, "tests", "cli"))
        status = subprocess.run(cmd, env=env).returncode
        if status != 0:
            fail(f"{name}: output differs from the reference (status {status})")
        print(f"PASS: {name} matches the reference")
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
