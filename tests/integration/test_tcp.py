"""A TCP server on loopback with two nodes, a third joining mid-run, the statistics asked for
while it runs: the picture equals the one computed alone, every node took part, and the nodes
end with the job. The server pauses after a few tasks (--pause-after-tasks) while the third
node joins and the statistics are read, so both happen in a running job on any machine."""
import json
import os
import re
import signal
import subprocess

from nctest import node_summary, NC_JOB, Workdir, check, h5_equal, run, start_node, start_tcp_server

PICTURE = ["--width", "1200", "--height", "900", "--max-iter", "3000", "--chunk-height", "3"]
with Workdir() as work:
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", "tcp.h5", "--pause-after-tasks", "30"], work)
    nodes = [start_node(port, work), start_node(port, work)]
    server.wait_for(r"node 2 joined", 30)
    server.wait_for(r"paused after handing out 30 tasks", 30)  # the job is going: 30 of 300 chunks out
    # A node given job options of its own computes with the server's, and says so.
    nodes.append(start_node(port, work, ["--width", "5", "--max-iter", "7"]))
    server.wait_for(r"node 3 joined", 30)

    status = subprocess.run([NC_JOB, "--status", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
    check(status.returncode == 0, "--status answers while the job runs")
    stats = json.loads(status.stdout)
    check(stats["job"] == "mandel" and stats["state"] == "running" and stats["chunks"]["total"] == 300,
          "the statistics name the job, its state and its chunks")
    check(stats["tasks_sent"] == 30 and stats["chunks"]["done"] < 300,
          "the statistics show the job held at 30 tasks handed out")
    check(len(stats["nodes"]) == 3 and all("last_heartbeat_s" in n for n in stats["nodes"]),
          "the statistics list the three nodes with their last heartbeat")
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)

    check(server.wait(120) == 0, "the server exits 0")
    statuses = [node.wait(30) for node in nodes]
    check(statuses == [0, 0, 0], "every node exits 0 once the job is done")
    check(all("the job is done" in node.text() for node in nodes), "every node was told the job is done and left")
    check("ignoring --width, --max-iter: a TCP node computes with the job options of its server" in nodes[2].text(),
          "the node given job options says it ignores them")
    text = server.text()
    counts = {node: results for node, (results, where) in node_summary(text).items() if where.startswith("127.0.0.1:")}
    print("results per node:", counts)
    check(len(counts) == 3 and all(c > 0 for c in counts.values()), "all three nodes, the late one too, computed chunks")

    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", "alone.h5", "--nodes", "2"], 120, cwd=work)
    check(status == 0, "the same picture computed alone")
    check(h5_equal(os.path.join(work, "tcp.h5"), os.path.join(work, "alone.h5")), "TCP gives the same dataset")
