"""Nodes killed, stopped and replaced while a TCP job runs: the picture stays exact.
- SIGKILL: the dropped connection frees the node's chunks at once, long before the heartbeat
  timeout (set to 30 s here, so the job could not finish in time otherwise);
- SIGSTOP: the heartbeat timeout catches the hung node and its chunks go to the others (with
  speculative copies off, which would otherwise re-run them before the timeout);
- a replacement node started during the job takes part.
Each server pauses after handing out a few tasks (--pause-after-tasks). Once no task is in
flight every node idles with its request held; the node is stopped, the server released with
SIGUSR1, and the held request of the stopped node is answered: it surely holds chunks when it
is killed or falls silent, however fast or loaded the machine."""
import os
import re
import signal
import time
from datetime import datetime

from nctest import node_summary, NC_JOB, Workdir, check, h5_equal, run, start_node, start_tcp_server

PICTURE = ["--width", "1000", "--height", "800", "--max-iter", "3000", "--chunk-height", "2"]


def pid_of(server, node_id):
    found = server.wait_for(rf"node {node_id} joined at 127\.0\.0\.1:\d+ \(host [^,]+, pid (\d+)\)", 30)
    return int(found.group(1))


def log_time(line):
    return datetime.strptime(line[1:24], "%Y-%m-%d %H:%M:%S.%f").timestamp()


with Workdir() as work:
    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", "alone.h5", "--nodes", "2"], 120, cwd=work)
    check(status == 0, "the reference picture, computed alone")

    # SIGKILL while holding chunks, with a heartbeat timeout far longer than the job.
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", "killed.h5", "--timeout", "30",
                                     "--pause-after-tasks", "20"], work)
    victim = start_node(port, work)
    victim_pid = pid_of(server, 1)
    survivor = start_node(port, work)
    server.wait_for(r"node 2 joined", 30)
    server.wait_for(r"paused after handing out 20 tasks", 30)
    server.wait_for(r"paused with no task in flight", 30)
    os.kill(victim_pid, signal.SIGSTOP)  # it cannot answer what it is handed next
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    os.kill(victim_pid, signal.SIGKILL)
    killed_at = time.time()
    lost = server.wait_for(r"\[(.{23})\] \[server\] \[warning\] node 1 .* is lost: (.*?);", 20)
    print(f"node 1 reported lost {log_time(lost.group(0)) - killed_at:+.3f} s after SIGKILL ({lost.group(2)})")
    check("no heartbeat" not in lost.group(2), f"the killed node is lost by its dropped connection ({lost.group(2)})")
    check(server.wait(60) == 0, "the server finishes without waiting for the heartbeat timeout")
    check(survivor.wait(10) == 0, "the survivor exits 0")
    victim.wait(10)
    again = re.search(r"1 node\(s\) lost during the job; (\d+) task\(s\) handed out again", server.text())
    check(again is not None and int(again.group(1)) > 0,
          f"the killed node's chunks were handed out again ({again and again.group(1)})")
    check(h5_equal(os.path.join(work, "killed.h5"), os.path.join(work, "alone.h5")), "a killed node changes nothing")

    # SIGSTOP: caught by the heartbeat timeout. The stopped node is alone, so the job can only
    # finish through the replacement that joins after the node is declared lost.
    # No speculative copies here: only the heartbeat timeout can give the stopped node's chunks back.
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", "stopped.h5", "--heartbeat", "0.2",
                                     "--timeout", "2", "--max-copies", "1", "--pause-after-tasks", "10"], work)
    hung = start_node(port, work)
    hung_pid = pid_of(server, 1)
    server.wait_for(r"paused after handing out 10 tasks", 30)
    server.wait_for(r"paused with no task in flight", 30)
    os.kill(hung_pid, signal.SIGSTOP)
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    lost = server.wait_for(r"node 1 .* is lost: ([^;]*)", 20)
    check("no heartbeat" in lost.group(1), f"the stopped node is declared lost by its silence ({lost.group(1)})")
    replacement = start_node(port, work)
    server.wait_for(r"node 2 joined", 30)
    check(server.wait(60) == 0, "the server finishes with the replacement")
    check(replacement.wait(10) == 0, "the replacement exits 0")
    os.kill(hung_pid, signal.SIGKILL)
    hung.wait(10)
    text = server.text()
    summary = node_summary(text)
    print("results per node:", summary)
    check(summary.get(2, (0, ""))[0] > 0, "the replacement computed chunks")
    again = re.search(r"1 node\(s\) lost during the job; (\d+) task\(s\) handed out again", text)
    check(again is not None and int(again.group(1)) > 0,
          f"the stopped node's chunks were handed out again ({again and again.group(1)})")
    check(h5_equal(os.path.join(work, "stopped.h5"), os.path.join(work, "alone.h5")), "a stopped node changes nothing")
