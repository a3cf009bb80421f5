"""The pi job (jobs/pi): its HDF5 table has one row per task, each row's count is reproduced by
an independent numpy SplitMix64, the estimate lands within 4 standard errors of pi, and the
table is the same alone, with --sequential, from the stand-alone program and (with --mpi)
under mpirun at several rank counts.

    test_job_pi.py [--mpi]"""
import math
import os
import sys

import h5py
import numpy as np
from nctest import NC_JOB, Workdir, check, mpirun_command, run

TASKS = 48
SAMPLES = 250_000
SEED = 987654321
ARGS = ["pi", "--tasks", str(TASKS), "--samples", str(SAMPLES), "--seed", str(SEED)]
GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def mix64(z):
    """SplitMix64's output function on a numpy uint64 array (wrapping arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def task_seed(seed, task):
    return mix64(np.array([seed], dtype=np.uint64) + GOLDEN * np.array([task + 1], dtype=np.uint64))[0]


def count_hits(seed, samples):
    """Outputs 1..2*samples of a SplitMix64 stream started at `seed`: x, y, x, y, ..."""
    steps = np.arange(1, 2 * samples + 1, dtype=np.uint64)
    words = mix64(np.uint64(seed) + GOLDEN * steps)
    unit = (words >> np.uint64(11)).astype(np.float64) * 2.0 ** -53
    x, y = unit[0::2], unit[1::2]
    return int(np.count_nonzero(x * x + y * y < 1.0))


def read_table(path):
    with h5py.File(path, "r") as f:
        return f["tasks"][...], dict(f["tasks"].attrs)


def same_table(a, b):
    return a.dtype == b.dtype and all(np.array_equal(a[name], b[name]) for name in a.dtype.names)


with Workdir() as work:
    status, out, err = run([NC_JOB, "--list"], 30)
    check(status == 0 and "pi" in [line.split()[0] for line in out.splitlines() if line.strip()],
          "nc_job --list names the pi job")

    status, out, err = run([NC_JOB, *ARGS, "--nodes", "3", "--output", "alone.h5"], 120, cwd=work)
    print(out, err)
    check(status == 0, "the pi job alone exits 0")
    table, attrs = read_table(os.path.join(work, "alone.h5"))

    check(list(table.dtype.names) == ["task", "seed", "samples", "hits", "estimate"],
          "the table has the columns task, seed, samples, hits, estimate")
    check(table.dtype["hits"] == np.uint64 and table.dtype["estimate"] == np.float64,
          "hits are uint64, estimates double")
    check(table.shape == (TASKS,) and sorted(table["task"].tolist()) == list(range(TASKS)),
          f"one row for each of the {TASKS} tasks")
    check(bool(np.all(table["samples"] == SAMPLES)), "every row counts --samples points")
    check(bool(np.all(table["hits"] <= table["samples"])), "no row has more hits than samples")
    check(np.array_equal(table["estimate"], 4.0 * table["hits"] / table["samples"]),
          "each row's estimate is 4 * hits / samples")
    check(len(set(table["hits"].tolist())) > TASKS // 2, "the tasks drew different points")

    for task in (0, 1, TASKS - 1):
        row = table[table["task"] == task][0]
        seed = task_seed(SEED, task)
        check(int(row["seed"]) == int(seed), f"task {task}'s seed matches the documented derivation")
        hits = count_hits(seed, SAMPLES)
        check(int(row["hits"]) == hits, f"task {task}: {int(row['hits'])} hits, numpy counts {hits}")

    total_samples = int(table["samples"].sum())
    total_hits = int(table["hits"].sum())
    estimate = 4.0 * total_hits / total_samples
    share = total_hits / total_samples
    sigma = 4.0 * math.sqrt(share * (1.0 - share) / total_samples)
    check(int(attrs["total_samples"]) == total_samples and int(attrs["total_hits"]) == total_hits,
          "the attributes hold the totals of the table")
    check(int(attrs["seed"]) == SEED and int(attrs["tasks"]) == TASKS
          and int(attrs["samples_per_task"]) == SAMPLES, "the attributes record the parameters")
    check(abs(float(attrs["estimate"]) - estimate) <= 1e-12 and abs(float(attrs["std_error"]) - sigma) <= 1e-12,
          "the attributes hold the estimate and its standard error")
    print(f"estimate {estimate:.7f}, standard error {sigma:.7f}, off by {(estimate - math.pi) / sigma:+.2f} sigma")
    check(abs(estimate - math.pi) <= 4 * sigma, "the estimate is within 4 standard errors of pi")
    check(f"pi: {float(attrs['estimate']):.9f}" in out, "the job prints the estimate")

    status, out, err = run([NC_JOB, *ARGS, "--output", "sequential.h5", "--sequential"], 120, cwd=work)
    check(status == 0, "--sequential exits 0")
    check(same_table(read_table(os.path.join(work, "sequential.h5"))[0], table),
          "--sequential writes the same table")

    program = os.path.join(os.environ.get("NC_BUILD_DIR", "."), "jobs", "pi")
    status, out, err = run([program, *ARGS[1:], "--nodes", "2", "--threads", "2", "--output", "program.h5"], 120,
                           cwd=work)
    check(status == 0, "the stand-alone pi program exits 0")
    check(same_table(read_table(os.path.join(work, "program.h5"))[0], table),
          "the stand-alone program writes the same table")

    other_seed = [a if a != str(SEED) else str(SEED + 1) for a in ARGS]
    status, out, err = run([NC_JOB, *other_seed, "--nodes", "2", "--output", "other.h5"], 120, cwd=work)
    check(status == 0, "a run with another seed exits 0")
    check(not np.array_equal(read_table(os.path.join(work, "other.h5"))[0]["hits"], table["hits"]),
          "another --seed draws other points")

    if "--mpi" in sys.argv[1:]:
        for ranks in (2, 3, 5):
            name = f"mpi{ranks}.h5"
            status, out, err = run(mpirun_command(ranks, [*ARGS, "--output", name]), 180, cwd=work)
            print(err)
            check(status == 0, f"mpirun -n {ranks} exits 0")
            mpi_table, mpi_attrs = read_table(os.path.join(work, name))
            check(same_table(mpi_table, table) and float(mpi_attrs["estimate"]) == float(attrs["estimate"]),
                  f"mpirun -n {ranks} writes the same table and estimate as the run alone")
