#!/usr/bin/python3
"""Does one node with 2 worker threads compute the Mandelbrot set as fast as 2 nodes with one
thread each, on 2 cores? It should: a thread of a node and a node process do the same work,
and the node keeps each thread supplied with tasks.

Runs, interleaved, --repeat times (default 3):
  nc_job mandel --nodes 2                  vs   nc_job mandel --nodes 1 --threads 2
  mpirun -n 3 nc_job mandel                vs   mpirun -n 2 --bind-to none nc_job mandel --threads 2
and compares the medians of the job time (the server's "finished in"). compare.py runs the
same rows as part of the whole comparison.

  /usr/bin/python3 bench/threads_vs_nodes.py --build build-bench [--repeat 3] [--size 4096]
      [--max-iter 1000] [--tolerance 0.05] [--mpirun-flags "--oversubscribe"]
Exit status 0 if both pairs agree within the tolerance.
"""
import argparse
import os
import shlex
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

import benchlib  # noqa: E402
import report  # noqa: E402
import suite  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=os.path.join(suite.HERE, "..", "build-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--chunk-height", type=int, default=16)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--mpirun-flags", default="--oversubscribe")
    args = parser.parse_args()

    build = os.path.abspath(args.build)
    settings = suite.Settings(nc_job=os.path.join(build, "jobs", "nc_job"), farm="",
                              mpirun=[args.mpirun, *shlex.split(args.mpirun_flags)], size=args.size,
                              max_iter=args.max_iter, chunk_height=args.chunk_height)
    by_key = {r.key: r for r in suite.mandel_rows(settings) + suite.threads_rows(settings)}
    rows = [by_key[key] for key in ("nc_local", "nc_local_1x2", "nc_mpi", "nc_mpi_1x2")]
    with benchlib.scratch() as work:
        results = suite.run_rows(rows, args.repeat, work)
    print(report.table(results, "mandel"))
    checks = report.targets(results, args.tolerance)[-2:]
    print()
    print(report.targets_table(checks))
    return 0 if all(c["ok"] for c in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
