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

    status, out, err = run([NC_JOB, "empty", "--tasks", "2000", "--fail-on", "1234", "--nodes", "2",
                            "--fail-fast"], 60, cwd=work)
    check(status == 1 and "--fail-fast" in err and "chunk 1234" in err and "task 1234 refused" in err,
          "with --fail-fast the first throwing task ends the run, with its chunk and reason")
    check("after 3 attempt(s)" not in err, "with --fail-fast the chunk is not tried again")

    status, out, err = run([NC_JOB, "empty", "--tasks", "2000", "--nodes", "2", "--fail-start", "2"], 60, cwd=work)
    check(status == 0 and "tasks=2000" in out, "a node that cannot start is set aside: the other does the job")
    # Whether node 2 reports before node 1 has done every task is a race; when it does, it says why.
    said = "node 2 quarantined: it could not start" in err
    print(f"node 2 reported that it could not start before the end: {said}")
    check(not said or "node 2 cannot start (--fail-start)" in err, "the log says why node 2 could not start")

    status, out, err = run([NC_JOB, "empty", "--tasks", "2000", "--nodes", "2", "--fail-start", "0"], 60, cwd=work)
    check(status == 1 and "no node is left to work: all 2 were quarantined" in err and "--fail-start" in err,
          "no node can start: the run fails and says why")

    status, out, err = run([NC_JOB, "empty", "--tasks", "20000", "--nodes", "2", "--threads", "2"], 60, cwd=work)
    check(status == 0 and "tasks=20000" in out, "the empty job brings every task back once")
    check(not os.listdir(work), "nothing is left behind in the working directory")
