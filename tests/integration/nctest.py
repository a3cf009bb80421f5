"""Helpers for node_crunch's process-level tests: start the real programs, bounded in time,
and check their outputs against an independent implementation."""
import atexit
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

NC_JOB = os.environ.get("NC_JOB", "nc_job")
MPIEXEC = os.environ.get("NC_MPIEXEC", "mpiexec")
MPIEXEC_PREFLAGS = shlex.split(os.environ.get("NC_MPIEXEC_PREFLAGS", ""))
MPIEXEC_NUMPROC_FLAG = os.environ.get("NC_MPIEXEC_NUMPROC_FLAG", "-n")


def without_asan_quarantine():
    """For tests that bound a process's memory: under AddressSanitizer freed memory is held in a
    quarantine (256 MiB by default) instead of being reused, so churn would look like growth.
    With no quarantine, resident memory means what it means in a release build. Applies to the
    processes started afterwards; nothing changes without AddressSanitizer."""
    os.environ["ASAN_OPTIONS"] = ":".join(
        filter(None, [os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0",
                      "thread_local_quarantine_size_kb=0"]))


def fail(message):
    print("FAIL:", message, flush=True)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)
    print("ok:", message, flush=True)


class Workdir:
    """A temporary directory, removed afterwards unless the test failed."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="nc-test-")
        return self.path

    def __exit__(self, kind, value, traceback):
        if kind is None:
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            print("kept", self.path, "for inspection")


def mpirun_command(ranks, args, program=None):
    return [MPIEXEC, MPIEXEC_NUMPROC_FLAG, str(ranks), *MPIEXEC_PREFLAGS, program or NC_JOB, *args]


def run(command, timeout, cwd=None, env=None):
    """Runs to the end (or kills it after `timeout` s); returns (status, stdout, stderr)."""
    print("+", " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        print(out, err)
        fail(f"timed out after {timeout} s: {' '.join(command)}")
    return process.returncode, out, err


# Every Background process, killed with its process group when the test script exits, whether
# it passed or failed: a failed check must not leave a server or a node running (each runs in a
# session of its own, out of reach of CTest's timeout).
_started = []


@atexit.register
def _kill_leftovers():
    for background in _started:
        if background.process.poll() is None:
            background.kill()


class Background:
    """A process whose stderr is read as it comes, so a test can wait for a line."""

    def __init__(self, command, cwd=None, env=None):
        print("+ (background)", " ".join(command), flush=True)
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, start_new_session=True)
        _started.append(self)
        self.lines = []
        self.out_lines = []
        self.lock = threading.Lock()
        self.readers = [threading.Thread(target=self._read, args=(self.process.stderr, self.lines), daemon=True),
                        threading.Thread(target=self._read, args=(self.process.stdout, self.out_lines), daemon=True)]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, into):
        for line in stream:
            with self.lock:
                into.append(line)

    def text(self):
        with self.lock:
            return "".join(self.lines)

    def stdout(self):
        with self.lock:
            return "".join(self.out_lines)

    def wait_for(self, pattern, timeout, stream="stderr"):
        """Waits until `pattern` (a regex) matches the output; returns the match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            found = regex.search(self.text() if stream == "stderr" else self.stdout())
            if found:
                return found
            if self.process.poll() is not None:
                for reader in self.readers:  # what the process wrote before it ended
                    reader.join(timeout=10)
                found = regex.search(self.text() if stream == "stderr" else self.stdout())
                if found:
                    return found
                break
            time.sleep(0.02)
        print(self.text())
        fail(f"no line matching {pattern!r} within {timeout} s")

    def wait(self, timeout):
        try:
            status = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            print(self.text())
            fail(f"did not end within {timeout} s")
        for reader in self.readers:
            reader.join(timeout=5)
        return status

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_until(predicate, timeout, describe, process=None):
    """Polls `predicate` until it holds; fails after `timeout` s, saying what was awaited."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            if process is not None:
                print(process.text())
            fail(f"not within {timeout} s: {describe()}")
        time.sleep(0.05)


class RefusingPort:
    """A loopback port held by a socket that is bound but does not listen: connections to it are
    refused, and no other program can take the port until `release()` (or the end of a `with`
    block). A test that needs a server there later releases it and starts the server at once."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]

    def release(self):
        self.socket.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.release()


def mandel_reference(width, height, max_iter, re_min=-2.0, re_max=1.0, im_min=-1.5, im_max=1.5):
    """The Mandelbrot escape times, written independently of node_crunch (numpy, complex
    arithmetic): c = (re_min + x*(re_max-re_min)/width) + i*(im_min + y*(im_max-im_min)/height),
    z = 0, z = z*z + c for n = 0..max_iter-1, value = first n with |z|^2 > 4, else max_iter."""
    import numpy as np
    cr = re_min + np.arange(width, dtype=np.float64) * (re_max - re_min) / width
    ci = im_min + np.arange(height, dtype=np.float64) * (im_max - im_min) / height
    c = (cr[np.newaxis, :] + 0j) + (ci[:, np.newaxis] * 1j)
    z = np.zeros_like(c)
    out = np.full(c.shape, max_iter, dtype=np.uint32)
    alive = np.ones(c.shape, dtype=bool)
    index = np.nonzero(alive)
    zs, cs = z[index], c[index]
    rows, cols = index
    for n in range(max_iter):
        zs = zs * zs + cs
        escaped = (zs.real * zs.real + zs.imag * zs.imag) > 4.0
        if escaped.any():
            out[rows[escaped], cols[escaped]] = n
            keep = ~escaped
            zs, cs, rows, cols = zs[keep], cs[keep], rows[keep], cols[keep]
        if zs.size == 0:
            break
    return out


def read_dataset(path, name="mandel"):
    import h5py
    with h5py.File(path, "r") as f:
        return f[name][...], dict(f[name].attrs)


def compare_with_reference(path, width, height, max_iter, **region):
    import numpy as np
    data, attrs = read_dataset(path)
    check(data.shape == (height, width), f"{path} has shape {data.shape}, expected {(height, width)}")
    check(data.dtype == np.uint32, f"{path} holds uint32")
    reference = mandel_reference(width, height, max_iter, **region)
    differ = int(np.count_nonzero(data != reference))
    share = differ / data.size
    print(f"{differ} of {data.size} pixels differ from the independent reference ({share:.2e})")
    check(share <= 1e-4, "the picture matches the independent reference on (nearly) every pixel")
    return data, attrs


def start_tcp_server(args, cwd, program=None, launcher=None):
    """Starts `nc_job ARGS --server --listen 127.0.0.1:0` (or, with `launcher`, the given
    command that prints the listening line), waits for its port; returns (process, port)."""
    command = launcher or [program or NC_JOB, *args, "--server", "--listen", "127.0.0.1:0"]
    server = Background(command, cwd=cwd)
    found = server.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 60, stream="stdout")
    return server, int(found.group(1))


def server_status(port):
    """A running server's statistics (`nc_job --status`), or None while it cannot answer (not
    up yet, or gone)."""
    import json
    try:
        done = subprocess.run([NC_JOB, "--status", f"127.0.0.1:{port}"], capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired:
        return None
    return json.loads(done.stdout) if done.returncode == 0 else None


def status_node(status, pid):
    """The status entry of the live node process `pid` (its address names the pid)."""
    for node in (status or {}).get("nodes", []):
        if node["address"].endswith(f"pid {pid})") and not node["lost"]:
            return node
    return None


def wait_status(port, predicate, describe, server):
    """Waits (up to 120 s) until the server at `port` answers with a status that satisfies
    `predicate`, and returns that status; fails with `describe` and the last status otherwise."""
    seen = {}

    def holds():
        seen["status"] = server_status(port)
        return seen["status"] is not None and predicate(seen["status"])

    wait_until(holds, 120, lambda: f"{describe} (last status: {seen.get('status')})", server)
    return seen["status"]


def start_node(port, cwd, extra=(), job="mandel"):
    return Background([NC_JOB, job, "--connect", f"127.0.0.1:{port}", *extra], cwd=cwd)


def node_summary(log):
    """The server's closing table as {node id: (results, where)}: one row per node, e.g.
    `  3           173      0.51      1  127.0.0.1:41704 (host vm, pid 77)`."""
    rows = re.finditer(r"\]\s+(\d+)\s+(\d+)\s+[\d.]+\s+(?:-|\d+)\s+(.+)$", log, re.MULTILINE)
    return {int(m.group(1)): (int(m.group(2)), m.group(3)) for m in rows}


def h5_equal(a, b):
    """True if the /mandel datasets of two files hold the same values."""
    import numpy as np
    return np.array_equal(read_dataset(a)[0], read_dataset(b)[0])
