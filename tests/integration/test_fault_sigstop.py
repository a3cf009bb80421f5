"""A node rank stopped with SIGSTOP mid-run: its chunks are computed by the others, the
picture is complete and correct, and the run ends with a message naming the stopped rank
instead of waiting for it forever."""
import os
import re
import signal
import time

from nctest import Background, Workdir, check, compare_with_reference, mpirun_command

WIDTH, HEIGHT, MAX_ITER = 1600, 1200, 3000
with Workdir() as work:
    job = Background(mpirun_command(4, ["mandel", "--width", str(WIDTH), "--height", str(HEIGHT), "--max-iter",
                                        str(MAX_ITER), "--chunk-height", "4", "--heartbeat", "0.2", "--timeout", "1",
                                        "--output", "stopped.h5"]), cwd=work)
    joined = job.wait_for(r"node \d+ joined at rank 2 \(host [^,]+, pid (\d+)\)", 60)
    job.wait_for(r"node \d+ joined at rank 3 ", 60)
    time.sleep(0.3)
    pid = int(joined.group(1))
    os.kill(pid, signal.SIGSTOP)
    print("stopped rank 2, pid", pid, flush=True)
    start = time.monotonic()
    status = job.wait(120)
    elapsed = time.monotonic() - start
    text = job.text()
    print(text)
    try:
        os.kill(pid, signal.SIGCONT)
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    check(status == 0, "the run ends with status 0: the results are complete")
    check(re.search(r"rank 2 \(node \d+\) did not answer", text) is not None, "the message names the stopped rank")
    check(elapsed < 60, f"the run ended {elapsed:.1f} s after the stop, without waiting forever")
    compare_with_reference(os.path.join(work, "stopped.h5"), WIDTH, HEIGHT, MAX_ITER)
