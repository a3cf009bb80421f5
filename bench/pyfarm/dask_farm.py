"""The benchmark workloads on Dask: a LocalCluster of 2 worker processes with 1 thread each,
the client and scheduler in this process.

  /usr/bin/python3 bench/pyfarm/dask_farm.py empty --tasks 5000
  /usr/bin/python3 bench/pyfarm/dask_farm.py mandel --width 4096 --height 4096 --max-iter 1000 \
      --chunk-height 16 [--output dask.h5]

empty: N tasks of 16 bytes each way through client.map (one Dask task each) and gather.
mandel: one task per band (tasks.py, numpy), written into /mandel with h5py as bands arrive.
The clock starts once the cluster is up and has run one task. This process holds the
scheduler, so its own peak RSS (getrusage, RUSAGE_SELF) is the server's and is printed too:
  dask: workload=empty tasks=5000 seconds=3.2 tasks_per_second=1560 peak_rss_kib=120000
"""
import argparse
import logging
import os
import resource
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tasks  # noqa: E402


def run_empty(client, count):
    payloads = tasks.empty_tasks(count)
    start = time.perf_counter()
    results = client.gather(client.map(tasks.echo, payloads, pure=False))
    seconds = time.perf_counter() - start
    tasks.verify_echoes(results, count)
    return count, seconds


def run_mandel(client, args):
    import numpy as np
    from distributed import as_completed

    jobs = tasks.band_tasks(args.width, args.height, args.max_iter, args.chunk_height)
    start = time.perf_counter()
    if args.output:
        import h5py
        out = h5py.File(args.output, "w")
        grid = out.create_dataset("mandel", shape=(args.height, args.width), dtype="uint32",
                                  chunks=(min(args.chunk_height, args.height), args.width))
    else:
        out, grid = None, np.zeros((args.height, args.width), dtype=np.uint32)
    for future in as_completed(client.map(tasks.band_task, jobs, pure=False)):
        y0, pixels = future.result()
        grid[y0:y0 + pixels.shape[0], :] = pixels
        future.release()
    if out is not None:
        out.close()
    return len(jobs), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workload", choices=["empty", "mandel"])
    parser.add_argument("--tasks", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--width", type=int, default=4096)
    parser.add_argument("--height", type=int, default=4096)
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--chunk-height", type=int, default=16)
    parser.add_argument("--output")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    # The worker processes import tasks.py by name, like the functions of any installed module.
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        client.submit(tasks.echo, tasks.PAIR.pack(0, 0), pure=False).result()  # the cluster is up
        if args.workload == "empty":
            count, seconds = run_empty(client, args.tasks)
        else:
            count, seconds = run_mandel(client, args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"dask: workload={args.workload} tasks={count} seconds={seconds:.6f} "
          f"tasks_per_second={count / seconds:.0f} peak_rss_kib={peak}", flush=True)


if __name__ == "__main__":
    main()
