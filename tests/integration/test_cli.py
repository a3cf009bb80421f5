"""The program's command line: help, the job list, and clear errors for bad input."""
from nctest import NC_JOB, RefusingPort, check, run

status, out, err = run([NC_JOB, "--help"], 30)
check(status == 0, "--help exits 0")
for word in ["--heartbeat", "--timeout", "--threads", "--listen", "--connect", "--width", "--max-iter", "mpirun",
             "--output", "--png", "--sequential", "--pause-after-tasks"]:
    check(word in out, f"--help explains {word}")
check("SIGUSR1" in out, "--help says how a paused job carries on")

status, out, err = run([NC_JOB, "--list"], 30)
check(status == 0 and "mandel" in out and "empty" in out, "--list names the jobs")

status, out, err = run([NC_JOB, "empty", "--help"], 30)
check(status == 0 and "--tasks" in out and "--width" not in out, "a job's --help shows that job's options")

status, out, err = run([NC_JOB, "spiral"], 30)
check(status == 2 and "unknown job 'spiral'" in err, "an unknown job is a usage error that names it")

status, out, err = run([NC_JOB, "mandel", "--width", "0"], 30)
check(status == 2 and "--width" in err, "a bad job option is a usage error that names the option")

status, out, err = run([NC_JOB, "mandel", "--timeout", "0.1", "--heartbeat", "1"], 30)
check(status == 2 and "--timeout" in err, "a timeout shorter than the heartbeat is refused")

for nonsense in ["-1", "2.5", "some"]:
    status, out, err = run([NC_JOB, "mandel", "--pause-after-tasks", nonsense], 30)
    check(status == 2 and "--pause-after-tasks" in err and "whole number" in err,
          f"--pause-after-tasks {nonsense} is a usage error that names the option")
status, out, err = run([NC_JOB, "mandel", "--pause-after-tasks", "5", "--connect", "127.0.0.1:1"], 30)
check(status == 2 and "--pause-after-tasks is for the server" in err, "a node is not given a pause")

status, out, err = run([NC_JOB, "--version"], 30)
check(status == 0 and "node_crunch" in out, "--version answers")

# A node with more worker threads than the CPUs it may run on says so (here pinned by taskset,
# as mpirun pins ranks); with as many threads as CPUs it does not. Neither finds a server: the
# port is held by a socket that does not listen.
with RefusingPort() as nobody:
    unreachable = ["--connect", f"127.0.0.1:{nobody.port}", "--connect-attempts", "1"]
    status, out, err = run(["taskset", "-c", "0", NC_JOB, "mandel", "--threads", "2", *unreachable], 30)
    check(status != 0 and "--threads 2 but this process may run on only 1 CPU" in err,
          "a node pinned to one CPU with two threads warns that its threads take turns")
    status, out, err = run(["taskset", "-c", "0", NC_JOB, "mandel", "--threads", "1", *unreachable], 30)
    check(status != 0 and "may run on only" not in err and "could not reach the server" in err,
          "a node with one thread per CPU does not warn")
