"""The batch scripts in slurm/ on a real Slurm cluster: each scenario submits them as a user
would, from a fresh submit folder, and compares the picture they leave there with one
computed directly by nc_job. Usage: test_slurm.py mpi|tcp|hybrid|requeue|cancel|timelimit

  mpi        nc_mpi.sbatch with srun and with mpirun; the program found as ./nc_job
  tcp        nc_tcp_server.sbatch: address file, secret, --status; a node array joins it
  hybrid     nc_hybrid.sbatch (MPI) takes a node of nc_tcp_nodes.sbatch as well
  requeue    scancel --batch --signal=TERM stops nc_mpi.sbatch and nc_tcp_server.sbatch; they
             requeue themselves and resume (the TCP nodes wait for the server's next run)
  cancel     a plain scancel ends the TCP job for good, nodes too; submitting again resumes
  timelimit  --time=1 --signal=B:TERM@25: Slurm's warning before the time limit stops the run,
             which requeues itself and resumes until the job is done
"""
import os
import re
import stat
import subprocess
import sys
import time

import slurmtest  # first: it makes tests/integration/nctest.py importable
from nctest import NC_JOB, Workdir, check, fail, run
from slurmtest import (completed, environment, jobs, progress_done, read, reference, require_slurm, same_picture,
                       sized_picture, submit, wait_jobs, wait_until)

SMALL = ["--width", "400", "--height", "300", "--max-iter", "2000"]
MEDIUM = ["--width", "1600", "--height", "1200", "--max-iter", "4000"]


def no_checkpoints(work):
    return not [name for name in os.listdir(work) if name.endswith(".checkpoint")]


def test_mpi(work):
    # The default program is ./nc_job in the submit folder.
    os.symlink(NC_JOB, os.path.join(work, "nc_job"))
    env = environment(NC_JOB=None)
    ids = [submit("nc_mpi.sbatch", ["mandel", *SMALL, "--output", "srun.h5"], work, env, ["--ntasks=3"]),
           submit("nc_mpi.sbatch", ["mandel", *SMALL, "--output", "mpirun.h5"], work,
                  environment(NC_JOB=None, NC_LAUNCHER="mpirun"), ["--ntasks=3"])]
    expected = reference(work, SMALL)
    fields = wait_jobs(ids, 120)
    completed(fields)
    for job_id, name in zip(ids, ["srun", "mpirun"]):
        log = read(os.path.join(work, f"nc_mpi.{job_id}.out"))
        check("MPI: rank 0 of 3 serves, 2 rank(s) compute" in log, f"{name}: one server and two MPI nodes")
        check(same_picture(os.path.join(work, f"{name}.h5"), expected), f"{name}: the picture equals the direct run's")
    check(no_checkpoints(work), "a finished run leaves no checkpoint")


def test_tcp(work):
    env = environment()
    server = submit("nc_tcp_server.sbatch", ["mandel", *MEDIUM, "--output", "tcp.h5", "--progress-every", "1"],
                    work, env)
    address_file = os.path.join(work, f"nc_server.{server}.addr")
    address = wait_until(lambda: read(address_file).strip(), 60, "the server writes its address file")
    check(re.fullmatch(r"[^\s:]+:\d+", address) is not None, f"the address file holds HOST:PORT ({address})")
    secret = os.path.join(work, "nc_secret")
    check(stat.S_IMODE(os.stat(secret).st_mode) == 0o600, "the server made a secret readable by its owner only")
    # Before any node is there the server just waits: its statistics answer.
    status, out, err = run([NC_JOB, "--status", address, "--secret-file", secret], 30, cwd=work)
    check(status == 0 and out.lstrip().startswith("{"), "nc_job --status reads the running server's statistics")
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1-2"])
    expected = reference(work, MEDIUM)
    fields = wait_jobs([server, nodes], 180)
    completed(fields)
    check(same_picture(os.path.join(work, "tcp.h5"), expected), "the picture equals the direct run's")
    check(not os.path.exists(address_file), "the server removed its address file at the end")
    check(no_checkpoints(work), "a finished run leaves no checkpoint")
    log = read(os.path.join(work, f"nc_server.{server}.out"))
    check(len(re.findall(r"node \d+ joined at ", log)) >= 1, "the array's nodes joined the server")


def test_hybrid(work):
    # Long enough for the node job, which starts a second or so later, to find work left.
    picture = [*sized_picture(work, 10), "--chunk-height", "4"]
    server = submit("nc_hybrid.sbatch", ["mandel", *picture, "--output", "hybrid.h5"], work, environment(),
                    ["--ntasks=2"])
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1"])
    expected = reference(work, picture)
    fields = wait_jobs([server, nodes], 180)
    completed(fields)
    log = read(os.path.join(work, f"nc_hybrid.{server}.out"))
    check("node 1 joined at rank 1" in log, "an MPI rank computed")
    check(re.search(r"node \d+ joined at [\d.]+:\d+ ", log) is not None, "the TCP node of the array joined the job")
    check(same_picture(os.path.join(work, "hybrid.h5"), expected), "the picture equals the direct run's")
    check(not os.path.exists(os.path.join(work, f"nc_server.{server}.addr")), "the address file is gone at the end")


def stop_halfway(job_id, log_path):
    """Waits for the first finished chunks, then sends the batch shell SIGTERM as Slurm's
    warning before a time limit would."""
    wait_until(lambda: progress_done(read(log_path)) > 0, 90, f"job {job_id} reports finished chunks")
    if all(f.get("JobState") in ("COMPLETED", "COMPLETING") for f in jobs(job_id)):
        fail("the job ended before it could be stopped: make the picture larger")
    subprocess.run(["scancel", "--batch", "--signal=TERM", job_id], check=True, timeout=30)
    print(f"sent SIGTERM to the batch shell of job {job_id}", flush=True)


def check_resumed(fields, log, name):
    restarts = max(int(f.get("Restarts", "0")) for f in fields.values())
    check(restarts >= 1, f"{name}: the job requeued itself ({restarts} restart(s))")
    # mpirun stops forwarding the ranks' output when it is signalled: their last words are lost.
    if name != "mpirun":
        check("stopped after" in log and "run again with --resume" in log, f"{name}: the server kept its checkpoint")
    check("requeued to compute the rest" in log, f"{name}: the script requeued the job")
    check("is there: resuming the interrupted run" in log and "chunk(s) restored" in log,
          f"{name}: the rerun resumed from the checkpoint")


def test_requeue(work):
    env = environment()
    # Long enough to be stopped halfway, short enough to wait for.
    sized = sized_picture(work, 8)
    picture = [*sized, "--progress-every", "1"]
    expected_process = subprocess.Popen([NC_JOB, "mandel", *sized, "--nodes", "2", "--no-checkpoint", "--quiet",
                                         "--output", "reference.h5"], cwd=work)

    # MPI: the script passes the signal to the ranks through Slurm (srun) or through mpirun.
    # The srun job writes the default output, mandel.h5: the script asks nc_job for its name.
    mpi_jobs = {"srun": submit("nc_mpi.sbatch", ["mandel", *picture], work, env, ["--ntasks=3"]),
                "mpirun": submit("nc_mpi.sbatch", ["mandel", *picture, "--output", "mpirun.h5"], work,
                                 environment(NC_LAUNCHER="mpirun"), ["--ntasks=3"])}
    for job in mpi_jobs.values():
        stop_halfway(job, os.path.join(work, f"nc_mpi.{job}.out"))
    fields = wait_jobs(list(mpi_jobs.values()), 180)
    completed(fields)
    for launcher, job in mpi_jobs.items():
        check_resumed({job: fields[job]}, read(os.path.join(work, f"nc_mpi.{job}.out")), launcher)

    # TCP: the server stops and tells its nodes, which wait for its next run at a new address.
    server = submit("nc_tcp_server.sbatch", ["mandel", *picture, "--output", "tcp.h5"], work, env)
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1-2"])
    log_path = os.path.join(work, f"nc_server.{server}.out")
    stop_halfway(server, log_path)
    fields = wait_jobs([server, nodes], 180)
    completed(fields)
    check_resumed({server: fields[server]}, read(log_path), "TCP")
    node_logs = [read(os.path.join(work, name)) for name in os.listdir(work) if name.startswith("nc_nodes.")]
    check(any(re.search(r"waiting for its next run.*connecting to .*the job is done", text, re.S)
              for text in node_logs), "the nodes waited for the server's next run and finished the job in it")

    check(expected_process.wait(timeout=300) == 0, "the direct run wrote the reference")
    expected = os.path.join(work, "reference.h5")
    check(same_picture(os.path.join(work, "mandel.h5"), expected), "srun: the resumed picture equals the direct run's")
    check(same_picture(os.path.join(work, "mpirun.h5"), expected), "mpirun: the resumed picture equals the direct run's")
    check(same_picture(os.path.join(work, "tcp.h5"), expected), "TCP: the resumed picture equals the direct run's")
    check(no_checkpoints(work), "the finished runs removed their checkpoints")


def test_cancel(work):
    # A plain scancel ends the job for good, nodes included; the same command submitted again
    # resumes from the checkpoint it left.
    sized = sized_picture(work, 8)
    picture = [*sized, "--progress-every", "1", "--output", "cancel.h5"]
    expected_process = subprocess.Popen([NC_JOB, "mandel", *sized, "--nodes", "2", "--no-checkpoint", "--quiet",
                                         "--output", "reference.h5"], cwd=work)
    server = submit("nc_tcp_server.sbatch", ["mandel", *picture], work, environment())
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1"])
    log_path = os.path.join(work, f"nc_server.{server}.out")
    wait_until(lambda: progress_done(read(log_path)) > 0, 90, f"job {server} reports finished chunks")
    subprocess.run(["scancel", server], check=True, timeout=30)
    fields = wait_jobs([server, nodes], 120)
    check(fields[server]["JobState"] == "CANCELLED" and fields[server]["Restarts"] == "0",
          "scancel ends the server's job without a requeue")
    check(os.path.exists(os.path.join(work, "cancel.h5.checkpoint")), "... and its checkpoint stays")
    node_fields = [f for j, f in fields.items() if j != server]
    check(all(f["JobState"] == "COMPLETED" and f["Restarts"] == "0" for f in node_fields),
          "its nodes end when the server's job is over")

    server = submit("nc_tcp_server.sbatch", ["mandel", *picture], work, environment())
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1-2"])
    fields = wait_jobs([server, nodes], 180)
    completed(fields)
    log = read(os.path.join(work, f"nc_server.{server}.out"))
    check("is there: resuming the interrupted run" in log and "chunk(s) restored" in log,
          "the same command submitted again resumes from the checkpoint")
    check(expected_process.wait(timeout=300) == 0, "the direct run wrote the reference")
    check(same_picture(os.path.join(work, "cancel.h5"), os.path.join(work, "reference.h5")),
          "the picture equals the direct run's")
    check(no_checkpoints(work), "the finished run removed its checkpoint")


def test_timelimit(work):
    # Slurm checks time limits every 30 s or so and sends the warning up to that much early:
    # with --time=1 and @25, between 5 and 35 s after the start. One computing rank gets a
    # picture of about a minute, so the first run is always cut; each rerun gets the same
    # warning and requeues itself again until the job is done.
    picture = sized_picture(work, 60)
    print("picture:", " ".join(picture), flush=True)
    job = submit("nc_mpi.sbatch", ["mandel", *picture, "--output", "limited.h5"], work, environment(),
                 ["--ntasks=2", "--time=1", "--signal=B:TERM@25"])
    started = time.monotonic()
    expected_process = subprocess.Popen([NC_JOB, "mandel", *picture, "--nodes", "2", "--no-checkpoint", "--quiet",
                                         "--output", "reference.h5"], cwd=work)
    fields = wait_jobs([job], 330)
    print(f"the job took {time.monotonic() - started:.0f} s", flush=True)
    completed(fields)
    log = read(os.path.join(work, f"nc_mpi.{job}.out"))
    check("signal received" in log, "the warning signal reached the batch script")
    check_resumed(fields, log, "time limit")
    check("TIME LIMIT" not in log, "no run reached the time limit itself")
    check(expected_process.wait(timeout=300) == 0, "the direct run wrote the reference")
    check(same_picture(os.path.join(work, "limited.h5"), os.path.join(work, "reference.h5")),
          "the picture equals the direct run's")
    check(no_checkpoints(work), "the finished run removed its checkpoint")


SCENARIOS = {"mpi": test_mpi, "tcp": test_tcp, "hybrid": test_hybrid, "requeue": test_requeue,
             "cancel": test_cancel, "timelimit": test_timelimit}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        print(__doc__)
        sys.exit(2)
    require_slurm()
    with Workdir() as work:
        try:
            SCENARIOS[sys.argv[1]](work)
        except BaseException:
            slurmtest.cancel_submitted()
            slurmtest.show_outputs(work)
            raise
