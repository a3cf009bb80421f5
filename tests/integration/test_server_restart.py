"""The job survives its server: a TCP server SIGKILLed mid-run and started again with --resume
(on the same port, or on another one that the nodes read from an address file) finishes with
exactly the output of an undisturbed run, every node exits 0, and no chunk fails.

  test_server_restart.py NODES KILLS [file]

One node (the sleeper) is stopped (SIGSTOP) while it holds tasks of the server that is about to
be killed, and woken once the next server runs: it delivers those results to the new server,
which takes them on the strength of the task journal (the task went to that node, with that
token). Every node's earlier tasks stay its own (the new server does not hand their chunks
out again): the test reports how many results were computed twice. The last server gives
copies of late chunks, as by default: a task the killed server recorded in its journal but did
not get to send is held by no node in truth, and only a copy gets its chunk done. Each server starts with its requests held (--pause-after-tasks 0), so that nothing is
computed twice by chance, and hears no node as lost (--timeout 600, --max-copies 1), so that the
stopped node's chunks stay its own: the job cannot end before the kill, however fast the
machine. Every step waits for an event: a status value, a log line.

Also: a second server on the same checkpoint while the first lives is refused, and --resume of
the finished job says it is done and leaves the output as it is."""
import os
import re
import signal
import sys

from nctest import NC_JOB, Background, Workdir, check, h5_equal, node_summary, run, status_node, wait_status

NODES = int(sys.argv[1]) if len(sys.argv) > 1 else 3
KILLS = int(sys.argv[2]) if len(sys.argv) > 2 else 1
BY_FILE = len(sys.argv) > 3 and sys.argv[3] == "file"

PICTURE = ["mandel", "--width", "1600", "--height", "1200", "--max-iter", "3000", "--chunk-height", "1"]
# Held at the start; nobody lost, no speculative copies: only the test moves the job on. A short
# prefetch keeps most chunks on the server, for the next kill to find work left.
HELD = ["--pause-after-tasks", "0", "--timeout", "600", "--max-prefetch", "8"]
SERVER = [*HELD, "--max-copies", "1"]
NODE = ["--retry-max", "0.5", "--heartbeat", "1", "--max-prefetch", "8"]


def start_server(work, port, resume, last=False):
    # The last server may give copies of late chunks (the default): a task its predecessor
    # recorded in the journal but was killed before sending is held by no node in truth, and
    # only a copy of it gets that chunk done.
    command = [NC_JOB, *PICTURE, "--output", "out.h5", *(HELD if last else SERVER), "--server", "--listen",
               f"127.0.0.1:{port}"]
    server = Background(command + (["--resume"] if resume else []), cwd=work)
    found = server.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 60, stream="stdout")
    port = int(found.group(1))
    if BY_FILE:  # as a batch script publishes it: written whole, then renamed into place
        with open(os.path.join(work, "server.addr.tmp"), "w") as f:
            f.write(f"127.0.0.1:{port}\n")
        os.replace(os.path.join(work, "server.addr.tmp"), os.path.join(work, "server.addr"))
    return server, port


def start_node(work, port):
    where = ["--connect-file", "server.addr"] if BY_FILE else ["--connect", f"127.0.0.1:{port}"]
    return Background([NC_JOB, "mandel", *where, *NODE], cwd=work)


with Workdir() as work:
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "full.h5"], 300, cwd=work)
    check(status == 0, "an undisturbed run, to compare with")

    server, port = start_server(work, 0, resume=False)
    nodes = [start_node(work, port) for _ in range(NODES)]
    sleeper = nodes[0]

    # A second live server on the same checkpoint is refused before it touches anything.
    status, out, err = run([NC_JOB, *PICTURE, "--output", "out.h5", "--resume", "--server", "--listen",
                            "127.0.0.1:0"], 60, cwd=work)
    check(status == 2 and "in use by another server run" in err and f"pid {server.process.pid}" in err,
          "a second server on the checkpoint of a live one is refused, naming it")

    for kill in range(1, KILLS + 1):
        wait_status(port, lambda s: sum(1 for n in s["nodes"] if not n["lost"]) == NODES and
                    status_node(s, sleeper.process.pid) is not None and status_node(s, sleeper.process.pid)["waiting"] > 0,
                    f"all {NODES} nodes registered, the sleeper asking for work", server)
        os.kill(sleeper.process.pid, signal.SIGSTOP)
        server.process.send_signal(signal.SIGUSR1)
        before = wait_status(port, lambda s: status_node(s, sleeper.process.pid)["held"] > 0,
                             "the stopped sleeper holds tasks", server)
        done_before = before["chunks"]["done"]
        # The others make progress (20 chunks, or all they can: the job cannot end, the
        # sleeper's chunks are its own).
        others_can = before["chunks"]["total"] - done_before - status_node(before, sleeper.process.pid)["held"]
        progress = min(20, others_can)
        at_kill = wait_status(port, lambda s: s["chunks"]["done"] >= done_before + progress,
                              f"{progress} more chunks done", server)
        in_flight = at_kill["chunks"]["processing"]
        os.killpg(server.process.pid, signal.SIGKILL)
        server.wait(30)
        print(f"kill {kill}: {at_kill['chunks']['done']} of {at_kill['chunks']['total']} chunks done, "
              f"{in_flight} in flight", flush=True)

        server, port = start_server(work, 0 if BY_FILE else port, resume=True, last=kill == KILLS)
        check(re.search(r"\d+ task\(s\) of earlier server runs on record", server.text()) is not None,
              f"restart {kill}: the new server reads the earlier runs' task journal")
        os.kill(sleeper.process.pid, signal.SIGCONT)
        # The new server hands out nothing yet: a result from the sleeper is one of the tasks
        # it got from the killed server.
        woken = wait_status(port, lambda s: (status_node(s, sleeper.process.pid) or {}).get("results", 0) > 0,
                            "the woken sleeper delivered a result of the killed server's tasks", server)
        check(woken["tasks_sent"] == 0, f"restart {kill}: the sleeper's result was one of the killed server's tasks")
        check(re.search(r"holds \d+ task\(s\) of an earlier server run: they stay its own", server.text()),
              f"restart {kill}: the nodes' earlier tasks stay theirs")

    server.process.send_signal(signal.SIGUSR1)  # the last server carries on alone
    check(server.wait(300) == 0, "the last server finishes the job with status 0")
    statuses = [node.wait(60) for node in nodes]
    check(statuses == [0] * NODES, f"every node exits 0 ({statuses})")
    log = server.text()
    finished = re.search(r"finished in [\d.]+ s: (\d+) of (\d+) chunks, .*? (\d+) duplicate result\(s\)", log)
    check(finished is not None and finished.group(1) == finished.group(2) and "chunk(s) failed" not in log,
          "no chunk failed")
    check(h5_equal(os.path.join(work, "out.h5"), os.path.join(work, "full.h5")),
          f"after {KILLS} kill(s) of the server the output is bit-identical to the undisturbed run")
    table = node_summary(log)
    working = [n for n, (results, _) in table.items() if results > 0]
    check(len(working) == NODES, f"every node took part after the last restart ({table})")
    earlier = re.search(r"(\d+) result\(s\) of an earlier server run taken", log)
    print(f"{finished.group(3)} duplicate result(s) (resent, or computed twice) after {KILLS} kill(s), the last server's count; "
          f"it took {earlier.group(1) if earlier else 0} result(s) of an earlier run", flush=True)
    leftovers = sorted(f for f in os.listdir(work) if f.startswith("out.h5"))
    check(leftovers == ["out.h5"], f"checkpoint, lock and journal are gone once the output is written ({leftovers})")

    # The finished job, resumed again (a requeue after the end): done, nothing recomputed.
    written = os.stat(os.path.join(work, "out.h5")).st_mtime_ns
    status, out, err = run([NC_JOB, *PICTURE, "--output", "out.h5", "--resume", "--server", "--listen",
                            "127.0.0.1:0"], 60, cwd=work)
    check(status == 0 and "is done already" in err, "--resume of a finished job says it is done, with status 0")
    check(os.stat(os.path.join(work, "out.h5")).st_mtime_ns == written, "... and leaves its output as it is")
