"""What a person watching sees. Where stderr is a file (a Slurm output file): a progress line
every few seconds with chunks done/total, rate, ETA and nodes, then a summary whose per-node
counts add up. On a terminal: a live bar that leaves the screen before the summary. --quiet
says only what is wrong; --log-dir gives each process a log file named by its role and id."""
import os
import re
import shutil
import subprocess

from nctest import NC_JOB, Workdir, check, mpirun_command, run

LONG = ["mandel", "--width", "1600", "--height", "1200", "--max-iter", "8000", "--chunk-height", "4"]
with Workdir() as work:
    status, out, err = run([NC_JOB, *LONG, "--nodes", "2", "--output", "a.h5", "--progress-every", "0.5"], 180, cwd=work)
    check(status == 0, "a run of several seconds, its stderr going to a file")
    lines = re.findall(r"progress: (\d+)/(\d+) chunks \(([\d.]+)%\), ([\d.]+) chunks/s, ETA (\d+) s, (\d+) nodes alive, "
                       r"(\d+) lost", err)
    print("\n".join(l for l in err.splitlines() if "progress" in l))
    check(len(lines) >= 1, "progress lines are logged")
    done = [int(l[0]) for l in lines]
    check(all(int(l[1]) == 300 for l in lines) and done == sorted(done) and 0 < done[-1] < 300,
          "each says chunks done of the 300, rising")
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
        done = subprocess.run(["script", "-qfec", f"{NC_JOB} {' '.join(LONG)} --nodes 2 --output t.h5",
                               os.path.join(work, "tty.log")], cwd=work, capture_output=True, timeout=180)
        check(done.returncode == 0, "the same run on a terminal")
        with open(os.path.join(work, "tty.log"), "rb") as f:
            screen = f.read().decode(errors="replace")
        bars = re.findall(r"\[#*\.*\] (\d+)/300 chunks", screen)
        check(len(bars) >= 3, f"a live bar is drawn ({len(bars)} times)")
        tail = screen[screen.rfind("finished in"):]
        check("chunks" not in tail.split("\n", 1)[1] if "\n" in tail else True, "the bar is gone before the summary")

    logs = os.path.join(work, "logs")
    status, out, err = run(mpirun_command(3, [*LONG[:-4], "--max-iter", "300", "--output", "m.h5", "--log-dir", logs]),
                           120, cwd=work)
    check(status == 0, "an MPI run with --log-dir")
    check(sorted(os.listdir(logs)) == ["node-1.log", "node-2.log", "server.log"], "a log file per process, by role and id")
    with open(os.path.join(logs, "server.log")) as f:
        check("finished in" in f.read(), "the server's file has the summary")
