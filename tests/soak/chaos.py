"""Shared pieces of the chaos soak tests: a seeded random source that a failure can be rerun
with, a sampler of the server's resident memory, the sequential reference picture, and readers
of what the server reports (its log, its closing table, its --status JSON)."""
import json
import os
import random
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from nctest import NC_JOB, Background, check, fail, node_summary  # noqa: E402


def soak_seed():
    """The run's seed: NC_SOAK_SEED if set, else a fresh one. Printed first, so that a failing
    run can be repeated with the same sequence of kills, stops and junk."""
    text = os.environ.get("NC_SOAK_SEED")
    seed = int(text) if text else random.SystemRandom().randrange(1, 2**31)
    print(f"soak seed: {seed} (repeat with NC_SOAK_SEED={seed})", flush=True)
    return seed


def streams(seed, *names):
    """One independent random stream per actor, so that the node driver's choices do not shift
    when the junk sender draws a number more or less."""
    return [random.Random(f"{seed}-{name}") for name in names]


class ActionBag:
    """Draws actions in shuffled rounds in which every action appears its weight's number of
    times: each kind of trouble happens in every run, whatever the seed, in a seeded order."""

    def __init__(self, rng, weights):
        self.rng = rng
        self.weights = weights
        self.bag = []

    def draw(self):
        if not self.bag:
            self.bag = [name for name, weight in self.weights.items() for _ in range(weight)]
            self.rng.shuffle(self.bag)
        return self.bag.pop()


def rss_kib(pid):
    """(VmRSS, VmHWM) of a process in KiB, or None once it has gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None


class RssSampler:
    """Samples a process's resident memory every `interval` s, with the number of node losses
    the server had logged by then, until the process ends."""

    def __init__(self, pid, losses, interval=0.2):
        self.pid = pid
        self.losses = losses
        self.interval = interval
        self.samples = []  # (monotonic time, VmRSS KiB, losses so far)
        self.peak = 0  # VmHWM KiB, last seen
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while True:
            found = rss_kib(self.pid)
            if found is None:
                return
            self.samples.append((time.monotonic(), found[0], self.losses()))
            self.peak = max(self.peak, found[1])
            time.sleep(self.interval)

    def join(self):
        self.thread.join(timeout=10)


def check_memory_flat(sampler, early_losses=3, slack_mib=16.0, slack_share=0.25):
    """The server's memory must not grow with the number of nodes it lost.

    `early` is the largest RSS up to the first sample after the server has lost `early_losses`
    nodes: start-up, the first registrations, the output file opened, the first losses handled.
    `late` is the largest RSS from then to the end. What may legitimately grow in between does
    not depend on the number of losses: the server's working set still filling up (its results
    in flight, the HDF5 caches of the output, the results waiting for the checkpoint's disk: the
    soaks keep that buffer at 4 MiB with --checkpoint-buffer, as its default of 64 MiB fills
    only when the disk falls behind, early or late; a clean run reaches its plateau within a
    second or two), the output's final flush and close (2 to 3 MiB), one record per node id for
    the closing table (a few hundred bytes each), and the peak of connections open at once: each
    holds a 64 KiB read buffer, and the junk sender of the TCP soak keeps up to 100 open, so up
    to 6.4 MiB that the allocator keeps once freed. Measured: 0 to 6 MiB of growth. A leak is larger: a connection kept after it
    closed costs 64 KiB per lost node, per comeback and per junk connection (such a leak made a
    TCP soak grow by 71 MiB; 212 nodes killed in a row grow a healthy server by nothing). The
    bound (16 MiB, or a quarter of `early` if more) leaves room for the noise and still catches
    a leak of 16 KiB per junk connection over the thousand a TCP soak makes, or of about 250 KiB
    per loss over its 60 to 70 losses. Returns (early, late, losses)."""
    samples = sampler.samples
    check(len(samples) >= 10, f"the server's memory was sampled ({len(samples)} samples)")
    split = next((i for i, s in enumerate(samples) if s[2] >= early_losses), None)
    check(split is not None, f"the server lost at least {early_losses} nodes while it was sampled")
    early = max(s[1] for s in samples[:split + 1])
    late = max((s[1] for s in samples[split:]), default=early)
    losses = samples[-1][2] - samples[split][2]
    bound = early + max(slack_mib * 1024, slack_share * early)
    growth = late - early
    per_loss = growth / losses if losses > 0 else 0.0
    start = samples[0][0]
    timeline = ", ".join(f"{t - start:.0f} s: {rss / 1024:.1f} MiB ({lost} lost)"
                         for t, rss, lost in samples[::max(1, len(samples) // 8)])
    print(f"server RSS over time: {timeline}", flush=True)
    print(f"server RSS: {early / 1024:.1f} MiB after {samples[split][2]} losses, at most "
          f"{late / 1024:.1f} MiB afterwards ({growth / 1024:+.1f} MiB over {losses} more losses, "
          f"{per_loss:+.1f} KiB per loss); peak (VmHWM) {sampler.peak / 1024:.1f} MiB; "
          f"bound {bound / 1024:.1f} MiB", flush=True)
    check(late <= bound, "the server's memory did not grow with the nodes it lost")
    return early, late, losses


class Reference:
    """The picture computed by the job's plain sequential kernel (no node_crunch), in the
    background: it runs while the soak runs, so the whole test takes the longer of the two
    rather than their sum, and the soak's nodes meet one more busy process on the cores."""

    def __init__(self, picture, path, cwd):
        self.path = path
        self.started = time.monotonic()
        self.process = Background([NC_JOB, "mandel", *picture, "--sequential", "--output", path], cwd=cwd)

    def wait(self, timeout):
        status = self.process.wait(timeout)
        print(f"sequential reference: exit {status} after {time.monotonic() - self.started:.1f} s: "
              f"{self.process.stdout().strip()}", flush=True)
        check(status == 0, "the sequential reference was computed")
        return self.path


class StatusPoller:
    """Asks a running TCP server for its statistics (nc_job --status) every `interval` s; keeps
    every answer."""

    def __init__(self, address, extra=(), interval=2.0):
        self.command = [NC_JOB, "--status", address, *extra]
        self.interval = interval
        self.answers = []
        self.errors = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stopped.wait(self.interval):
            try:
                done = subprocess.run(self.command, capture_output=True, text=True, timeout=15)
                if done.returncode == 0:
                    self.answers.append(json.loads(done.stdout))
                else:
                    self.errors += 1
            except (subprocess.TimeoutExpired, json.JSONDecodeError):
                self.errors += 1

    def stop(self):
        self.stopped.set()
        self.thread.join(timeout=30)


def check_status_answers(answers, total):
    """What the server said while it ran: chunks done only ever grow, never above the total,
    none failed, every result answers a task that was sent."""
    check(len(answers) >= 3, f"the server answered --status while it ran ({len(answers)} answers)")
    done = [a["chunks"]["done"] for a in answers]
    check(all(a["chunks"]["total"] == total for a in answers), f"--status reports {total} chunks")
    check(all(b >= a for a, b in zip(done, done[1:])), "chunks done never went down")
    check(all(d <= total for d in done), "chunks done never exceeded the total")
    check(all(a["chunks"]["failed"] == 0 for a in answers), "no chunk failed")
    check(all(a["results"] <= a["tasks_sent"] for a in answers), "never more results than tasks sent")
    check(all(sum(n["results"] for n in a["nodes"]) + a["departed"]["results"] == a["results"]
              for a in answers),
          "the per-node results (with those of departed nodes) add up to the total in every answer")
    last = answers[-1]
    print(f"last --status: {last['chunks']}, tasks sent {last['tasks_sent']}, results {last['results']}, "
          f"{len(last['nodes'])} node ids, {sum(1 for n in last['nodes'] if n['lost'])} lost", flush=True)


FINISHED = re.compile(r"job '(\w+)' finished in ([\d.]+) s: (\d+) of (\d+) chunks, (\d+) tasks sent, "
                      r"(\d+) reassigned")


OTHERS = re.compile(r"\]\s+others\s+(\d+)\s+[\d.]+\s+\d+\s+(\d+) more node\(s\), fewer results each")


def check_finished(log, total):
    """The server's closing line and table: every chunk done, and the table accounts for every
    result. Returns (tasks sent, reassigned, results in the table, the table)."""
    found = FINISHED.search(log)
    if not found:
        fail("the server did not log that the job finished")
    seconds, done, of, sent, reassigned = (float(found.group(2)), *map(int, found.group(3, 4, 5, 6)))
    check(done == of == total, f"the server finished with {done} of {of} chunks (expected {total})")
    table = node_summary(log)
    # Past its 50 busiest nodes the table sums the rest up in one row.
    others = OTHERS.search(log)
    others_results, others_nodes = (int(others.group(1)), int(others.group(2))) if others else (0, 0)
    results = sum(row[0] for row in table.values()) + others_results
    print(f"job finished in {seconds:.1f} s: {sent} tasks sent for {total} chunks, {reassigned} handed "
          f"out again, {results} results received from {len(table) + others_nodes} node ids "
          f"({others_nodes} of them in the table's last row)", flush=True)
    check(results >= total, "at least one result per chunk was received")
    check(results <= sent, "no more results than tasks sent")
    joined = len(re.findall(r"node \d+ joined at", log))
    check(len(table) + others_nodes == joined,
          f"the closing table accounts for each of the {joined} nodes that joined")
    return sent, reassigned, results, table


def count_losses(log):
    return len(re.findall(r"node \d+ at .* is lost: ", log))
