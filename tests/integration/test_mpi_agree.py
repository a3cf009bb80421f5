"""The same picture from -n 2, 3 and 5 ranks, from one process alone and from --sequential:
identical datasets (h5diff finds no difference)."""
import os
import subprocess

from nctest import NC_JOB, Workdir, check, mpirun_command, run

args = ["mandel", "--width", "1200", "--height", "900", "--max-iter", "700", "--chunk-height", "9"]
with Workdir() as work:
    outputs = []
    for ranks in (2, 3, 5):
        name = f"n{ranks}.h5"
        status, out, err = run(mpirun_command(ranks, [*args, "--output", name]), 120, cwd=work)
        check(status == 0, f"-n {ranks} exits 0")
        outputs.append(name)
    status, out, err = run([NC_JOB, *args, "--output", "alone.h5", "--nodes", "3"], 120, cwd=work)
    check(status == 0, "the run alone exits 0")
    outputs.append("alone.h5")
    status, out, err = run([NC_JOB, *args, "--output", "sequential.h5", "--sequential"], 120, cwd=work)
    check(status == 0, "the sequential run exits 0")
    outputs.append("sequential.h5")
    for other in outputs[1:]:
        diff = subprocess.run(["h5diff", os.path.join(work, outputs[0]), os.path.join(work, other), "/mandel",
                               "/mandel"], capture_output=True, text=True)
        check(diff.returncode == 0, f"{outputs[0]} and {other} hold the same /mandel")
