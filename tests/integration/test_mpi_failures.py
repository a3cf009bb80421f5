"""Under mpirun, a node whose code throws ends the whole job with a clear message and a
non-zero status, in bounded time; so does an unwritable output."""
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

    status, out, err = run(mpirun_command(4, ["empty", "--tasks", "30000"]), 60, cwd=work)
    check(status == 0 and "tasks=30000" in out, "the empty job under mpirun brings every task back once")
