"""Chaos soak over TCP: a Mandelbrot job of 20,480 bands of two rows runs on 3 to 6 node
processes while a driver, from a seeded random sequence, kills nodes (SIGKILL), stops them
briefly or past the heartbeat timeout (SIGSTOP, then SIGCONT: a node given up comes back under
its id), stops and then kills them, makes them leave (SIGTERM), and starts new ones; meanwhile
strangers open junk connections (garbage, cut headers and frames, bad headers, wrong or missing
proofs, messages before the handshake, idle sockets, crowds, a byte at a time).

At the end the picture must equal the sequential kernel's bit for bit (so every band was
computed and written), the server must report every chunk done with no failure and account for
every result, its --status answers must be consistent throughout, every stranger must have been
refused, every process must have ended, and the server's memory must not have grown with the
number of nodes it lost.

NC_SOAK_SEED=N repeats a run's sequence of actions (the timing of the processes differs)."""
import os
import re
import signal
import socket
import struct
import threading
import time

from chaos import (ActionBag, Reference, RssSampler, StatusPoller, check_finished, check_memory_flat,
                   check_status_answers, count_losses, soak_seed, streams)
from nctest import Workdir, check, h5_equal, start_node, start_tcp_server, wait_until

# 20,480 chunks of 2 x 2048 pixels, 2 to 3 ms each on an idle core: some 50 s of work for the
# nodes and as much again for the reference, which shares the 2 cores with them.
WIDTH, HEIGHT, CHUNK_HEIGHT = 2048, 40960, 2
CHUNKS = HEIGHT // CHUNK_HEIGHT
PICTURE = ["--width", str(WIDTH), "--height", str(HEIGHT), "--chunk-height", str(CHUNK_HEIGHT),
           "--max-iter", "1000"]
HEARTBEAT, TIMEOUT = 0.2, 1.5
SERVER_OPTIONS = [
    "--heartbeat", str(HEARTBEAT), "--timeout", str(TIMEOUT), "--handshake-timeout", "2",
    "--progress-every", "2",
    # A chunk is failed after it has taken --max-attempts lost nodes with it, to stop a chunk
    # that crashes its nodes from killing them all. Here nodes die for reasons of their own, and
    # a chunk that happened to be on three of them would be failed by design: not what this
    # test is about.
    "--max-attempts", "100",
    # Results wait for the checkpoint's disk in a buffer of up to 64 MiB by default, filled or
    # not by how fast the disk is when the fast chunks (the picture's top and bottom) flood in:
    # a small one keeps that noise out of the memory check.
    "--checkpoint-buffer", "4",
    # Halfway the server holds the job until the chaos has done all that the checks count on.
    "--pause-after-tasks", str(CHUNKS // 2),
]
# Nodes given up by the server (a long stop) reconnect at once; after the end they need not
# try for long.
NODE_OPTIONS = ["--connect-attempts", "4", "--retry-max", "0.5"]
MIN_RUNNING, MAX_NODES = 2, 6
DEADLINE = 600  # seconds for the whole job, far above its expected 60 to 150

# How often each disturbance comes up in every round of the driver's bag.
ACTIONS = {"kill": 4, "stop_short": 2, "stop_long": 3, "stop_then_kill": 1, "term": 1, "start": 2}
MAGIC = b"NCRN"
JOB_OVER = re.compile(r"job 'mandel' (finished|ended|stopped)")


def frame_header(kind, length, version=1, flags=0, magic=MAGIC):
    return magic + struct.pack("<BBHQ", version, kind, flags, length)


class Node:
    def __init__(self, number, port, work, secret):
        self.number = number
        self.process = start_node(port, work, ["--secret-file", secret, *NODE_OPTIONS])
        self.pid = self.process.process.pid
        self.state = "running"  # running, stopped, gone
        self.until = 0.0  # while stopped: when to act again
        self.then = None  # while stopped: "cont" or "kill"
        self.disturbed = False  # stopped, killed or told to leave at some point

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass


class Driver:
    """Disturbs the nodes from a seeded sequence until the server ends."""

    def __init__(self, rng, port, work, secret, everyone):
        self.rng = rng
        self.everyone = everyone
        self.port, self.work, self.secret = port, work, secret
        self.nodes = []
        self.bag = ActionBag(rng, ACTIONS)
        self.done = {name: 0 for name in ACTIONS}
        self.skipped = 0
        self.ended_early = []  # (node, exit status) of nodes that failed while the job ran
        self.told_to_finish = False

    def start(self):
        node = Node(len(self.nodes) + 1, self.port, self.work, self.secret)
        self.nodes.append(node)
        self.everyone.append(node.process)
        return node

    def running(self):
        return [n for n in self.nodes if n.state == "running"]

    def alive(self):
        return [n for n in self.nodes if n.state != "gone"]

    def act(self, action):
        running = self.running()
        if action == "start":
            if len(self.alive()) >= MAX_NODES:
                return False
            self.start()
            return True
        if len(running) <= MIN_RUNNING:
            return False  # the job must go on: never fewer than MIN_RUNNING nodes computing
        node = self.rng.choice(running)
        node.disturbed = True
        if action in ("kill", "term"):
            node.signal(signal.SIGKILL if action == "kill" else signal.SIGTERM)
            node.state = "gone"
            return True
        node.signal(signal.SIGSTOP)
        node.state = "stopped"
        if action == "stop_short":  # shorter than the timeout: nobody should notice
            node.until, node.then = time.monotonic() + self.rng.uniform(0.1, 0.6 * TIMEOUT), "cont"
        elif action == "stop_long":  # the server gives the node up, then it comes back
            node.until, node.then = time.monotonic() + self.rng.uniform(TIMEOUT + 0.5, TIMEOUT + 4), "cont"
        else:  # a hung node that is then killed
            node.until, node.then = time.monotonic() + self.rng.uniform(0.5, TIMEOUT + 2), "kill"
        return True

    def wake_due(self):
        now = time.monotonic()
        for node in self.nodes:
            if node.state == "stopped" and now >= node.until:
                if node.then == "kill":
                    node.signal(signal.SIGKILL)
                    node.state = "gone"
                else:
                    node.signal(signal.SIGCONT)
                    node.state = "running"

    def reap(self, server):
        ended = [n for n in self.nodes if n.state == "running" and n.process.process.poll() is not None]
        for node in ended:
            node.state = "gone"
        # A node exits 0 only when the server says the job is done.
        self.told_to_finish |= any(n.process.process.returncode == 0 for n in ended)
        if not (self.told_to_finish or JOB_OVER.search(server.text())):
            self.ended_early += [(n.number, n.process.process.returncode) for n in ended]

    def run(self, server):
        next_action = time.monotonic() + 1.0
        while server.process.poll() is None:
            self.wake_due()
            self.reap(server)
            # Once the job is over the nodes leave; none is to be replaced any more.
            if self.told_to_finish or JOB_OVER.search(server.text()):
                time.sleep(0.05)
                continue
            while len(self.running()) < MIN_RUNNING + 1 and len(self.alive()) < MAX_NODES:
                self.start()
            if time.monotonic() >= next_action:
                action = self.bag.draw()
                if self.act(action):
                    self.done[action] += 1
                else:
                    self.skipped += 1
                next_action = time.monotonic() + self.rng.uniform(0.2, 0.9)
            time.sleep(0.05)

    def finish(self):
        """After the server's end: wake what is stopped; every node must end on its own."""
        for node in self.nodes:
            if node.state == "stopped":
                node.signal(signal.SIGCONT)
        statuses = {}
        for node in self.nodes:
            try:
                statuses[node.number] = node.process.process.wait(timeout=20)
            except Exception:  # noqa: BLE001 - a node that hangs is the failure reported below
                node.process.kill()
                statuses[node.number] = None
        return statuses

    def check_ends(self, statuses, log):
        """Every node ends by itself; those that registered and were never disturbed exit 0 (a
        node started while the server was writing its output may find it gone: it gives up)."""
        hung = [n for n, s in statuses.items() if s is None]
        registered = {int(pid) for pid in re.findall(r"joined at \S+ \(host [^,]+, pid (\d+)\)", log)}
        undisturbed = [n for n in self.nodes if not n.disturbed and n.pid in registered]
        bad = [n for n in undisturbed if statuses[n.number] != 0]
        for node in bad + [n for n in self.nodes if n.number in hung]:
            print(f"--- node process {node.number} (pid {node.pid}), exit {statuses[node.number]}:")
            print("".join(node.process.text().splitlines(keepends=True)[-15:]), flush=True)
        check(not hung, f"every node process ended by itself after the job (hung: {hung})")
        check(not bad, f"the {len(undisturbed)} registered nodes never disturbed all exit 0 "
                       f"(not: {[n.number for n in bad]})")


class Junk:
    """Strangers on the port, from their own seeded sequence, until stopped. Each connection's
    end is timed, so that the refusals the server logged can be checked against them. At most
    MOST_OPEN are open at once: each costs the server a 64 KiB read buffer while it lasts, and
    the memory check allows for that peak."""

    MOST_OPEN = 100

    KINDS = ["garbage", "cut_header", "cut_frame", "bad_magic", "bad_version", "bad_kind", "huge_length",
             "no_proof", "wrong_proof", "message_first", "idle", "read_and_go", "crowd", "trickle"]

    def __init__(self, rng, port):
        self.rng = rng
        self.port = port
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.closed_at = []  # wall time each junk connection ended
        self.opened = 0
        self.reserved = 0  # connections open or about to be
        self.counts = {kind: 0 for kind in self.KINDS}
        self.threads = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop.wait(self.rng.uniform(0.05, 0.4)):
            kind = self.rng.choice(self.KINDS)
            self.counts[kind] += 1
            # Each connection draws its own numbers up front: the sequence stays the seed's.
            args = (kind, self.rng.random(), self.rng.random(), os.urandom(self.rng.randint(1, 4096)))
            self.threads = [t for t in self.threads if t.is_alive()]
            if len(self.threads) < 40:
                thread = threading.Thread(target=self._one, args=args, daemon=True)
                thread.start()
                self.threads.append(thread)

    def _reserve(self, wanted):
        with self.lock:
            granted = max(0, min(wanted, self.MOST_OPEN - self.reserved))
            self.reserved += granted
            return granted

    def _release(self, count=1):
        with self.lock:
            self.reserved -= count

    def _connect(self):
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        except OSError:
            self._release()
            raise
        with self.lock:
            self.opened += 1
        return s

    def _closed(self, s):
        try:
            s.close()
        finally:
            with self.lock:
                self.closed_at.append(time.time())
                self.reserved -= 1

    def _hold(self, s, seconds):
        """Reads whatever the server sends until it closes or `seconds` pass."""
        s.settimeout(0.2)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                if not s.recv(4096):
                    return
            except socket.timeout:
                continue
            except OSError:
                return

    def _one(self, kind, a, b, noise):
        granted = self._reserve(10 + int(a * 40) if kind == "crowd" else 1)
        if granted == 0:
            return
        sockets = []
        try:
            for _ in range(granted):
                sockets.append(self._connect())
        except OSError:  # the server is gone (the job ended)
            self._release(granted - len(sockets) - 1)
            for s in sockets:
                self._closed(s)
            return
        if kind == "crowd":
            time.sleep(0.5 + 3 * b)
            for s in sockets:
                self._closed(s)
            return
        s = sockets[0]
        try:
            hold = 3 * b if a < 0.5 else 0  # some wait to be thrown out, some hang up at once
            if kind == "garbage":
                s.sendall(noise)
            elif kind == "cut_header":
                s.sendall(frame_header(0x41, 64)[: 1 + int(a * 14)])
                hold = 3
            elif kind == "cut_frame":
                s.sendall(frame_header(0x41, 64) + noise[:63][: 1 + int(b * 62)])
            elif kind == "bad_magic":
                s.sendall(frame_header(0x41, 0, magic=b"XXXX"))
            elif kind == "bad_version":
                s.sendall(frame_header(0x41, 0, version=2 + int(a * 200)))
            elif kind == "bad_kind":
                s.sendall(frame_header(0x30, 0))
            elif kind == "huge_length":
                s.sendall(frame_header(0x41, 1 << (20 + int(a * 40))))
            elif kind == "no_proof":
                s.sendall(frame_header(0x41, 0))
            elif kind == "wrong_proof":
                s.sendall(frame_header(0x41, 64) + (noise * 64)[:64])
            elif kind == "message_first":
                s.sendall(frame_header(1, len(noise)) + noise)  # a 'hello' before the handshake
            elif kind == "idle":
                hold = 0.5 + 4 * b  # past the handshake deadline, or not
            elif kind == "read_and_go":
                s.settimeout(5)
                s.recv(64)
            elif kind == "trickle":
                for byte in frame_header(0x41, 64)[: 2 + int(a * 10)]:
                    s.send(bytes([byte]))
                    time.sleep(0.4)
            self._hold(s, hold)
        except OSError:
            pass
        finally:
            self._closed(s)

    def finish(self):
        self.stop.set()
        self.thread.join(timeout=10)
        for thread in list(self.threads):
            thread.join(timeout=10)


def count_refused(log):
    one_by_one = len(re.findall(r"\] refused 127\.0\.0\.1:\d+", log))
    summed = sum(int(n) for n in re.findall(r"and (\d+) more connection\(s\) refused", log))
    return one_by_one + summed


def halftime(server, driver, junk):
    """The server pauses halfway (--pause-after-tasks) and is released once the chaos has done
    all that the checks count on, however fast or slow the job: ten nodes lost, one caught by its
    silence, one back under its id, one that said goodbye, a hundred strangers gone and every one
    of them refused in the log (counted ones too, when their window closes). Returns how many
    junk connections had ended by then."""
    server.wait_for(r"paused after handing out \d+ tasks", DEADLINE)

    def missing():
        log = server.text()
        wanted = {"10 node losses": count_losses(log) >= 10,
                  "a loss by silence": "is lost: no heartbeat" in log,
                  "a comeback": re.search(r"node \d+ is back at", log) is not None,
                  "a goodbye": "is lost: it left" in log,
                  "100 junk connections ended": len(junk.closed_at) >= 100}
        return [what for what, done in wanted.items() if not done]

    wait_until(lambda: not missing(), 300, lambda: f"the chaos while paused; missing: {missing()}", server)
    settled = len(junk.closed_at)
    wait_until(lambda: count_refused(server.text()) >= settled, 60,
               lambda: f"{settled} junk connections refused in the log ({count_refused(server.text())})", server)
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    print(f"halftime: released after {count_losses(server.text())} losses, {settled} junk connections", flush=True)
    return settled


def main():
    seed = soak_seed()
    node_rng, junk_rng = streams(seed, "nodes", "junk")
    with Workdir() as work:
        everyone = []  # every process started, killed if the test ends early
        try:
            run_soak(work, node_rng, junk_rng, everyone)
        finally:
            for process in everyone:
                process.kill()


def run_soak(work, node_rng, junk_rng, everyone):
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write(os.urandom(32).hex())
    started = time.monotonic()
    reference = Reference(PICTURE, "reference.h5", work)
    everyone.append(reference.process)

    server, port = start_tcp_server(["mandel", *PICTURE, *SERVER_OPTIONS, "--output", "chaos.h5",
                                     "--secret-file", secret], work)
    everyone.append(server)
    sampler = RssSampler(server.process.pid, lambda: count_losses(server.text()))
    poller = StatusPoller(f"127.0.0.1:{port}", ["--secret-file", secret])
    driver = Driver(node_rng, port, work, secret, everyone)
    for _ in range(4):
        driver.start()
    server.wait_for(r"node 2 joined", 60)
    junk = Junk(junk_rng, port)

    chaos = threading.Thread(target=driver.run, args=(server,), daemon=True)
    chaos.start()
    settled = halftime(server, driver, junk)
    status = server.wait(DEADLINE)
    job_seconds = time.monotonic() - started
    chaos.join(timeout=10)
    junk.finish()
    poller.stop()
    sampler.join()
    node_statuses = driver.finish()
    log = server.text()

    print(f"actions: {driver.done} ({driver.skipped} skipped to keep {MIN_RUNNING} nodes computing); "
          f"{len(driver.nodes)} node processes in all", flush=True)
    print(f"junk: {junk.opened} connections ({junk.counts})", flush=True)
    if status != 0:
        print(log[-20000:])
    check(status == 0, f"the server exited 0 (status {status}) after {job_seconds:.1f} s of chaos")
    check(not driver.ended_early, f"no running node failed while the job ran ({driver.ended_early})")
    driver.check_ends(node_statuses, log)

    total = CHUNKS
    sent, reassigned, results, table = check_finished(log, total)
    losses = count_losses(log)
    back = len(re.findall(r"node \d+ is back at", log))
    print(f"{losses} node losses, {back} comebacks, {sent - total} extra hand-outs", flush=True)
    check(losses >= 10, f"the chaos cost the server at least 10 nodes ({losses})")
    check(back >= 1, "a node given up came back under its id")
    check(re.search(r"is lost: no heartbeat", log) is not None, "a stopped node was caught by its silence")
    check(re.search(r"is lost: it left", log) is not None, "a node told to stop said goodbye")
    check("terminate called" not in log, "the server logged no crash")

    refused = count_refused(log)
    print(f"{refused} refusals logged; {settled} junk connections ended while the job was held halfway, "
          f"{len(junk.closed_at)} in all", flush=True)
    check(settled >= 100, "strangers kept coming during the job")
    check(refused >= settled, "every stranger was refused and logged (one by one or counted)")
    check("too many connections in the handshake" not in log, "the strangers never filled the handshake slots")

    check_status_answers(poller.answers, total)
    check_memory_flat(sampler)

    reference.wait(DEADLINE)
    check(h5_equal(os.path.join(work, "chaos.h5"), os.path.join(work, "reference.h5")),
          "the picture equals the sequential kernel's, bit for bit")
    print(f"soak over TCP took {time.monotonic() - started:.1f} s in all", flush=True)


if __name__ == "__main__":
    main()
