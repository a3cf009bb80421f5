"""Running one benchmark command and measuring it: wall time, the time the program reports
for its own work, and the peak resident memory of the server process.

Used by compare.py and threads_vs_nodes.py; not a benchmark itself.

Peak memory and CPU time are read with GNU time (/usr/bin/time -f "%M %U %S": ru_maxrss and
user + system time of the process it starts, CPU time including the children it waited for):
a plain command is wrapped whole; under mpirun every rank is wrapped, rank 0's peak RSS is
kept (the server) and the CPU times of all ranks are added up; for TCP the server and each
node process are wrapped. A program that starts helper processes of its own (Dask) reports
its own peak RSS (getrusage RUSAGE_SELF), since GNU time would give the largest child's.
CPU time per task is the figure that a busy machine disturbs least.
"""
import dataclasses
import os
import platform
import queue
import re
import shlex
import signal
import statistics
import subprocess
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time"
# Every program here reports "tasks=N seconds=S" for its own work, except nc_job mandel, whose
# server logs "job 'mandel' finished in S s".
TASKS_SECONDS = re.compile(r"tasks=(\d+) seconds=([0-9.]+)")
FINISHED_IN = re.compile(r"job '\w+' finished in ([0-9.]+) s")
SELF_RSS = re.compile(r"peak_rss_kib=(\d+)")
LISTENING = re.compile(r"listening on ([0-9.]+):(\d+)")
NODE_GRACE_S = 5.0  # how long TCP nodes may take to exit after their server


class RunFailed(Exception):
    pass


class TcpUnavailable(Exception):
    """nc_job answered that this build has no TCP transport yet."""


@dataclasses.dataclass
class Measurement:
    wall_s: float
    job_s: float | None  # the program's own figure for its work; None if it gives none
    tasks: int | None
    rss_kib: int | None  # peak RSS of the server process
    output: str
    cpu_s: float | None = None  # user + system time of every process of the run
    server_cpu_s: float | None = None  # the server's own (MPI rank 0, or the TCP server)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def environment():
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # Open MPI refuses root without these
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT", "1")
        env.setdefault("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


TIME_FORMAT = "%M %U %S"  # peak RSS (KiB), user and system seconds


def rss_wrapper(path):
    """A prefix that records peak RSS and CPU time of the command it precedes in `path`."""
    return [GNU_TIME, "-f", TIME_FORMAT, "-o", path]


def mpi_rank_wrapper(base):
    """A prefix for each rank under mpirun: rank r's figures go to base.r."""
    script = 'exec {} -f "{}" -o "$0.${{OMPI_COMM_WORLD_RANK:-${{PMI_RANK:-x}}}}" "$@"'.format(
        GNU_TIME, TIME_FORMAT)
    return ["sh", "-c", script, base]


def read_time(path):
    """(peak RSS KiB, CPU seconds) that GNU time wrote to `path`; Nones if it wrote nothing."""
    try:
        with open(path) as f:
            # The figures are on the last line; a line before it may say how the command ended.
            fields = [line.split() for line in f if line.strip()][-1]
        return int(fields[0]), float(fields[1]) + float(fields[2])
    except (OSError, IndexError, ValueError):
        return None, None


def remove(paths):
    for path in paths:
        if os.path.exists(path):
            os.remove(path)  # a figure left by an earlier run must not pass for this one's


def parse(output):
    """(job seconds, tasks) from a program's output; None where it says nothing."""
    found = TASKS_SECONDS.findall(output)
    if found:
        tasks, seconds = found[-1]
        return float(seconds), int(tasks)
    found = FINISHED_IN.findall(output)
    if found:
        return float(found[-1]), None
    return None, None


def _kill_group(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group this module started, nothing else
    except ProcessLookupError:
        pass


def run(command, cwd, timeout, rss_path=None):
    """Runs `command` to completion; returns a Measurement. rss_path: where a wrapper wrote the
    server's peak RSS (None: wrap the whole command here)."""
    wrapped = command
    if rss_path is None:
        rss_path = os.path.join(cwd, "rss.whole")
        wrapped = rss_wrapper(rss_path) + command
    remove([rss_path])
    start = time.monotonic()
    process = subprocess.Popen(wrapped, cwd=cwd, env=environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        output, _ = process.communicate()
        raise RunFailed(f"timed out after {timeout} s: {shlex.join(command)}\n{output[-2000:]}")
    except BaseException:  # interrupted: the run is in a session of its own, so end it here
        _kill_group(process)
        process.wait()
        raise
    wall = time.monotonic() - start
    if process.returncode != 0:
        raise RunFailed(f"exit {process.returncode}: {shlex.join(command)}\n{output[-3000:]}")
    job_s, tasks = parse(output)
    rss, cpu = read_time(rss_path)
    self_rss = SELF_RSS.findall(output)
    if self_rss:
        rss = int(self_rss[-1])
    return Measurement(wall, job_s, tasks, rss, output, cpu)


def run_mpi(mpirun, ranks, command, cwd, timeout):
    """`mpirun -n ranks ... command`: rank 0's peak RSS, every rank's CPU time."""
    base = os.path.join(cwd, "rss.rank")
    files = [f"{base}.{rank}" for rank in range(ranks)]
    remove(files)
    full = [*mpirun, "-n", str(ranks), *mpi_rank_wrapper(base), *command]
    measurement = run(full, cwd, timeout, rss_path=files[0])
    measurement.cpu_s = total_cpu(files)
    measurement.server_cpu_s = read_time(files[0])[1]
    return measurement


def total_cpu(files, required=None):
    """Sum of the CPU times in `files`; None if one is missing (of `required`, if given: the
    others may be missing, as a late TCP node ended by run_tcp writes none)."""
    times = {path: read_time(path)[1] for path in files}
    if any(times[path] is None for path in (files if required is None else required)):
        return None
    return sum(t for t in times.values() if t is not None)


def _pump(stream, lines):
    for line in stream:
        lines.put(line)
    lines.put(None)


def run_tcp(nc_job, job, options, nodes, cwd, timeout):
    """A TCP server on a free loopback port and `nodes` node processes connected to it.
    Wall time runs from starting the server to its exit. Raises TcpUnavailable if nc_job says
    it has no TCP transport."""
    rss_path = os.path.join(cwd, "rss.server")
    node_files = [os.path.join(cwd, f"rss.node.{i}") for i in range(nodes)]
    remove([rss_path, *node_files])
    server_command = [nc_job, job, "--server", "--listen", "127.0.0.1:0", *options]
    start = time.monotonic()
    server = subprocess.Popen(rss_wrapper(rss_path) + server_command, cwd=cwd, env=environment(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    lines = queue.Queue()
    threading.Thread(target=_pump, args=(server.stdout, lines), daemon=True).start()
    seen, port, node_processes = [], None, []
    try:
        deadline = start + timeout
        while port is None:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise RunFailed(f"the TCP server printed no port: {shlex.join(server_command)}")
            if line is None:
                server.wait()
                text = "".join(seen)
                if "no TCP transport" in text:
                    raise TcpUnavailable(text.strip().splitlines()[-1])
                raise RunFailed(f"exit {server.returncode} before listening: "
                                f"{shlex.join(server_command)}\n{text[-2000:]}")
            seen.append(line)
            found = LISTENING.search(line)
            if found:
                port = found.group(2)
        for node_file in node_files:
            node_processes.append(subprocess.Popen(
                rss_wrapper(node_file) + [nc_job, job, "--connect", f"127.0.0.1:{port}"], cwd=cwd,
                env=environment(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        server.wait(timeout=max(1.0, deadline - time.monotonic()))
        wall = time.monotonic() - start
        # Nodes that joined end with the job. A node that came too late (a tiny job can end
        # before the second node connects) retries its connection for many seconds: it is
        # ended here, and its exit status does not count; the server checked every result.
        grace = time.monotonic() + NODE_GRACE_S
        for node in node_processes:
            try:
                node.wait(timeout=max(0.1, grace - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
    except subprocess.TimeoutExpired:
        raise RunFailed(f"timed out after {timeout} s: {shlex.join(server_command)}")
    finally:
        for process in [server, *node_processes]:
            if process.poll() is None:
                _kill_group(process)
                process.wait()
    while (line := lines.get()) is not None:
        seen.append(line)
    output = "".join(seen)
    if server.returncode != 0:
        raise RunFailed(f"exit {server.returncode}: {shlex.join(server_command)}\n{output[-3000:]}")
    job_s, tasks = parse(output)
    rss, server_cpu = read_time(rss_path)
    return Measurement(wall, job_s, tasks, rss, output,
                       total_cpu([rss_path, *node_files], required=[rss_path]), server_cpu)


def same_grid(a, b):
    """True if two HDF5 files hold the same /mandel values (attributes aside: the farms write
    none)."""
    import h5py
    import numpy as np

    try:
        with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
            return bool(np.array_equal(fa["mandel"][...], fb["mandel"][...]))
    except (OSError, KeyError):
        return False


def machine():
    """What the numbers were measured on."""
    info = {"cpus": os.cpu_count(), "platform": platform.platform()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        for key in ("Model name", "Thread(s) per core", "Core(s) per socket", "L3 cache"):
            found = re.search(rf"^{re.escape(key)}:\s*(.+)$", lscpu, re.M)
            if found:
                info[key.lower()] = found.group(1).strip()
        with open("/proc/meminfo") as f:
            info["memory_gib"] = round(int(f.readline().split()[1]) / 2**20, 1)
        info["load_average_at_start"] = os.getloadavg()
    except OSError:
        pass
    return info


def scratch():
    return tempfile.TemporaryDirectory(prefix="nc-bench-")
