"""Chaos soak under MPI: a Mandelbrot job of 20,480 bands of two rows runs on `mpirun -n 5`
(rank 0 serves, 4 ranks compute) while a driver, from a seeded random sequence, stops ranks
with SIGSTOP and continues them with SIGCONT: briefly (nobody should notice), past the
heartbeat timeout (the rank is given up, its chunks go to the others, and it comes back when
continued), two at once, and for a long while. MPI ranks cannot be killed without ending the
whole MPI job, so stopping is the fault here.

At the end the picture must equal the sequential kernel's bit for bit, the server must report
every chunk done and a lost rank's work handed out again, its --status answers (the server
also listens on TCP for them) must be consistent, the run must end cleanly once every rank is
continued, and rank 0's memory must not have grown with the number of ranks it lost.

NC_SOAK_SEED=N repeats a run's sequence of actions (the timing of the processes differs)."""
import json
import os
import re
import signal
import subprocess
import threading
import time

from chaos import (ActionBag, Reference, RssSampler, StatusPoller, check_finished, check_memory_flat,
                   check_status_answers, count_losses, soak_seed, streams)
from nctest import NC_JOB, Background, Workdir, check, h5_equal, mpirun_command, wait_until

RANKS = 5
WIDTH, HEIGHT, CHUNK_HEIGHT = 2048, 40960, 2
CHUNKS = HEIGHT // CHUNK_HEIGHT
PICTURE = ["--width", str(WIDTH), "--height", str(HEIGHT), "--chunk-height", str(CHUNK_HEIGHT),
           "--max-iter", "1000"]
HEARTBEAT, TIMEOUT = 0.2, 1.5
SERVER_OPTIONS = [
    "--heartbeat", str(HEARTBEAT), "--timeout", str(TIMEOUT), "--progress-every", "2",
    # Ranks are given up often here, and a chunk that happened to be on three of them would be
    # failed by design (--max-attempts guards against chunks that crash nodes): allow many.
    "--max-attempts", "100",
    # Results wait for the checkpoint's disk in a buffer of up to 64 MiB by default, filled or
    # not by how fast the disk is when the fast chunks (the picture's top and bottom) flood in:
    # a small one keeps that noise out of the memory check.
    "--checkpoint-buffer", "4",
    # Statistics for --status: the MPI server takes TCP connections as well (no TCP node joins).
    "--listen", "127.0.0.1:0",
    # Halfway the server holds the job until the chaos has done all that the checks count on.
    "--pause-after-tasks", str(CHUNKS // 2),
]
MIN_RUNNING = 2
DEADLINE = 600
ACTIONS = {"stop_short": 3, "stop_long": 4, "stop_two": 1, "stop_longer": 1}
JOB_OVER = re.compile(r"job 'mandel' (finished|ended|stopped)")


def parent_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


def descends_from(pid, ancestor):
    """True if `pid` is `ancestor` or one of its descendants: a pid taken from the log is only
    ever signalled once it is known to belong to this run's launcher."""
    try:
        while pid > 1:
            if pid == ancestor:
                return True
            pid = parent_of(pid)
    except (OSError, ValueError, IndexError):
        return False
    return False


def descendants(root):
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    children = [int(c) for c in f.read().split()]
                found += children
                todo += children
        except OSError:
            continue
    return found


def rank_of(pid):
    """The MPI rank a process was started as, from its environment (Open MPI or MPICH)."""
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    except OSError:
        return None
    for name in (b"OMPI_COMM_WORLD_RANK", b"PMI_RANK"):
        if name in env:
            return int(env[name])
    return None


class Rank:
    def __init__(self, rank, pid):
        self.rank, self.pid = rank, pid
        self.state = "running"
        self.until = 0.0

    def signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass


class Driver:
    def __init__(self, rng, ranks):
        self.rng = rng
        self.ranks = ranks
        self.bag = ActionBag(rng, ACTIONS)
        self.done = {name: 0 for name in ACTIONS}
        self.skipped = 0
        self.lock = threading.Lock()  # held while the driver acts or the test takes a rank aside
        self.held = False  # no new disturbances while set (stopped ranks are still continued)

    def running(self):
        return [r for r in self.ranks if r.state == "running"]

    def stop(self, rank, seconds):
        rank.signal(signal.SIGSTOP)
        rank.state, rank.until = "stopped", time.monotonic() + seconds

    def act(self, action):
        running = self.running()
        wanted = 2 if action == "stop_two" else 1
        if len(running) - wanted < MIN_RUNNING:
            return False
        chosen = self.rng.sample(running, wanted)
        for rank in chosen:
            if action == "stop_short":
                self.stop(rank, self.rng.uniform(0.1, 0.6 * TIMEOUT))
            elif action == "stop_longer":
                self.stop(rank, self.rng.uniform(4 * TIMEOUT, 8 * TIMEOUT))
            else:
                self.stop(rank, self.rng.uniform(TIMEOUT + 0.5, TIMEOUT + 4))
        return True

    def wake(self, everyone=False):
        now = time.monotonic()
        for rank in self.ranks:
            if rank.state == "stopped" and (everyone or now >= rank.until):
                rank.signal(signal.SIGCONT)
                rank.state = "running"

    def run(self, job):
        next_action = time.monotonic() + 1.0
        while job.process.poll() is None:
            # The job is over: every rank must be able to say goodbye within --finish-grace.
            if JOB_OVER.search(job.text()):
                self.wake(everyone=True)
                return
            with self.lock:
                self.wake()
                if not self.held and time.monotonic() >= next_action:
                    action = self.bag.draw()
                    if self.act(action):
                        self.done[action] += 1
                    else:
                        self.skipped += 1
                    next_action = time.monotonic() + self.rng.uniform(0.3, 1.5)
            time.sleep(0.03)  # the driver's pace
        self.wake(everyone=True)


def find_ranks(job):
    """The compute ranks from the server's log, each checked to be a process of this mpirun,
    and rank 0 (the server) among mpirun's descendants."""
    launcher = job.process.pid
    ranks = []
    for rank in range(1, RANKS):
        found = job.wait_for(rf"node \d+ joined at rank {rank} \(host [^,]+, pid (\d+)\)", 120)
        pid = int(found.group(1))
        check(descends_from(pid, launcher), f"rank {rank} (pid {pid}) is a process of this mpirun")
        ranks.append(Rank(rank, pid))
    node_pids = {r.pid for r in ranks}
    servers = [pid for pid in descendants(launcher) if rank_of(pid) == 0 and pid not in node_pids]
    check(len(servers) == 1, f"rank 0 found among mpirun's processes ({servers})")
    return ranks, servers[0]


def alive_ranks(port):
    """The ranks the server counts as alive now, from its --status answer."""
    done = subprocess.run([NC_JOB, "--status", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return set()
    return {int(m.group(1)) for n in json.loads(done.stdout)["nodes"] if not n["lost"]
            for m in [re.match(r"rank (\d+) ", n["address"])] if m}


def halftime(job, driver, server_pid, port):
    """The server pauses halfway (--pause-after-tasks) and is released once the chaos has done
    all that the checks count on, however fast or slow the job: five ranks given up by their
    silence and one back. Then one rank that the server counts alive, so one whose request the
    pause holds, is stopped and the server released: the held request is answered while the
    rank cannot answer, so it is surely given up with chunks, which are handed out again."""
    job.wait_for(r"paused after handing out \d+ tasks", DEADLINE)

    def missing():
        log = job.text()
        wanted = {"5 ranks given up by their silence": len(re.findall(r"is lost: no heartbeat", log)) >= 5,
                  "a comeback": re.search(r"node \d+ is back at rank", log) is not None}
        return [what for what, done in wanted.items() if not done]

    wait_until(lambda: not missing(), 300, lambda: f"the chaos while paused; missing: {missing()}", job)
    with driver.lock:
        driver.held = True

    def take_aside():
        alive = alive_ranks(port)
        with driver.lock:
            rank = next((r for r in driver.running() if r.rank in alive), None)
            if rank is not None:
                rank.signal(signal.SIGSTOP)
                rank.state, rank.until = "stopped", float("inf")  # until the test continues it
            return rank

    taken = []

    def taken_aside():
        rank = take_aside()
        if rank is not None:
            taken.append(rank)
        return rank is not None

    wait_until(taken_aside, 60, lambda: "a running rank the server counts alive", job)
    rank = taken[0]
    mark = len(job.text())
    os.kill(server_pid, signal.SIGUSR1)
    job.wait_for(r"resumed handing out tasks", 30)
    lost = rf"node \d+ at rank {rank.rank} .* is lost: no heartbeat"
    wait_until(lambda: re.search(lost, job.text()[mark:]), 60, lambda: f"rank {rank.rank} given up", job)
    with driver.lock:
        rank.until = 0.0  # the driver continues it
        driver.held = False
    print(f"halftime: released with rank {rank.rank} stopped; it was given up", flush=True)


def main():
    seed = soak_seed()
    (rng,) = streams(seed, "ranks")
    with Workdir() as work:
        everyone = []
        try:
            run_soak(work, rng, everyone)
        finally:
            for process in everyone:
                process.kill()


def run_soak(work, rng, everyone):
    started = time.monotonic()
    reference = Reference(PICTURE, "reference.h5", work)
    everyone.append(reference.process)
    job = Background(mpirun_command(RANKS, ["mandel", *PICTURE, *SERVER_OPTIONS, "--output", "chaos.h5"]),
                     cwd=work)
    everyone.append(job)
    port = int(job.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 120, stream="stdout").group(1))
    ranks, server_pid = find_ranks(job)
    print(f"ranks 1..{RANKS - 1}: pids {[r.pid for r in ranks]}; rank 0 (the server): pid {server_pid}",
          flush=True)
    sampler = RssSampler(server_pid, lambda: count_losses(job.text()))
    poller = StatusPoller(f"127.0.0.1:{port}")
    driver = Driver(rng, ranks)
    chaos = threading.Thread(target=driver.run, args=(job,), daemon=True)
    chaos.start()
    halftime(job, driver, server_pid, port)
    status = job.wait(DEADLINE)
    job_seconds = time.monotonic() - started
    chaos.join(timeout=10)
    driver.wake(everyone=True)
    poller.stop()
    sampler.join()
    log = job.text()

    print(f"actions: {driver.done} ({driver.skipped} skipped to keep {MIN_RUNNING} ranks computing)", flush=True)
    if status != 0:
        print(log[-20000:])
    check(status == 0, f"mpirun exited 0 (status {status}) after {job_seconds:.1f} s of chaos")
    check("did not answer" not in log, "every rank, continued at the end, said goodbye in time")

    total = CHUNKS
    sent, reassigned, results, table = check_finished(log, total)
    losses = count_losses(log)
    back = len(re.findall(r"node \d+ is back at rank", log))
    silent = len(re.findall(r"is lost: no heartbeat", log))
    print(f"{losses} rank losses ({silent} by silence), {back} comebacks, {sent - total} extra hand-outs",
          flush=True)
    check(silent >= 5, f"ranks stopped past the timeout were given up ({silent} times)")
    check(reassigned > 0, f"the work of ranks given up was handed out again ({reassigned} tasks)")
    check(back >= 1, "a rank given up came back when continued")
    check(len(table) == RANKS - 1, "every rank kept its node id through its losses")
    check(all(row[0] > 0 for row in table.values()), "every rank computed chunks")

    check_status_answers(poller.answers, total)
    check_memory_flat(sampler)

    reference.wait(DEADLINE)
    check(h5_equal(os.path.join(work, "chaos.h5"), os.path.join(work, "reference.h5")),
          "the picture equals the sequential kernel's, bit for bit")
    print(f"soak under MPI took {time.monotonic() - started:.1f} s in all", flush=True)


if __name__ == "__main__":
    main()
