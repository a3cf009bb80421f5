#!/usr/bin/env python3
"""Parallel speed-up of the Mandelbrot job over its sequential kernel, end to end.

Runs `nc_job mandel --sequential` and `mpirun -n 3 nc_job mandel` on the same picture
(default 4096x4096, max-iter 1000), several times each, alternating so that the machine's
noise hits both alike, and reports the median wall times and their ratio. Both commands do
the same work: compute the grid and write it to HDF5.

Wall time is the whole command, MPI start-up included. The server's own "finished in" time
(the job without the launcher) is reported too, so the launcher's share is visible.

  bench/mandel_speedup.py [--nc-job build/jobs/nc_job] [--repeat 3] [--ranks 3]
                          [--mpirun-flags "--oversubscribe"] [--json out.json]
"""
import argparse
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command, cwd):
    start = time.monotonic()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if done.returncode != 0:
        sys.exit(f"failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nc-job", default=os.path.join(here, "..", "build", "jobs", "nc_job"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ranks", type=int, default=3)
    parser.add_argument("--mpirun", default="mpirun")
    parser.add_argument("--mpirun-flags", default="--oversubscribe",
                        help="launcher flags (Open MPI: --oversubscribe; add '--mca pml ob1' to skip UCX start-up)")
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()

    job = os.path.abspath(args.nc_job)
    picture = ["mandel", "--width", str(args.size), "--height", str(args.size), "--max-iter", str(args.max_iter)]
    os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
    os.environ.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    sequential, parallel, job_only = [], [], []
    with tempfile.TemporaryDirectory(prefix="nc-bench-") as work:
        for round_ in range(args.repeat):
            elapsed, _ = timed([job, *picture, "--sequential", "--output", "seq.h5"], work)
            sequential.append(elapsed)
            command = [args.mpirun, "-n", str(args.ranks), *shlex.split(args.mpirun_flags), job, *picture,
                       "--output", "mpi.h5"]
            elapsed, log = timed(command, work)
            parallel.append(elapsed)
            found = re.search(r"finished in ([0-9.]+) s", log)
            if found:
                job_only.append(float(found.group(1)))
            print(f"round {round_ + 1}: sequential {sequential[-1]:.2f} s, mpirun -n {args.ranks} {parallel[-1]:.2f} s",
                  flush=True)
        same = subprocess.run(["h5diff", os.path.join(work, "seq.h5"), os.path.join(work, "mpi.h5"), "/mandel",
                               "/mandel"], capture_output=True).returncode == 0

    seq, par = statistics.median(sequential), statistics.median(parallel)
    result = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "processor": platform.processor()},
        "picture": {"size": args.size, "max_iter": args.max_iter},
        "ranks": args.ranks,
        "mpirun_flags": args.mpirun_flags,
        "sequential_s": sequential,
        "mpirun_s": parallel,
        "job_only_s": job_only,
        "median_sequential_s": seq,
        "median_mpirun_s": par,
        "speedup": seq / par,
        "speedup_job_only": seq / statistics.median(job_only) if job_only else None,
        "identical_output": same,
    }
    print()
    print(f"| {args.size}x{args.size}, max-iter {args.max_iter}, {os.cpu_count()} cores | median wall (s) | speed-up |")
    print("|---|---:|---:|")
    print(f"| nc_job --sequential | {seq:.2f} | 1.00 |")
    print(f"| mpirun -n {args.ranks} {args.mpirun_flags} nc_job | {par:.2f} | {seq / par:.2f} |")
    if job_only:
        print(f"| ... the job without MPI start-up (server's 'finished in') | {statistics.median(job_only):.2f} | "
              f"{seq / statistics.median(job_only):.2f} |")
    print(f"\noutputs identical: {same}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
