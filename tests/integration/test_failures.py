"""Failures end a run loudly, with the failure status and a message that says what happened."""
import os

from nctest import NC_JOB, Workdir, check, run

with Workdir() as work:
    status, out, err = run([NC_JOB, "mandel", "--width", "64", "--height", "48", "--output",
                            "/nonexistent/dir/x.h5", "--nodes", "2"], 60, cwd=work)
    check(status == 1, "an output that cannot be written fails the run")
    check("could not start" in err and "/nonexistent/dir/x.h5" in err and "No such file or directory" in err,
          "it fails before any work, and the message names the file and the reason")

    status, out, err = run([NC_JOB, "empty", "--tasks", "2000", "--fail-on", "1234", "--nodes", "2"], 60, cwd=work)
    check(status == 1, "a node whose code throws fails the run")
    check("chunk 1234" in err and "task 1234 refused" in err, "the message names the chunk and the node's exception")

    status, out, err = run([NC_JOB, "empty", "--tasks", "20000", "--nodes", "2", "--threads", "2"], 60, cwd=work)
    check(status == 0 and "tasks=20000" in out, "the empty job brings every task back once")
    check(not os.listdir(work), "nothing is left behind in the working directory")
