"""How far one server goes: its peak memory (and time) for many chunks and for many nodes.

Every run is a TCP server (`nc_job JOB --server`) wrapped in GNU time, whose %M is the
server's own peak resident memory (ru_maxrss), with its nodes in other processes:

- chunks: the `empty` job with 10^5, 10^6 and 10^7 tasks on 2 node processes (its results are
  16 bytes each and the server keeps none of them), and the Mandelbrot job with 10^6 bands of
  one row, written to HDF5 as they arrive (with its checkpoint, as by default);
- nodes: the `empty` job on 10, 100 and 1,000 simulated nodes (nc_scale_nodes: the library's
  own node engine and TCP transport, many in one process), 200 tasks per node, each task
  sleeping 100 ms on its node (it takes time, not a core: 1,000 nodes fit beside the server on
  2 cores), and 1,000 with a shared secret (every frame encrypted);
- admission: 1,000 simulated nodes on tasks that take no time, so that the first hundred keep
  the server's one thread busy: do the others get in?

    /usr/bin/python3 bench/scale/scale.py --build build [--quick] [--json scale.json]

Prints a table: chunks, nodes, wall time, chunks per second, the server's peak RSS, the raw
result data and the ratio of the two; the registrations counted by the server's closing table."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time


def parse():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--build", default="build", help="build directory (default: build)")
    p.add_argument("--quick", action="store_true", help="smaller sizes: a minute instead of several")
    p.add_argument("--json", help="also write the rows here")
    p.add_argument("--only", help="run only the rows whose name contains this")
    return p.parse_args()


class Server:
    """`nc_job ARGS --server --listen 127.0.0.1:0` under GNU time, in `work`."""

    def __init__(self, nc_job, args, work):
        self.rss_file = os.path.join(work, "time.txt")
        command = ["/usr/bin/time", "-f", "%M %e %U %S", "-o", self.rss_file, nc_job, *args,
                   "--server", "--listen", "127.0.0.1:0", "--progress-every", "0"]
        self.err_path = os.path.join(work, "server.log")
        self.process = subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE,
                                        stderr=open(self.err_path, "w"), text=True)
        self.out = []
        line = self.process.stdout.readline()
        found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if not found:
            raise SystemExit(f"the server did not start: {line!r}\n{open(self.err_path).read()}")
        self.port = found.group(1)
        self.reader = threading.Thread(target=lambda: self.out.extend(self.process.stdout), daemon=True)
        self.reader.start()

    def wait(self, timeout):
        status = self.process.wait(timeout=timeout)
        self.reader.join(timeout=5)
        peak_kib, wall, user, system = open(self.rss_file).read().split()[:4]
        return status, int(peak_kib) / 1024.0, float(wall), float(user) + float(system)

    def log(self):
        return open(self.err_path).read()


def nodes_seen(nc_job, port, extra, stop, seen):
    """Polls --status while the job runs: the most nodes alive at once."""
    while not stop.wait(0.5):
        try:
            out = subprocess.run([nc_job, "--status", f"127.0.0.1:{port}", *extra], capture_output=True,
                                 text=True, timeout=20).stdout
            alive = sum(1 for node in json.loads(out)["nodes"] if not node["lost"])
            seen.append(alive)
        except (subprocess.TimeoutExpired, ValueError, KeyError):
            pass


def run_row(build, name, job_args, raw_bytes, chunks, processes=2, simulated=0, secret=None, task_ms=0.0):
    nc_job = os.path.join(build, "jobs", "nc_job")
    work = tempfile.mkdtemp(prefix="nc-scale-")
    try:
        extra = []
        if secret:
            path = os.path.join(work, "secret")
            with open(path, "w") as f:
                f.write(os.urandom(32).hex())
            extra = ["--secret-file", path]
        server = Server(nc_job, [*job_args, *extra], work)
        stop, seen = threading.Event(), []
        poller = threading.Thread(target=nodes_seen, args=(nc_job, server.port, extra, stop, seen), daemon=True)
        poller.start()
        job = job_args[0]
        if simulated:
            generator = [os.path.join(build, "bench", "scale", "nc_scale_nodes"), "--connect",
                         f"127.0.0.1:{server.port}", "--nodes", str(simulated), "--task-ms", str(task_ms), *extra]
            generator_log = open(os.path.join(work, "generator.log"), "w+")
            nodes = [subprocess.Popen(generator, cwd=work, stdout=generator_log, stderr=subprocess.STDOUT)]
        else:
            nodes = [subprocess.Popen([nc_job, job, "--connect", f"127.0.0.1:{server.port}", *extra], cwd=work,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for _ in range(processes)]
        status, peak_mib, wall, cpu = server.wait(timeout=3600)
        stop.set()
        node_status = [n.wait(timeout=120) for n in nodes]
        generator_line = ""
        if simulated:
            generator_log.seek(0)
            lines = generator_log.read().splitlines()
            generator_line = next((line for line in lines if line.startswith("nc_scale_nodes:")), "")
            warnings = sum(1 for line in lines if "[warning]" in line)
            if warnings:
                generator_line += f" ({warnings} warnings, e.g. {next(l for l in lines if '[warning]' in l)[26:]})"
        log = server.log()
        table_rows = len(re.findall(r"^\[[^\]]+\] \[server\] \[info\]\s+\d+\s+\d+\s+[\d.]+", log, re.MULTILINE))
        found = re.search(r"finished in ([\d.]+) s: (\d+) of (\d+) chunks", log)
        job_seconds = float(found.group(1)) if found else float("nan")
        ok = status == 0 and all(s == 0 for s in node_status) and found and found.group(2) == found.group(3)
        row = {
            "name": name, "chunks": chunks, "nodes": simulated or processes, "ok": bool(ok),
            "job_s": job_seconds, "chunks_per_s": chunks / job_seconds if found else 0.0,
            "server_peak_rss_mib": peak_mib, "server_cpu_s": cpu, "raw_result_mib": raw_bytes / 2**20,
            "rss_over_raw": peak_mib / (raw_bytes / 2**20), "nodes_registered": table_rows,
            "most_alive_at_once": max(seen) if seen else None, "generator": generator_line,
        }
        if not ok:
            print(log[-3000:], file=sys.stderr)
        return row
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    a = parse()
    build = os.path.abspath(a.build)
    if a.quick:
        task_counts, mandel_rows, node_counts, per_node = [10**5, 10**6], 200_000, [10, 100, 1000], 50
    else:
        task_counts, mandel_rows, node_counts, per_node = [10**5, 10**6, 10**7], 1_000_000, [10, 100, 1000], 200
    rows = []
    plan = []
    for tasks in task_counts:
        plan.append((f"empty, {tasks:,} chunks, 2 node processes",
                     dict(job_args=["empty", "--tasks", str(tasks)], raw_bytes=16 * tasks, chunks=tasks)))
    plan.append((f"mandel 64x{mandel_rows:,}, {mandel_rows:,} one-row chunks to HDF5, 2 node processes",
                 dict(job_args=["mandel", "--width", "64", "--height", str(mandel_rows), "--chunk-height", "1",
                                "--max-iter", "100", "--output", "scale.h5"],
                      raw_bytes=4 * 64 * mandel_rows, chunks=mandel_rows)))
    for count in node_counts:
        tasks = per_node * count
        plan.append((f"empty, {tasks:,} chunks of 100 ms, {count:,} simulated nodes",
                     dict(job_args=["empty", "--tasks", str(tasks)], raw_bytes=16 * tasks, chunks=tasks,
                          simulated=count, task_ms=100)))
    most, tasks = node_counts[-1], per_node * node_counts[-1]
    plan.append((f"empty, {tasks:,} chunks of 100 ms, {most:,} simulated nodes, with a secret",
                 dict(job_args=["empty", "--tasks", str(tasks)], raw_bytes=16 * tasks, chunks=tasks,
                      simulated=most, task_ms=100, secret=True)))
    plan.append((f"admission: empty, {10 * tasks:,} chunks of no time, {most:,} simulated nodes",
                 dict(job_args=["empty", "--tasks", str(10 * tasks)], raw_bytes=160 * tasks, chunks=10 * tasks,
                      simulated=most)))
    header = (f"| {'run':<70} | {'job (s)':>8} | {'chunks/s':>10} | {'server peak RSS (MiB)':>21} | "
              f"{'raw results (MiB)':>17} | {'RSS / raw':>9} | {'nodes in table':>14} |")
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|", flush=True)
    failed = False
    for name, spec in plan:
        if a.only and a.only not in name:
            continue
        row = run_row(build, name, **spec)
        rows.append(row)
        failed |= not row["ok"]
        print(f"| {name:<70} | {row['job_s']:>8.2f} | {row['chunks_per_s']:>10,.0f} | "
              f"{row['server_peak_rss_mib']:>21.1f} | {row['raw_result_mib']:>17.1f} | {row['rss_over_raw']:>9.2f} | "
              f"{row['nodes_registered']:>14} |" + ("" if row["ok"] else "  FAILED"), flush=True)
        if row["generator"]:
            print(f"    {row['generator']}; most nodes alive at once (--status): {row['most_alive_at_once']}",
                  flush=True)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"time": time.strftime("%Y-%m-%d %H:%M:%S"), "rows": rows}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
