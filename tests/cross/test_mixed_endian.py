"""One TCP job, nodes of both byte orders: a server built for this machine (NC_JOB), a node of
the cross build (NC_FOREIGN_JOB, big-endian s390x, run by NC_FOREIGN_EMULATOR, qemu-s390x)
and two nodes of this machine. The foreign node joins first and must bring back results; the
output must be the same bits as a run on this machine alone (server and nodes in one process).
Two jobs:

  mandel  escape counts (vectors of uint32) for bands of rows, parameters of doubles;
  mixed   tasks and results of text (UTF-8, a NUL byte), doubles (-0, subnormals, infinities,
          NaNs with payloads), floats, integers of several widths and vectors of each, over an
          authenticated, encrypted connection (a shared secret).

Both machines also compute a smaller mixed job alone (--sequential): equal files there show
that their arithmetic gives the same bits, so a difference in the TCP runs is the wire's. The
server hands out a few tasks and then holds the job (--pause-after-tasks) until the foreign node
has brought back a result and this machine's nodes have joined: both kinds take part, however
fast or slow the emulation.

  NC_JOB=build/jobs/nc_job NC_FOREIGN_JOB=build-s390x/jobs/nc_job NC_FOREIGN_EMULATOR=qemu-s390x \\
    python3 tests/cross/test_mixed_endian.py
(ctest runs it in a cross build configured with -DNC_HOST_JOB=...: label "cross")"""
import filecmp
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nctest import (NC_JOB, Background, Workdir, check, fail, node_summary, read_dataset, run,  # noqa: E402
                    start_node, start_tcp_server, wait_until)

FOREIGN_JOB = os.environ.get("NC_FOREIGN_JOB") or fail("NC_FOREIGN_JOB: the cross-built nc_job")
EMULATOR = shlex.split(os.environ.get("NC_FOREIGN_EMULATOR", ""))

MANDEL = ["mandel", "--width", "480", "--height", "360", "--max-iter", "3000", "--chunk-height", "4"]
MIXED = ["mixed", "--tasks", "400", "--points", "40", "--degree", "9", "--rounds", "2000",
         "--label", "mixed \u2713 byte order"]
MIXED_ALONE = ["mixed", "--tasks", "60", "--points", "40", "--degree", "9", "--rounds", "500",
               "--label", "mixed \u2713 byte order", "--sequential"]


def byte_order(path):
    """The byte order an ELF program was built for."""
    with open(path, "rb") as f:
        head = f.read(6)
    if head[:4] != b"\x7fELF":
        fail(f"{path} is not an ELF program")
    return {1: "little", 2: "big"}.get(head[5], "unknown")


def foreign_command(*args):
    return [*EMULATOR, FOREIGN_JOB, *args]


def node_results(port, node, extra):
    """Results the server has from `node` so far (its --status), None if it does not answer."""
    try:
        answer = subprocess.run([NC_JOB, "--status", f"127.0.0.1:{port}", *extra], capture_output=True,
                                text=True, timeout=30)
    except subprocess.TimeoutExpired:
        return None
    if answer.returncode != 0:
        return None
    for entry in json.loads(answer.stdout)["nodes"]:
        if entry["id"] == node:
            return entry["results"]
    return 0


def serve_mixed(work, job, output, extra=()):
    """Runs `job` on a server of this machine: the foreign node joins first, two nodes of this
    machine join once it has brought back a result. The server hands out at most 4 tasks until
    then, so the job cannot end before every node is there. Returns {node id: results} and the
    foreign node's id."""
    server, port = start_tcp_server([*job, "--output", output, "--pause-after-tasks", "4", *extra], work)
    started = time.monotonic()
    nodes = [Background(foreign_command(job[0], "--connect", f"127.0.0.1:{port}", *extra), cwd=work)]
    foreign_id = int(server.wait_for(r"node (\d+) joined", 120).group(1))
    wait_until(lambda: (node_results(port, foreign_id, extra) or 0) > 0, 300,
               lambda: "the foreign node's first result", server)
    print(f"the foreign node joined and brought back its first result in "
          f"{time.monotonic() - started:.1f} s", flush=True)
    nodes += [start_node(port, work, extra, job=job[0]) for _ in range(2)]
    wait_until(lambda: len(re.findall(r"node \d+ joined", server.text())) >= 3, 120,
               lambda: "this machine's two nodes joined", server)
    server.process.send_signal(signal.SIGUSR1)  # carry on (or, before the pause, go without one)
    status = server.wait(300)
    print(server.text()[-3000:])
    check(status == 0, f"{job[0]}: the server exits 0")
    statuses = [node.wait(60) for node in nodes]
    for node, node_status in zip(nodes, statuses):
        if node_status != 0:
            print(f"a node exited with {node_status}:", " ".join(node.process.args), node.text(), sep="\n")
    check(statuses == [0] * len(nodes), f"{job[0]}: every node exits 0")
    print(f"{job[0]}: the TCP job took {time.monotonic() - started:.1f} s")
    results = {node: count for node, (count, where) in node_summary(server.text()).items()
               if where.startswith("127.0.0.1:")}
    return results, foreign_id


def check_foreign_share(job, results, foreign_id):
    print(f"{job}: results per node {results} (the foreign node is {foreign_id})")
    check(results.get(foreign_id, 0) > 0, f"{job}: the big-endian node computed chunks")
    check(sum(n for node, n in results.items() if node != foreign_id) > 0,
          f"{job}: this machine's nodes computed chunks too")


order = byte_order(FOREIGN_JOB)
print(f"foreign node: {FOREIGN_JOB} ({order}-endian), run by {' '.join(EMULATOR) or 'itself'}; "
      f"server and other nodes: {NC_JOB} ({sys.byteorder}-endian)")
check(order in ("little", "big") and order != sys.byteorder, "the foreign node has the other byte order")

with Workdir() as work:
    status, out, err = run(foreign_command("--list"), 120, cwd=work)
    check(status == 0 and "mixed" in out and "mandel" in out, "the foreign nc_job starts and lists its jobs")

    # Mandelbrot: the server writes HDF5; the foreign node needs none.
    results, foreign_id = serve_mixed(work, MANDEL, "mixed.h5")
    check_foreign_share("mandel", results, foreign_id)
    status, out, err = run([NC_JOB, *MANDEL, "--nodes", "2", "--output", "native.h5"], 120, cwd=work)
    check(status == 0, "mandel: the same picture computed on this machine alone")
    mixed_data, _ = read_dataset(os.path.join(work, "mixed.h5"))
    native_data, _ = read_dataset(os.path.join(work, "native.h5"))
    check(mixed_data.dtype == native_data.dtype and mixed_data.shape == native_data.shape
          and mixed_data.tobytes() == native_data.tobytes(),
          "mandel: the picture is the same bits with a big-endian node as without")

    # Text, doubles, floats, integers and vectors, through an encrypted connection.
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write("a secret shared by machines of both byte orders\n")
    os.chmod(secret, 0o600)
    auth = ["--secret-file", secret]
    results, foreign_id = serve_mixed(work, MIXED, "mixed.txt", extra=auth)
    check_foreign_share("mixed", results, foreign_id)
    status, out, err = run([NC_JOB, *MIXED, "--nodes", "2", "--output", "native.txt"], 120, cwd=work)
    check(status == 0, "mixed: the same job computed on this machine alone")
    check(filecmp.cmp(os.path.join(work, "mixed.txt"), os.path.join(work, "native.txt"), shallow=False),
          "mixed: every report is the same bits with a big-endian node as without")

    status, out, err = run([NC_JOB, *MIXED_ALONE, "--output", "native-alone.txt"], 120, cwd=work)
    check(status == 0, "mixed: this machine computes a smaller job without node_crunch")
    status, out, err = run(foreign_command(*MIXED_ALONE, "--output", "foreign-alone.txt"), 300, cwd=work)
    check(status == 0, "mixed: the foreign machine computes it too")
    check(filecmp.cmp(os.path.join(work, "foreign-alone.txt"), os.path.join(work, "native-alone.txt"),
                      shallow=False),
          "mixed: both machines' arithmetic gives the same bits")
