#!/usr/bin/python3
"""node_crunch beside its baselines, in one run, on the two benchmark workloads:

  (a) N empty tasks (16 bytes each way): what scheduling costs per task;
  (b) the Mandelbrot set, 4096x4096, max-iter 1000, in bands of 16 rows, written to HDF5:
      parallel efficiency on a CPU-bound job.

Runs, side by side: node_crunch over MPI (mpirun -n 3: a server and 2 nodes), over TCP (a
server and 2 node processes on loopback; skipped with a note while nc_job has no TCP), in one
process (--nodes 2); the bare MPI farm (bench/baseline) with a spinning and with a sleeping
master; mpi4py.futures; Dask (empty tasks; the Mandelbrot too with --dask-mandel); the
sequential kernel; and 1 node x 2 threads against 2 nodes x 1 thread (alone and under MPI). Every row runs --repeat times, interleaved; the medians are
reported as a markdown table (stdout), JSON (--json) and a bar chart (--png). Every Mandelbrot
output is compared with the sequential kernel's, value by value (h5py). report.py says what
each figure means; README.md how peak memory is taken.

  /usr/bin/python3 bench/compare.py --build build-bench              # about 10 min on 2 cores
  /usr/bin/python3 bench/compare.py --build build-bench --quick      # about 1-2 min
  options: --repeat N --tasks N --py-tasks N --dask-tasks N --size PIXELS --max-iter N
           --workloads empty,mandel,threads --dask-mandel --mpirun-flags "..."
           --json out.json --png out.png --tolerance 0.05

Exit status: 0 if every run worked and every Mandelbrot output matched (targets missed are
reported, not failures), 1 otherwise.
"""
import argparse
import datetime
import json
import os
import shlex
import signal
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import benchlib  # noqa: E402
import chart  # noqa: E402
import report  # noqa: E402
import suite  # noqa: E402

QUICK = {"repeat": 1, "tasks": 20000, "py_tasks": 2000, "dask_tasks": 500, "size": 1024}
FULL = {"repeat": 3, "tasks": 200000, "py_tasks": 20000, "dask_tasks": 5000, "size": 4096}


def arguments():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(suite.HERE, "..", "build-bench"),
                        help="the CMake build directory with jobs/nc_job and bench/baseline/farm_bench")
    parser.add_argument("--quick", action="store_true", help="small sizes, one repeat")
    for name in FULL:
        parser.add_argument("--" + name.replace("_", "-"), type=int)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--chunk-height", type=int, default=16)
    parser.add_argument("--workloads", default="empty,mandel,threads")
    parser.add_argument("--dask-mandel", action="store_true",
                        help="Dask on the Mandelbrot too (slow: minutes at 4096x4096)")
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--mpirun-flags", default="--oversubscribe",
                        help="launcher flags for every MPI row (Open MPI: --oversubscribe for 3 ranks on 2 cores)")
    parser.add_argument("--tolerance", type=float, default=0.05,
                        help="how far 1 node x 2 threads may be from 2 nodes x 1 thread")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--json")
    parser.add_argument("--png")
    args = parser.parse_args()
    for name, value in (QUICK if args.quick else FULL).items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    return args


def main():
    # A plain SIGTERM would skip the clean-up of the run in progress and the scratch directory.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = arguments()
    build = os.path.abspath(args.build)
    settings = suite.Settings(
        nc_job=os.path.join(build, "jobs", "nc_job"),
        farm=os.path.join(build, "bench", "baseline", "farm_bench"),
        mpirun=[args.mpirun, *shlex.split(args.mpirun_flags)],
        tasks=args.tasks, py_tasks=args.py_tasks, dask_tasks=args.dask_tasks, size=args.size,
        max_iter=args.max_iter, chunk_height=args.chunk_height,
        dask_mandel=args.dask_mandel, timeout=args.timeout)
    for program in (settings.nc_job, settings.farm):
        if not os.access(program, os.X_OK):
            sys.exit(f"missing {program}: cmake --build {build} --target nc_job farm_bench")
    chosen = args.workloads.split(",")
    rows = []
    if "empty" in chosen:
        rows += suite.empty_rows(settings)
    if "mandel" in chosen:
        rows += suite.mandel_rows(settings)
    if "threads" in chosen:
        rows += suite.threads_rows(settings)

    started = datetime.datetime.now().astimezone()
    machine = benchlib.machine()
    with benchlib.scratch() as work:
        results = suite.run_rows(rows, args.repeat, work)
    checks = report.targets(results, args.tolerance)

    title = (f"node_crunch comparison, {started:%Y-%m-%d %H:%M %Z}, {machine.get('model name', '?')}, "
             f"{machine['cpus']} CPUs, {args.repeat} repeat(s), medians")
    print(f"\n## {title}\n")
    if "empty" in chosen:
        print(f"### (a) empty tasks, 16 bytes each way\n\n{report.table(results, 'empty')}\n")
    if "mandel" in chosen or "threads" in chosen:
        print(f"### (b) Mandelbrot {args.size}x{args.size}, max-iter {args.max_iter}, "
              f"{args.chunk_height}-row bands, HDF5 output\n\n{report.table(results, 'mandel')}\n")
    print(f"### targets\n\n{report.targets_table(checks)}\n")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"date": started.isoformat(), "machine": machine, "settings": vars(args),
                       "rows": [{"workload": r.row.workload, "key": r.row.key, "name": r.row.name,
                                 "tasks": r.row.tasks, "skipped": r.skipped, "failures": r.failures,
                                 "identical_output": r.identical, "median_wall_s": r.wall(),
                                 "median_job_s": r.job(), "tasks_per_s": r.tasks_per_s(),
                                 "median_rss_mib": r.rss_mib(), "median_cpu_s": r.cpu_s(),
                                 "median_server_cpu_s": r.server_cpu_s(),
                                 "runs": [{"wall_s": m.wall_s, "job_s": m.job_s, "rss_kib": m.rss_kib,
                                           "cpu_s": m.cpu_s, "server_cpu_s": m.server_cpu_s}
                                          for m in r.runs]}
                                for r in results.values()],
                       "targets": checks}, f, indent=2)
    if args.png:
        chart.draw(results, args.png, title)

    broken = [r for r in results.values() if r.failures or r.identical is False]
    for r in broken:
        print(f"problem: {r.row.workload}/{r.row.key}: "
              f"{'output differs from the sequential kernel' if r.identical is False else r.failures[0]}",
              file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
