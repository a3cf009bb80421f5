"""The mixed job (jobs/mixed), the job of the mixed-endian test, on this machine alone: computed
without node_crunch (--sequential), by in-process nodes, and (with --mpi) under mpirun, it
writes the same file, one report per task, each with the fingerprint the server checks."""
import filecmp
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nctest import NC_JOB, Workdir, check, mpirun_command, run  # noqa: E402

JOB = ["mixed", "--tasks", "120", "--points", "16", "--degree", "5", "--rounds", "200",
       "--label", "na\u00efve \u2713"]

with Workdir() as work:
    def path(name):
        return os.path.join(work, name)

    status, out, err = run([NC_JOB, *JOB, "--sequential", "--output", "alone.txt"], 120, cwd=work)
    check(status == 0 and "mixed: tasks=120" in out, "--sequential writes the file")
    with open(path("alone.txt"), encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    check(len(re.findall(r"^task \d+ fingerprint [0-9a-f]{16} total ", text, re.MULTILINE)) == 120,
          "one report per task")
    check('title "na\u00efve \u2713:' in text, "the label travels as UTF-8 text")

    status, out, err = run([NC_JOB, *JOB, "--nodes", "3", "--output", "local.txt"], 120, cwd=work)
    check(status == 0, "in-process nodes exit 0")
    check(filecmp.cmp(path("local.txt"), path("alone.txt"), shallow=False),
          "in-process nodes write the same file")

    if "--mpi" in sys.argv:
        for ranks in (2, 4):
            name = f"mpi{ranks}.txt"
            status, out, err = run(mpirun_command(ranks, [*JOB, "--output", name]), 180, cwd=work)
            check(status == 0, f"mpirun -n {ranks} exits 0")
            check(f"rank 0 of {ranks} serves" in err, f"the {ranks} ranks form one MPI job")
            check(filecmp.cmp(path(name), path("alone.txt"), shallow=False),
                  f"mpirun -n {ranks} writes the same file")
