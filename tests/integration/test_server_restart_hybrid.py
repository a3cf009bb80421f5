"""A hybrid job (an MPI job whose server also takes TCP nodes) survives its server: mpirun is
SIGKILLed mid-run, ranks and all, while a TCP node computes; the TCP node waits for the server
and keeps its results; mpirun started again with --resume on the same port takes the node back,
with the results of the killed run's tasks it still had, and the job ends with exactly the
output of an undisturbed run. Each server holds its requests at the start
(--pause-after-tasks 0) and hears no node as lost (--timeout 600): the test moves the job on,
waiting for events only (status values, log lines)."""
import os
import signal

from nctest import (NC_JOB, Background, Workdir, check, h5_equal, mpirun_command, node_summary, run, status_node,
                    wait_status)

PICTURE = ["--width", "1000", "--height", "800", "--max-iter", "3000", "--chunk-height", "2"]
HELD = ["--pause-after-tasks", "0", "--timeout", "600", "--max-prefetch", "8"]

def kill_session(leader):
    """SIGKILL to every process of the session `leader` started: mpirun puts each rank in a
    process group of its own, so killing mpirun's group would leave the ranks running."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == leader:
                    os.kill(int(entry), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


def start_mpi_server(work, port, resume):
    args = ["mandel", *PICTURE, "--output", "hybrid.h5", "--listen", f"127.0.0.1:{port}", *HELD]
    server = Background(mpirun_command(2, args + (["--resume"] if resume else [])), cwd=work)
    found = server.wait_for(r"listening on 127\.0\.0\.1:(\d+)", 60, stream="stdout")
    return server, int(found.group(1))


with Workdir() as work:
    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", "alone.h5", "--nodes", "2"], 120, cwd=work)
    check(status == 0, "an undisturbed run, to compare with")

    server, port = start_mpi_server(work, 0, resume=False)
    node = Background([NC_JOB, "mandel", "--connect", f"127.0.0.1:{port}", "--retry-max", "0.5",
                       "--max-prefetch", "8"], cwd=work)
    wait_status(port, lambda s: (status_node(s, node.process.pid) or {}).get("waiting", 0) > 0,
                "the TCP node registered and asking for work", server)
    server.process.send_signal(signal.SIGUSR1)  # mpirun passes it on: the server carries on
    at_kill = wait_status(port, lambda s: s["chunks"]["done"] >= 40 and
                          (status_node(s, node.process.pid) or {}).get("results", 0) > 0,
                          "40 chunks done, some by the TCP node", server)
    kill_session(server.process.pid)  # mpirun and every rank
    server.wait(30)
    print(f"killed with {at_kill['chunks']['done']} of {at_kill['chunks']['total']} chunks done, "
          f"{at_kill['chunks']['processing']} in flight", flush=True)
    node.wait_for(r"lost the connection to 127\.0\.0\.1", 60)
    node.wait_for(r"cannot reach the server at 127\.0\.0\.1:\d+ .*trying again", 60)
    check(node.process.poll() is None, "the TCP node waits for its server")

    server, port = start_mpi_server(work, port, resume=True)
    wait_status(port, lambda s: status_node(s, node.process.pid) is not None,
                "the same TCP node process is back with the resumed job", server)
    server.process.send_signal(signal.SIGUSR1)
    check(server.wait(180) == 0, "the resumed hybrid job ends with status 0")
    check(node.wait(60) == 0, "the TCP node, the same process all along, exits 0")
    log = server.text()
    check("chunk(s) restored" in log and "task(s) of earlier server runs on record" in log,
          "the resumed server read the checkpoint and the task journal")
    rows = node_summary(log).values()
    tcp = [results for results, where in rows if where.startswith("127.0.0.1:")]
    check(len(tcp) == 1 and tcp[0] > 0, "the TCP node computed chunks for the resumed job")
    check(h5_equal(os.path.join(work, "hybrid.h5"), os.path.join(work, "alone.h5")),
          "the picture is exactly that of the undisturbed run")

    # Submitted once more after the end (a requeue that comes too late): every rank ends with
    # status 0 and nothing is computed again.
    written = os.stat(os.path.join(work, "hybrid.h5")).st_mtime_ns
    status, out, err = run(mpirun_command(2, ["mandel", *PICTURE, "--output", "hybrid.h5", "--listen", "127.0.0.1:0",
                                              "--resume"]), 120, cwd=work)
    check(status == 0 and "is done already" in err, "--resume of the finished MPI job says it is done, status 0")
    check(os.stat(os.path.join(work, "hybrid.h5")).st_mtime_ns == written, "... and leaves its output as it is")
