"""The two benchmark workloads on mpi4py.futures' MPIPoolExecutor: how a Python task farm
compares with node_crunch and the bare MPI farm.

  mpirun -n 3 /usr/bin/python3 -m mpi4py.futures bench/pyfarm/mpi4py_farm.py empty --tasks 20000
  mpirun -n 3 /usr/bin/python3 -m mpi4py.futures bench/pyfarm/mpi4py_farm.py mandel \
      --width 4096 --height 4096 --max-iter 1000 --chunk-height 16 [--output py.h5]

Rank 0 runs this script and is the master; the other ranks are the pool's workers. empty: N
tasks of 16 bytes each way, one task per message (chunksize 1). mandel: one task per band of
rows computed in numpy (tasks.py), written into /mandel of an HDF5 file with h5py as the bands
arrive, or kept in memory without --output. The time is taken from the first task sent to the
last result in (the pool is started, with one round trip, before the clock starts). Prints:
  mpi4py: workload=empty tasks=20000 seconds=2.1 tasks_per_second=9500
"""
import argparse
import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # workers import tasks too
import tasks  # noqa: E402


def run_empty(executor, count):
    payloads = tasks.empty_tasks(count)
    start = time.perf_counter()
    results = list(executor.map(tasks.echo, payloads))
    seconds = time.perf_counter() - start
    tasks.verify_echoes(results, count)
    return count, seconds


def run_mandel(executor, args):
    import numpy as np
    from concurrent.futures import as_completed

    jobs = tasks.band_tasks(args.width, args.height, args.max_iter, args.chunk_height)
    start = time.perf_counter()
    if args.output:
        import h5py
        out = h5py.File(args.output, "w")
        grid = out.create_dataset("mandel", shape=(args.height, args.width), dtype="uint32",
                                  chunks=(min(args.chunk_height, args.height), args.width))
    else:
        out, grid = None, np.zeros((args.height, args.width), dtype=np.uint32)
    for future in as_completed([executor.submit(tasks.band_task, job) for job in jobs]):
        y0, pixels = future.result()
        grid[y0:y0 + pixels.shape[0], :] = pixels
    if out is not None:
        out.close()
    return len(jobs), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["empty", "mandel"])
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--width", type=int, default=4096)
    parser.add_argument("--height", type=int, default=4096)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--chunk-height", type=int, default=16)
    parser.add_argument("--output")
    args = parser.parse_args()

    from mpi4py.futures import MPIPoolExecutor

    with MPIPoolExecutor() as executor:
        executor.submit(tasks.echo, tasks.PAIR.pack(0, 0)).result()  # the pool is up
        if args.workload == "empty":
            count, seconds = run_empty(executor, args.tasks)
        else:
            count, seconds = run_mandel(executor, args)
    print(f"mpi4py: workload={args.workload} tasks={count} seconds={seconds:.6f} "
          f"tasks_per_second={count / seconds:.0f}", flush=True)


if __name__ == "__main__":
    main()
