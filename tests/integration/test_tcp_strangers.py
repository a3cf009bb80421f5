"""What a stranger, or a peer that will not read, can cost a TCP server: a log line and a bounded
amount, while honest nodes work on and the job's picture comes out exact.

- A flood of refused frames: strangers without the secret send 16-byte client_proof frames
  without ever reading. Each connection gets one refusal and is closed at once (well inside
  --handshake-timeout, measured by the socket closing), and the server's memory, sampled from
  /proc/PID/status, stays within a few MiB of what it was before.
- 1,040 connections hold every handshake slot: a --status succeeds the first time, a new node
  joins the first time (newer connections push the oldest stranger out).
- NC_SECRET="" (and NC_SECRET_FILE="") is refused with a clear error, by server and node; a
  server without a secret says so, naming the port it really listens on.
- Before registration a frame is small; a registered peer that does not read what it is sent is
  closed once its queue passes the limit, logged once, and the server's memory stays bounded.

Each server pauses after handing out a few tasks (--pause-after-tasks) until the attack is over,
then is released with SIGUSR1, so the attacks always meet a running job."""
import os
import re
import resource
import signal
import socket
import struct
import threading
import time

from nctest import (NC_JOB, Background, Workdir, check, h5_equal, run, start_node, start_tcp_server, wait_until,
                    without_asan_quarantine)

PICTURE = ["--width", "400", "--height", "300", "--max-iter", "500", "--chunk-height", "4"]
MAGIC = b"NCRN"
CLIENT_PROOF = 0x41
HELLO, STATUS_REQUEST = 1, 12
MiB = 1 << 20

without_asan_quarantine()  # a flood of short connections must not look like growth


def header(kind, length, flags=0):
    return MAGIC + struct.pack("<BBHQ", 1, kind, flags, length)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class RssSampler:
    """Samples a process's resident memory every 20 ms while an attack runs; keeps the largest."""

    def __init__(self, pid):
        self.pid, self.peak, self.running = pid, rss_bytes(pid), True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss_bytes(self.pid))
            time.sleep(0.02)  # the sampling rate, not a wait for anything

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)
        return self.peak


def paused_job(work, name, extra, env=None, node_extra=()):
    """A server that pauses after 20 tasks, with one honest node at work; returns (server, port, nodes)."""
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", name, "--pause-after-tasks", "20", *extra], work)
    nodes = [start_node(port, work, node_extra)]
    server.wait_for(r"node 1 joined", 60)
    server.wait_for(r"paused after handing out 20 tasks", 60)
    return server, port, nodes


def release(server, nodes, work, name, reference, lost=0):
    losses = len(re.findall(r" is lost: ", server.text()))
    check(losses == lost, f"{name}: no honest node was lost ({losses} losses, {lost} expected)")
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    check(server.wait(120) == 0, f"{name}: the server exits 0")
    check(all(node.wait(30) == 0 for node in nodes), f"{name}: the honest nodes exit 0")
    check(h5_equal(reference, os.path.join(work, name)), f"{name}: the picture is exact")


def refused_flood(port, until, timeout):
    """Connects again and again until `until`; on each connection sends client_proof frames without
    a proof, never reading. Returns how long each connection stayed open (None: not closed)."""
    frames = header(CLIENT_PROOF, 0) * 256
    held = []
    while time.monotonic() < until:
        opened = time.monotonic()
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.settimeout(timeout + 5)
        try:
            while time.monotonic() - opened < timeout + 5:
                s.sendall(frames)
            held.append(None)
        except (BrokenPipeError, ConnectionResetError):
            held.append(time.monotonic() - opened)
        except socket.timeout:
            held.append(None)
        finally:
            s.close()
    return held


def test_refused_flood(work, secret, reference):
    timeout = 3.0
    server, port, nodes = paused_job(work, "flood.h5", ["--secret-file", secret, "--handshake-timeout", str(timeout)],
                                     node_extra=["--secret-file", secret])
    baseline = rss_bytes(server.process.pid)
    sampler = RssSampler(server.process.pid)
    until = time.monotonic() + 2 * timeout  # longer than the deadline: a deadline pushed back would show
    results = [None] * 4

    def attack(i):
        results[i] = refused_flood(port, until, timeout)

    threads = [threading.Thread(target=attack, args=(i,), daemon=True) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    peak = sampler.stop()
    held = [h for r in results for h in (r or [])]
    check(all(r is not None for r in results) and len(held) >= 4, f"the flood made {len(held)} connections")
    longest = max((h for h in held if h is not None), default=0.0)
    print(f"refused-frame flood: {len(held)} connections, the longest open {longest:.3f} s; "
          f"server RSS {baseline / MiB:.1f} -> peak {peak / MiB:.1f} MiB", flush=True)
    check(all(h is not None and h < timeout for h in held),
          f"every flooding connection was closed within --handshake-timeout {timeout} s")
    check(peak - baseline <= 8 * MiB, f"the server's memory grew by {(peak - baseline) / MiB:.1f} MiB (at most 8)")
    wait_until(lambda: "has no secret" in server.text(), 30, lambda: "the refusal is logged", server)
    lines = len(re.findall(r"refused 127\.0\.0\.1:\d+: has no secret", server.text()))
    check(lines <= 20 * (1 + 2 * timeout / 10), f"the refusals are rate-limited in the log ({lines} lines)")
    release(server, nodes, work, "flood.h5", reference)


def test_slot_holders(work, secret, reference):
    server, port, nodes = paused_job(work, "slots.h5", ["--secret-file", secret, "--handshake-timeout", "60"],
                                     node_extra=["--secret-file", secret])
    holders = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(1040)]
    # The slots are all taken once the server pushes the oldest holders out for the newest.
    server.wait_for(r"pushed out of the handshake by a newer connection", 60)
    status, out, err = run([NC_JOB, "--status", f"127.0.0.1:{port}", "--secret-file", secret], 60)
    check(status == 0 and '"nodes"' in out, f"--status succeeds at the first try with 1040 slot holders ({err.strip()})")
    node = start_node(port, work, ["--secret-file", secret])
    nodes.append(node)
    server.wait_for(r"node 2 joined", 60)
    check("trying again" not in node.text(), "a new node joins at the first try")
    release(server, nodes, work, "slots.h5", reference)
    for s in holders:
        s.close()


def test_empty_secret(work, secret, reference):
    for variable in ("NC_SECRET", "NC_SECRET_FILE"):
        env = dict(os.environ, **{variable: ""})
        for role in (["--server", "--listen", "127.0.0.1:0"], ["--connect", "127.0.0.1:9"]):
            where = os.path.join(work, f"{variable}-{role[0][2:]}")
            os.mkdir(where)
            status, out, err = run([NC_JOB, "mandel", *PICTURE, *role], 30, cwd=where, env=env)
            check(status != 0 and f"{variable} is set but empty" in err,
                  f"{variable}=\"\" is refused with a clear error ({' '.join(role[:1])})")
            check(os.listdir(where) == [], f"the refused start leaves nothing behind ({os.listdir(where)})")
    server, port, nodes = paused_job(work, "plain.h5", [])
    said = server.wait_for(r"listening for TCP nodes on (\S+) without a secret: anyone who can reach it", 10)
    check(said.group(1) == f"127.0.0.1:{port}", f"the no-secret warning names the bound port ({said.group(1)})")
    check("authenticated" not in server.text() and not re.search(r"127\.0\.0\.1:0\b", server.text()),
          "a server without a secret never claims to be authenticated, nor names port 0")
    release(server, nodes, work, "plain.h5", reference)
    env = dict(os.environ, NC_SECRET=open(secret).read().strip())
    server = Background([NC_JOB, "mandel", *PICTURE, "--output", "env.h5", "--server", "--listen", "127.0.0.1:0"],
                        cwd=work, env=env)
    port = int(server.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 60, stream="stdout").group(1))
    server.wait_for(rf"listening for TCP nodes on 127\.0\.0\.1:{port} \(with a shared secret", 10)
    node = Background([NC_JOB, "mandel", "--connect", f"127.0.0.1:{port}"], cwd=work, env=env)
    check(server.wait(120) == 0 and node.wait(30) == 0, "a secret from NC_SECRET works, and the log says so")
    check(h5_equal(reference, os.path.join(work, "env.h5")), "env.h5: the picture is exact")


def hello_frame(job="mandel", host="quiet-peer"):
    def text(t):
        return struct.pack("<I", len(t)) + t.encode()

    # Protocol 3: ..., pid, the job's type fingerprint (0: not given, not checked), then the
    # earlier server run and its token (0: a new node).
    body = (bytes([HELLO]) + struct.pack("<H", 3) + text(job) + struct.pack("<QI", 0, 1) + text(host) +
            struct.pack("<IQQQ", os.getpid(), 0, 0, 0))
    return header(HELLO, len(body)) + body


def handshake_without_secret(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    greeting = b""
    while len(greeting) < 16 + 33:
        greeting += s.recv(16 + 33 - len(greeting))
    check(greeting[:4] == MAGIC and greeting[5] == 0x40 and greeting[16] == 0, "the server greets without a secret")
    s.sendall(header(CLIENT_PROOF, 0))
    return s


def closed_by_server(s, timeout):
    s.settimeout(timeout)
    try:
        while s.recv(65536):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        return False
    return True


def test_quiet_peer(work, reference):
    # --max-frame-bytes 1 MiB: the queue limit is then its floor, 8 MiB.
    server, port, nodes = paused_job(work, "quiet.h5", ["--max-frame-bytes", str(MiB), "--timeout", "60"])

    big = handshake_without_secret(port)
    big.sendall(header(HELLO, 5000))  # before registration, frames are small
    check(closed_by_server(big, 10), "a 5000-byte frame before registration closes the connection")
    big.close()
    server.wait_for(r"refused 127\.0\.0\.1:\d+: a frame of 5000 bytes, above the limit of 4096", 30)

    baseline = rss_bytes(server.process.pid)
    sampler = RssSampler(server.process.pid)
    peer = handshake_without_secret(port)
    peer.sendall(hello_frame())
    server.wait_for(r"node 2 joined", 30)
    # Asks for the statistics again and again, and never reads the replies.
    asks = (header(STATUS_REQUEST, 1) + bytes([STATUS_REQUEST])) * 512
    closed = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not closed:
        try:
            peer.sendall(asks)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
    peak = sampler.stop()
    peer.close()
    check(closed, "the server closed the peer that does not read")
    server.wait_for(r"is lost: does not read what is sent to it", 30)
    lines = len(re.findall(r"does not read what is sent to it", server.text()))
    check(lines == 1, f"it is logged once ({lines} lines)")
    print(f"a peer that does not read: server RSS {baseline / MiB:.1f} -> peak {peak / MiB:.1f} MiB", flush=True)
    check(peak - baseline <= 40 * MiB,
          f"the server's memory grew by {(peak - baseline) / MiB:.1f} MiB (at most two 8 MiB queues and slack)")
    release(server, nodes, work, "quiet.h5", reference, lost=1)


with Workdir() as work:
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write(os.urandom(24).hex())
    # 1,040 sockets here, and the server's own.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    reference = os.path.join(work, "reference.h5")
    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", reference], 120, cwd=work)
    check(status == 0, f"the reference picture, in one process ({err.strip()[-300:]})")

    test_refused_flood(work, secret, reference)
    test_slot_holders(work, secret, reference)
    test_empty_secret(work, secret, reference)
    test_quiet_peer(work, reference)
