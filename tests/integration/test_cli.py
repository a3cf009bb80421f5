"""The program's command line: help, the job list, and clear errors for bad input."""
from nctest import NC_JOB, check, run

status, out, err = run([NC_JOB, "--help"], 30)
check(status == 0, "--help exits 0")
for word in ["--heartbeat", "--timeout", "--threads", "--listen", "--connect", "--width", "--max-iter", "mpirun",
             "--output", "--png", "--sequential"]:
    check(word in out, f"--help explains {word}")

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

status, out, err = run([NC_JOB, "--version"], 30)
check(status == 0 and "node_crunch" in out, "--version answers")
