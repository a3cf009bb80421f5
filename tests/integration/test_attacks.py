"""An authenticated insider attacks a mandel TCP job: nc_insider registers like a node (with the
shared secret, or on a server without one) and plays one attack, named by this script's argument,
while two honest nodes work. Whatever it does, it may cost only its own work:
- the picture is bit-identical to an undisturbed run's;
- the server exits 0;
- the server's memory (VmRSS and VmHWM, sampled while it runs) stays within a bound of the
  undisturbed run's;
and, for some attacks, more: no chunk fails under hoarding, node 1 keeps its id under theft.

Each run's server pauses (--pause-after-tasks) and is released with SIGUSR1, so that every attack
meets the job where it means to, however fast or loaded the machine:
- PAUSED: played to its end while the job is mid-run (paused after 20 tasks, none in flight);
- ALONGSIDE: registered during that pause, and released into the job with the honest nodes;
- FIRST: an attack that takes tasks asks for them while the job has handed out none (paused after
  0 tasks); once the server holds its request, the job is released: it surely gets its share.
Job times are taken from the release to the server's end, and reported against the undisturbed
run's, never asserted.

    test_attacks.py forge-unknown | forge-unknown-open | relabel | missized | chunk-1e6 |
                    task-failed-flood | task-failed-initial | hoard | hoard-drop | long-hello |
                    registrations | steal-id
"""
import os
import re
import signal
import sys
import threading
import time

from nctest import (Background, Workdir, check, fail, h5_equal, node_summary, start_node, start_tcp_server,
                    wait_until, without_asan_quarantine)

INSIDER = os.environ.get("NC_INSIDER", "nc_insider")
without_asan_quarantine()  # the server's memory is bounded below
CHUNK_HEIGHT = 4
PICTURE = ["--width", "800", "--height", "600", "--max-iter", "2000", "--chunk-height", str(CHUNK_HEIGHT)]
CHUNKS = 600 // CHUNK_HEIGHT
PAUSE_AFTER = 20
# What an attack may add to the server's memory over an undisturbed run's peak. The server holds
# the picture (1.9 MB here) and little else; one large frame in flight is allowed for, a node's
# records or a message for every attempt are not.
RSS_MARGIN_MIB = 16
# The log may grow by this much per registration (a rate-limited join and loss, a table row).
LOG_BYTES_PER_REGISTRATION = 200
REGISTRATIONS = 5000
DONE = re.compile(r"insider: .* done, .*")
ASKED = re.compile(r"insider: asked for \d+ tasks")
# Ten refused hellos: a line each, not their host names.
LONG_HELLO_LOG_BYTES = 64 * 1024

PAUSED, ALONGSIDE, FIRST = "paused", "alongside", "first"
# attack: (insider arguments, needs a secret, when it is played)
ATTACKS = {
    "forge-unknown": (["forge-unknown"], True, ALONGSIDE),
    "forge-unknown-open": (["forge-unknown"], False, ALONGSIDE),
    "relabel": (["relabel", "--batch", "16"], True, FIRST),
    "missized": (["missized", "--batch", "16"], False, FIRST),
    "chunk-1e6": (["chunk-1e6", "--batch", "16"], True, FIRST),
    "task-failed-flood": (["task-failed-flood", "--batch", "16"], False, FIRST),
    "task-failed-initial": (["task-failed-initial"], False, PAUSED),
    "hoard": (["hoard", "--threads", "4096"], True, FIRST),
    "hoard-drop": (["hoard-drop", "--times", "5", "--threads", "4096"], True, FIRST),
    "long-hello": (["long-hello"], True, PAUSED),
    "registrations": (["registrations", str(REGISTRATIONS)], True, PAUSED),
    "steal-id": (["steal-id", "1"], True, PAUSED),
}


class MemorySampler:
    """Reads a process's VmRSS and VmHWM (KiB) from /proc every 20 ms until it ends."""

    def __init__(self, pid):
        self.path = f"/proc/{pid}/status"
        self.peak_rss = 0
        self.hwm = 0
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def sample(self):
        """(VmRSS, VmHWM) now, or None once the process is gone."""
        try:
            with open(self.path) as f:
                text = f.read()
        except OSError:
            return None
        rss, hwm = re.search(r"VmRSS:\s+(\d+)", text), re.search(r"VmHWM:\s+(\d+)", text)
        if rss is None or hwm is None:
            return None  # a zombie: its memory is gone
        rss, hwm = int(rss.group(1)), int(hwm.group(1))
        self.peak_rss = max(self.peak_rss, rss)
        self.hwm = max(self.hwm, hwm)
        return rss, hwm

    def _run(self):
        while self.running and self.sample() is not None:
            time.sleep(0.02)  # the sampling period, not a wait for anything

    def stop(self):
        self.running = False
        self.thread.join(timeout=5)


def mib(kib):
    return kib / 1024.0


class Run:
    """What one job left: the server's log and status, its memory, its time after the release."""

    def __init__(self, name):
        self.name = name
        self.log = ""
        self.status = None
        self.seconds = 0.0
        self.hwm = 0
        self.peak_rss = 0
        self.rss_after_attack = None
        self.insider_line = ""
        self.node_status = []
        self.node_logs = []

    def tasks_sent(self):
        found = re.search(r"finished in [\d.]+ s: .*?(\d+) tasks sent, (\d+) reassigned", self.log)
        return (int(found.group(1)), int(found.group(2))) if found else (None, None)


def insider_command(port, args, secret):
    command = [INSIDER, "--connect", f"127.0.0.1:{port}", "--chunk-height", str(CHUNK_HEIGHT), "--limit", "150"]
    if secret:
        command += ["--secret-file", secret]
    return command + args


def job(work, name, secret, when, args=None):
    """One job: a server that pauses (after no task for FIRST, else after PAUSE_AFTER), two
    honest nodes and, given the insider's `args`, the insider, played `when`. Returns a Run."""
    run = Run(name)
    secret_args = ["--secret-file", secret] if secret else []
    pause = 0 if when == FIRST else PAUSE_AFTER
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", name, *secret_args,
                                     "--pause-after-tasks", str(pause)], work)
    memory = MemorySampler(server.process.pid)
    nodes = [start_node(port, work, secret_args) for _ in range(2)]
    server.wait_for(r"node 2 joined", 60)
    server.wait_for(rf"paused after handing out {pause} tasks", 60)
    server.wait_for(r"paused with no task in flight", 60)
    insider = None
    if args is not None:
        insider = Background(insider_command(port, args, secret), cwd=work)
        if when == PAUSED:
            run.insider_line = insider.wait_for(DONE.pattern, 180, stream="stdout").group(0)
            run.rss_after_attack = memory.sample()
        else:
            # Released once it is in (FIRST: once its request is held), or the server would not
            # have it at all.
            joined = (lambda: ASKED.search(insider.stdout())) if when == FIRST else \
                (lambda: "node 3 joined" in server.text())
            wait_until(lambda: joined() or insider.process.poll() is not None, 60,
                       lambda: "the insider registered or gave up", server)
    released = time.monotonic()
    server.process.send_signal(signal.SIGUSR1)
    if args is not None and when != PAUSED:
        run.insider_line = insider.wait_for(DONE.pattern, 180, stream="stdout").group(0)
        run.rss_after_attack = memory.sample()
    run.status = server.wait(180)
    run.seconds = time.monotonic() - released
    memory.stop()
    run.hwm, run.peak_rss = memory.hwm, memory.peak_rss
    run.log = server.text()
    run.node_status = [node.wait(30) for node in nodes]
    run.node_logs = [node.text() for node in nodes]
    print(f"{name}: server exit {run.status}, {run.seconds:.2f} s after the release, "
          f"VmHWM {mib(run.hwm):.1f} MiB, peak VmRSS {mib(run.peak_rss):.1f} MiB, "
          f"log {len(run.log)} bytes, tasks sent/reassigned {run.tasks_sent()}", flush=True)
    if insider is not None:
        check(insider.wait(60) == 0, f"{name}: the insider ends by itself and exits 0 ({run.insider_line})")
        if run.rss_after_attack is not None:
            print(f"{name}: after the attack VmRSS {mib(run.rss_after_attack[0]):.1f} MiB, "
                  f"VmHWM {mib(run.rss_after_attack[1]):.1f} MiB", flush=True)
    return run


def main(attack_name):
    if attack_name not in ATTACKS:
        fail(f"no attack {attack_name!r}; one of {', '.join(ATTACKS)}")
    args, needs_secret, when = ATTACKS[attack_name]
    with Workdir() as work:
        secret = None
        if needs_secret:
            secret = os.path.join(work, "secret")
            with open(secret, "w") as f:
                f.write(os.urandom(24).hex())
        clean = job(work, "clean.h5", secret, when)
        check(clean.status == 0 and clean.node_status == [0, 0], "the undisturbed run exits 0")
        attacked = job(work, "attacked.h5", secret, when, args)
        print(f"insider said: {attacked.insider_line}")
        if when == FIRST:
            got = re.search(r"done, (\d+) tasks", attacked.insider_line)
            check(got is not None and int(got.group(1)) > 0,
                  f"the insider got tasks to attack with ({attacked.insider_line})")

        sent, reassigned = attacked.tasks_sent()
        if sent is not None:
            print(f"figures: {attack_name}: {sent - CHUNKS} task(s) wasted beyond the {CHUNKS} chunks "
                  f"({reassigned} reassigned; undisturbed: {clean.tasks_sent()[0] - CHUNKS}), "
                  f"job time {attacked.seconds:.2f} s vs {clean.seconds:.2f} s undisturbed "
                  f"(x{attacked.seconds / max(clean.seconds, 1e-3):.2f}), server VmHWM "
                  f"{mib(attacked.hwm):.1f} MiB vs {mib(clean.hwm):.1f} MiB", flush=True)
        else:
            ended = re.search(r"ended after [\d.]+ s: (.*)", attacked.log)
            print(f"figures: {attack_name}: the job failed ({ended.group(1)[:300] if ended else 'no reason logged'}); "
                  f"server VmHWM {mib(attacked.hwm):.1f} MiB vs {mib(clean.hwm):.1f} MiB undisturbed", flush=True)

        check(attacked.status == 0, f"the server exits 0 despite the insider (exit {attacked.status})")
        check(os.path.exists(os.path.join(work, "attacked.h5")) and
              h5_equal(os.path.join(work, "clean.h5"), os.path.join(work, "attacked.h5")),
              "the picture is bit-identical to the undisturbed run's")
        bound = clean.hwm + RSS_MARGIN_MIB * 1024
        check(attacked.hwm <= bound,
              f"the server's peak memory stays within {RSS_MARGIN_MIB} MiB of the undisturbed run's "
              f"(VmHWM {mib(attacked.hwm):.1f} MiB, undisturbed {mib(clean.hwm):.1f} MiB)")
        if attacked.rss_after_attack is not None:
            check(attacked.rss_after_attack[0] <= bound,
                  f"the server keeps no more than {RSS_MARGIN_MIB} MiB after the attack "
                  f"(VmRSS {mib(attacked.rss_after_attack[0]):.1f} MiB)")
        check(attacked.node_status == [0, 0], f"the honest nodes exit 0 ({attacked.node_status})")
        SPECIFIC.get(attack_name, lambda clean_run, run: None)(clean, attacked)


def no_chunk_failed(clean, run):
    check("chunk(s) failed" not in run.log, "no chunk failed")


def registrations_cost_little(clean, run):
    check(re.search(rf"{REGISTRATIONS} of {REGISTRATIONS} registrations: .* 0 unanswered", run.insider_line)
          is not None, f"every registration was made and answered ({run.insider_line})")
    allowed = len(clean.log) + REGISTRATIONS * LOG_BYTES_PER_REGISTRATION
    check(len(run.log) <= allowed,
          f"the server's log grows by at most {LOG_BYTES_PER_REGISTRATION} bytes a registration "
          f"({len(run.log)} bytes, undisturbed {len(clean.log)})")


def long_hellos_cost_little(clean, run):
    check(re.search(r": 0 welcomed", run.insider_line) is not None, f"no 4 MiB hello is welcomed ({run.insider_line})")
    check(len(run.log) <= len(clean.log) + LONG_HELLO_LOG_BYTES,
          f"the huge host names stay out of the server's log ({len(run.log)} bytes, undisturbed {len(clean.log)})")


def id_not_stolen(clean, run):
    check("did not get node 1" in run.insider_line and "the token does not match" in run.insider_line,
          f"the thief, knowing the server run but not node 1's token, is refused its id ({run.insider_line})")
    check(re.search(r"node 1 at .* is lost", run.log) is None, "node 1 is never lost")
    summary = node_summary(run.log)
    print("results per node:", summary)
    check(summary.get(1, (0, ""))[0] > 0 and "insider" not in summary.get(1, (0, ""))[1],
          f"node 1 keeps its id and its place, and computed chunks ({summary.get(1)})")
    first = [log for log in run.node_logs if "[node 1]" in log]
    check(len(first) == 1 and "lost the connection" not in first[0], "node 1 was never cut off")


SPECIFIC = {
    "hoard": no_chunk_failed,
    "hoard-drop": no_chunk_failed,
    "long-hello": long_hellos_cost_little,
    "registrations": registrations_cost_little,
    "steal-id": id_not_stolen,
}

if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail(__doc__)
    main(sys.argv[1])
