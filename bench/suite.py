"""The rows of the comparison: which command measures what, for both workloads, and the loop
that runs them. Used by compare.py and threads_vs_nodes.py; not a benchmark itself.

Rows run interleaved (every row once, then every row again) so that noise from the machine
falls on all of them alike; each figure is the median over the repeats.
"""
import dataclasses
import os
import sys
from typing import Callable

import benchlib

HERE = os.path.dirname(os.path.abspath(__file__))
PYFARM = os.path.join(HERE, "pyfarm")


@dataclasses.dataclass
class Settings:
    nc_job: str
    farm: str
    mpirun: list
    python: str = "/usr/bin/python3"
    tasks: int = 200000        # empty tasks for the C++ farms
    py_tasks: int = 20000      # ... for mpi4py.futures
    dask_tasks: int = 5000     # ... for Dask
    size: int = 4096           # the Mandelbrot picture is size x size
    max_iter: int = 1000
    chunk_height: int = 16
    dask_mandel: bool = False  # Dask runs the Mandelbrot bands very slowly: see README.md
    timeout: float = 600.0

    def picture(self):
        return ["--width", str(self.size), "--height", str(self.size), "--max-iter",
                str(self.max_iter), "--chunk-height", str(self.chunk_height)]

    def bands(self):
        return (self.size + self.chunk_height - 1) // self.chunk_height


@dataclasses.dataclass
class Row:
    workload: str  # "empty" or "mandel"
    key: str
    name: str
    tasks: int
    launch: Callable  # work directory -> benchlib.Measurement
    output: str | None = None  # the HDF5 file a Mandelbrot row writes, compared with sequential's


@dataclasses.dataclass
class Result:
    row: Row
    runs: list = dataclasses.field(default_factory=list)
    failures: list = dataclasses.field(default_factory=list)
    skipped: str | None = None
    identical: bool | None = None  # its HDF5 output equals the sequential kernel's

    def wall(self):
        return benchlib.median([m.wall_s for m in self.runs])

    def job(self):
        """The program's own time for the work; the wall time if it reports none."""
        return benchlib.median([m.job_s if m.job_s is not None else m.wall_s for m in self.runs])

    def rss_mib(self):
        rss = benchlib.median([m.rss_kib for m in self.runs])
        return rss / 1024 if rss is not None else None

    def cpu_s(self):
        """CPU time of every process of the run (median over the repeats)."""
        return benchlib.median([m.cpu_s for m in self.runs])

    def server_cpu_s(self):
        """CPU time of the server alone: MPI rank 0 or the TCP server (median over the repeats);
        None for a run in one process, where it cannot be told from the nodes'."""
        return benchlib.median([m.server_cpu_s for m in self.runs])

    def tasks_per_s(self):
        job = self.job()
        return self.row.tasks / job if job else None


# Open MPI's flag for "do not bind ranks to cores" (MPICH's mpiexec: -bind-to none).
BIND_NONE = ("--bind-to", "none")


def mpi(s, ranks, command, launcher_flags=()):
    return lambda work: benchlib.run_mpi([*s.mpirun, *launcher_flags], ranks, command, work,
                                         s.timeout)


def alone(s, command):
    return lambda work: benchlib.run(command, work, s.timeout)


def tcp(s, job, options, nodes=2):
    return lambda work: benchlib.run_tcp(s.nc_job, job, options, nodes, work, s.timeout)


def py_mpi4py(s, *args):
    return [s.python, "-m", "mpi4py.futures", os.path.join(PYFARM, "mpi4py_farm.py"), *args]


def py_dask(s, *args):
    return [s.python, os.path.join(PYFARM, "dask_farm.py"), *args]


def empty_rows(s):
    n = ["--tasks", str(s.tasks)]
    return [
        Row("empty", "nc_mpi", "node_crunch, MPI (mpirun -n 3)", s.tasks,
            mpi(s, 3, [s.nc_job, "empty", *n])),
        Row("empty", "nc_tcp", "node_crunch, TCP (server + 2 nodes)", s.tasks,
            tcp(s, "empty", n)),
        Row("empty", "nc_local", "node_crunch, one process (--nodes 2)", s.tasks,
            alone(s, [s.nc_job, "empty", *n, "--nodes", "2"])),
        # The textbook farm: one task per worker at a time, a round trip per task.
        Row("empty", "farm_spin", "bare MPI farm, spinning master", s.tasks,
            mpi(s, 3, [s.farm, "empty", *n, "--master", "spin"])),
        Row("empty", "farm_sleep", "bare MPI farm, sleeping master", s.tasks,
            mpi(s, 3, [s.farm, "empty", *n, "--master", "sleep"])),
        # The same with as many tasks in flight per worker as node_crunch prefetches at most
        # (--max-prefetch, 64): what pipelining alone buys, without batching or serialisation.
        Row("empty", "farm_spin_64", "bare MPI farm, spinning master, 64 in flight", s.tasks,
            mpi(s, 3, [s.farm, "empty", *n, "--master", "spin", "--in-flight", "64"])),
        Row("empty", "farm_sleep_64", "bare MPI farm, sleeping master, 64 in flight", s.tasks,
            mpi(s, 3, [s.farm, "empty", *n, "--master", "sleep", "--in-flight", "64"])),
        Row("empty", "mpi4py", "mpi4py.futures (mpirun -n 3)", s.py_tasks,
            mpi(s, 3, py_mpi4py(s, "empty", "--tasks", str(s.py_tasks)))),
        Row("empty", "dask", "Dask LocalCluster (2 processes x 1 thread)", s.dask_tasks,
            alone(s, py_dask(s, "empty", "--tasks", str(s.dask_tasks)))),
    ]


def mandel_rows(s):
    p = s.picture()
    b = s.bands()
    rows = [
        # First: every other row's output is compared with this one.
        Row("mandel", "sequential", "sequential kernel (nc_job --sequential)", b,
            alone(s, [s.nc_job, "mandel", *p, "--sequential", "--output", "sequential.h5"]),
            "sequential.h5"),
        Row("mandel", "nc_mpi", "node_crunch, MPI (mpirun -n 3)", b,
            mpi(s, 3, [s.nc_job, "mandel", *p, "--output", "nc_mpi.h5"]), "nc_mpi.h5"),
        Row("mandel", "nc_tcp", "node_crunch, TCP (server + 2 nodes)", b,
            tcp(s, "mandel", [*p, "--output", "nc_tcp.h5"]), "nc_tcp.h5"),
        Row("mandel", "nc_local", "node_crunch, one process (--nodes 2)", b,
            alone(s, [s.nc_job, "mandel", *p, "--nodes", "2", "--output", "nc_local.h5"]),
            "nc_local.h5"),
        Row("mandel", "farm_spin", "bare MPI farm, spinning master", b,
            mpi(s, 3, [s.farm, "mandel", *p, "--master", "spin", "--output", "farm_spin.h5"]),
            "farm_spin.h5"),
        Row("mandel", "farm_sleep", "bare MPI farm, sleeping master", b,
            mpi(s, 3, [s.farm, "mandel", *p, "--master", "sleep", "--output", "farm_sleep.h5"]),
            "farm_sleep.h5"),
        Row("mandel", "mpi4py", "mpi4py.futures + numpy (mpirun -n 3)", b,
            mpi(s, 3, py_mpi4py(s, "mandel", *p, "--output", "mpi4py.h5")), "mpi4py.h5"),
    ]
    if s.dask_mandel:
        rows.append(Row("mandel", "dask", "Dask LocalCluster + numpy", b,
                        alone(s, py_dask(s, "mandel", *p, "--output", "dask.h5")), "dask.h5"))
    return rows


def threads_rows(s):
    """One node with two worker threads: must match two nodes of one thread each (the
    nc_local and nc_mpi rows of mandel_rows)."""
    p = s.picture()
    b = s.bands()
    return [
        Row("mandel", "nc_local_1x2", "node_crunch, one process, 1 node x 2 threads", b,
            alone(s, [s.nc_job, "mandel", *p, "--nodes", "1", "--threads", "2", "--output",
                      "nc_local_1x2.h5"]), "nc_local_1x2.h5"),
        # Open MPI binds each rank to one core when it starts two or fewer: a rank of two
        # threads must be let out of its core, as a hybrid run must be on any machine.
        Row("mandel", "nc_mpi_1x2",
            "node_crunch, MPI (mpirun -n 2 --bind-to none), 1 node x 2 threads", b,
            mpi(s, 2, [s.nc_job, "mandel", *p, "--threads", "2", "--output", "nc_mpi_1x2.h5"],
                BIND_NONE), "nc_mpi_1x2.h5"),
    ]


def log(text):
    print(text, file=sys.stderr, flush=True)


def run_rows(rows, repeats, work):
    """Runs every row `repeats` times, interleaved; returns {(workload, key): Result}."""
    results = {(row.workload, row.key): Result(row) for row in rows}
    for round_ in range(repeats):
        log(f"round {round_ + 1} of {repeats}")
        for row in rows:
            result = results[(row.workload, row.key)]
            if result.skipped:
                continue
            try:
                measurement = row.launch(work)
            except benchlib.TcpUnavailable as e:
                result.skipped = f"TCP not available in this build ({e})"
                log(f"  {row.workload}/{row.key}: skipped: {result.skipped}")
                continue
            except benchlib.RunFailed as e:
                result.failures.append(str(e))
                log(f"  {row.workload}/{row.key}: FAILED: {e}")
                continue
            if row.workload == "empty" and measurement.tasks != row.tasks:
                result.failures.append(f"{measurement.tasks} of {row.tasks} tasks reported")
                continue
            if row.output and result.identical is None and row.key != "sequential":
                reference = os.path.join(work, "sequential.h5")
                if os.path.exists(reference):
                    result.identical = benchlib.same_grid(reference, os.path.join(work, row.output))
            result.runs.append(measurement)
            rss = f"{measurement.rss_kib / 1024:.0f} MiB" if measurement.rss_kib else "?"
            job = f"{measurement.job_s:.3f}" if measurement.job_s is not None else "-"
            cpu = f"{measurement.cpu_s:.2f} s" if measurement.cpu_s is not None else "?"
            log(f"  {row.workload}/{row.key}: wall {measurement.wall_s:.3f} s, job {job} s, "
                f"CPU {cpu}, server RSS {rss}")
    return results
