"""What a person watching sees. Where stderr is a file (a Slurm output file): a progress line
every few seconds with chunks done/total, rate, ETA and nodes, then a summary whose per-node
counts add up. On a terminal: a live bar that leaves the screen before the summary. --quiet
says only what is wrong; --log-dir gives each process a log file named by its role and id.

Progress is shown at intervals, so a line or a bar needs time to pass while the job runs: the
job holds after 20 tasks (--pause-after-tasks) until the interval has passed since the job
started (or the bar was last drawn), and the first result after the release is shown mid-run,
however fast the machine. While it is held, progress lines keep coming, saying that nothing
moves."""
import os
import re
import shutil
import signal
import subprocess
import time

from nctest import NC_JOB, Background, Workdir, check, mpirun_command, run, wait_until

LONG = ["mandel", "--width", "1600", "--height", "1200", "--max-iter", "8000", "--chunk-height", "4"]
PAUSE = ["--pause-after-tasks", "20"]


def release_after(text, interval, send, describe):
    """Once the paused job is quiet (as `text()` shows), waits until `interval` s have passed
    and then releases it with `send(SIGUSR1)`."""
    wait_until(lambda: "paused with no task in flight" in text(), 120, lambda: f"{describe}: the pause")
    quiet = time.monotonic()
    # The interval is what is under test: it must pass while the job is held.
    wait_until(lambda: time.monotonic() >= quiet + interval, interval + 5, lambda: "the interval")
    send(signal.SIGUSR1)


with Workdir() as work:
    job = Background([NC_JOB, *LONG, *PAUSE, "--nodes", "2", "--output", "a.h5", "--progress-every", "0.5"],
                     cwd=work)
    job.wait_for(r"job 'mandel' started", 60)  # the progress interval counts from here
    # While the job is held nothing moves, and progress lines keep saying so.
    job.wait_for(r"paused with no task in flight", 120)
    held_at = job.text().index("paused with no task in flight")
    wait_until(lambda: job.text().count("progress: 20/300 chunks", held_at) >= 2, 120,
               lambda: "two progress lines while the job is held", job)
    job.process.send_signal(signal.SIGUSR1)
    status, err = job.wait(180), job.text()
    check(status == 0, "a run of several seconds, its stderr going to a file")
    lines = re.findall(r"progress: (\d+)/(\d+) chunks \(([\d.]+)%\), ([\d.]+) chunks/s, ETA (\d+ s|\?), (\d+) nodes alive, "
                       r"(\d+) lost", err)
    print("\n".join(l for l in err.splitlines() if "progress" in l))
    check(len(lines) >= 1, "progress lines are logged")
    done = [int(l[0]) for l in lines]
    check(all(int(l[1]) == 300 for l in lines) and done == sorted(done) and any(0 < d < 300 for d in done),
          "each says chunks done of the 300, rising, while the job runs")
    check(all(int(l[5]) == 2 and int(l[6]) == 0 for l in lines), "and the nodes alive and lost")
    check("\r" not in err and "\033" not in err, "no terminal control characters in a file")
    summary = re.search(r"finished in [\d.]+ s: 300 of 300 chunks, (\d+) tasks sent", err)
    check(summary is not None, "the summary counts the chunks")
    rows = re.findall(r"\]\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\S+)\s+local node", err)
    check(len(rows) == 2 and sum(int(r[1]) for r in rows) >= 300 and all(float(r[2]) > 0 for r in rows),
          "one summary row per node, with its results and busy time, adding up")

    status, out, err = run([NC_JOB, *LONG, "--nodes", "2", "--output", "q.h5", "--quiet"], 180, cwd=work)
    check(status == 0 and err.strip() == "", "--quiet says nothing when nothing is wrong")

    if shutil.which("script"):
        tty_log = os.path.join(work, "tty.log")

        def screen_text():
            try:
                with open(tty_log, "rb") as f:
                    return f.read().decode(errors="replace")
            except FileNotFoundError:
                return ""

        def signal_job(number):
            # The job's own pid (script runs it in a session of its own), from its log.
            os.kill(int(re.search(r"joined at local node 1 \(host [^,]+, pid (\d+)\)", screen_text()).group(1)),
                    number)

        terminal = subprocess.Popen(["script", "-qfec", f"{NC_JOB} {' '.join(LONG + PAUSE)} --nodes 2 --output t.h5",
                                     tty_log], cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        release_after(screen_text, 0.3, signal_job, "a run on a terminal")  # the bar is redrawn every 0.2 s
        check(terminal.wait(timeout=180) == 0, "the same run on a terminal")
        screen = screen_text()
        bars = [int(n) for n in re.findall(r"\[#*\.*\] (\d+)/300 chunks", screen)]
        check(any(0 < n < 300 for n in bars), f"a live bar is drawn while the job runs ({len(bars)} times)")
        summary_at = screen.rfind("finished in")
        check(summary_at >= 0 and re.search(r"\[#*\.*\] \d+/300 chunks", screen[summary_at:]) is None,
              "the bar is gone before the summary")

    logs = os.path.join(work, "logs")
    status, out, err = run(mpirun_command(3, [*LONG[:-4], "--max-iter", "300", "--output", "m.h5", "--log-dir", logs]),
                           120, cwd=work)
    check(status == 0, "an MPI run with --log-dir")
    check(sorted(os.listdir(logs)) == ["node-1.log", "node-2.log", "server.log"], "a log file per process, by role and id")
    with open(os.path.join(logs, "server.log")) as f:
        check("finished in" in f.read(), "the server's file has the summary")
