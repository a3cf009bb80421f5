"""Under mpirun, a chunk on which the nodes' code throws ends the whole job with a clear message
and a non-zero status, in bounded time; so does an unwritable output. A rank that cannot start
is set aside and the others finish the job; if no rank can start, the job ends and says so."""
from nctest import Workdir, check, mpirun_command, run

with Workdir() as work:
    status, out, err = run(mpirun_command(3, ["empty", "--tasks", "5000", "--fail-on", "2500"]), 60, cwd=work)
    print(err)
    check(status != 0, "a throwing node makes mpirun exit non-zero")
    check("chunk 2500" in err and "task 2500 refused" in err and "rank" in err,
          "the message names the rank, the chunk and the exception")

    status, out, err = run(mpirun_command(3, ["mandel", "--width", "100", "--height", "80", "--output",
                                              "/nonexistent/y.h5"]), 60, cwd=work)
    check(status != 0 and "/nonexistent/y.h5" in err, "an unwritable output fails the MPI run and names the file")

    status, out, err = run(mpirun_command(3, ["empty", "--tasks", "3000", "--fail-start", "1"]), 60, cwd=work)
    check(status == 0 and "tasks=3000" in out, "one rank that cannot start: the other does the job, exit 0")
    # Whether node 1 says so before node 2 has done every task is a race; when it does, it names it.
    said = "node 1 quarantined: it could not start" in err
    print(f"node 1 reported that it could not start before the end: {said}")
    check(not said or "node 1 cannot start (--fail-start)" in err, "the server says why node 1 could not start")

    status, out, err = run(mpirun_command(3, ["empty", "--tasks", "3000", "--fail-start", "0"]), 60, cwd=work)
    print(err[-1500:])
    check(status == 1, f"no rank can start: the job ends with exit 1 (exit {status})")
    check("no node is left to work: all 2 were quarantined" in err and "cannot start (--fail-start)" in err,
          "the server says that no node could start, and why")

    status, out, err = run(mpirun_command(4, ["empty", "--tasks", "30000"]), 60, cwd=work)
    check(status == 0 and "tasks=30000" in out, "the empty job under mpirun brings every task back once")
