"""A TCP server on loopback with two nodes, a third joining mid-run, the statistics asked for
while it runs: the picture equals the one computed alone, every node took part, and the nodes
end with the job."""
import json
import os
import re
import subprocess
import time

from nctest import node_summary, NC_JOB, Workdir, check, h5_equal, run, start_node, start_tcp_server

PICTURE = ["--width", "1200", "--height", "900", "--max-iter", "3000", "--chunk-height", "3"]
with Workdir() as work:
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", "tcp.h5"], work)
    nodes = [start_node(port, work), start_node(port, work)]
    server.wait_for(r"node 2 joined", 30)
    time.sleep(0.5)  # let the job get going; the third node then joins a running job
    nodes.append(start_node(port, work))
    server.wait_for(r"node 3 joined", 30)

    status = subprocess.run([NC_JOB, "--status", f"127.0.0.1:{port}"], capture_output=True, text=True, timeout=30)
    check(status.returncode == 0, "--status answers while the job runs")
    stats = json.loads(status.stdout)
    check(stats["job"] == "mandel" and stats["state"] == "running" and stats["chunks"]["total"] == 300,
          "the statistics name the job, its state and its chunks")
    check(len(stats["nodes"]) == 3 and all("last_heartbeat_s" in n for n in stats["nodes"]),
          "the statistics list the three nodes with their last heartbeat")

    check(server.wait(120) == 0, "the server exits 0")
    ended_at = time.monotonic()
    statuses = [node.wait(10) for node in nodes]
    lingered = time.monotonic() - ended_at
    check(statuses == [0, 0, 0], "every node exits 0")
    print(f"nodes were gone {lingered:.2f} s after the server")
    check(lingered < 2.0, "no node lingers after the job")
    text = server.text()
    counts = {node: results for node, (results, where) in node_summary(text).items() if where.startswith("127.0.0.1:")}
    print("results per node:", counts)
    check(len(counts) == 3 and all(c > 0 for c in counts.values()), "all three nodes, the late one too, computed chunks")

    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", "alone.h5", "--nodes", "2"], 120, cwd=work)
    check(status == 0, "the same picture computed alone")
    check(h5_equal(os.path.join(work, "tcp.h5"), os.path.join(work, "alone.h5")), "TCP gives the same dataset")
