"""The batch scripts in slurm/ on a real Slurm cluster: each scenario submits them as a user
would, from a fresh submit folder, and compares the picture they leave there with one
computed directly by nc_job. Usage: test_slurm.py mpi|tcp|hybrid|requeue|cancel|timelimit|server_killed

  mpi        nc_mpi.sbatch with srun and with mpirun; the program found as ./nc_job
  tcp        nc_tcp_server.sbatch: address file, secret, --status; a node array joins it
  hybrid     nc_hybrid.sbatch (MPI) takes a node of nc_tcp_nodes.sbatch as well
  requeue    scancel --batch --signal=TERM stops nc_mpi.sbatch and nc_tcp_server.sbatch; they
             requeue themselves and resume (the TCP nodes wait for the server's next run)
  cancel     a plain scancel ends the TCP job for good, nodes too; submitting again resumes
  timelimit  --time=1 --signal=B:TERM@25: Slurm's warning before the time limit stops the run,
             which requeues itself and resumes until the job is done
  server_killed  SIGKILL of the server's nc_job (not of the batch script) halfway: the script
             requeues the job, and the node array's processes, the same ones, wait for the new
             address, bring the results they held and finish the job
"""
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time

import slurmtest  # first: it makes tests/integration/nctest.py importable
from nctest import NC_JOB, Workdir, check, fail, run
from slurmtest import (completed, environment, job_processes, jobs, progress_done, read, reference, release_requeued,
                       require_slurm, same_picture, sized_picture, submit, uniform_picture, wait_jobs, wait_until)

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


def server_runs(log):
    """The server's log, one text per run of the batch script (the script opens each run with
    "job N, run K: ...")."""
    return re.split(r"nc_tcp_server\.sbatch: job \d+, run \d+: ", log)[1:]


def joined_pids(text):
    """The pids of the node processes that joined in this part of a server's log."""
    return {int(pid) for pid in re.findall(r"node \d+ joined at \S+ \(host \S+, pid (\d+)\)", text)}


def server_status(address, work):
    status, out, err = run([NC_JOB, "--status", address, "--secret-file", os.path.join(work, "nc_secret")], 30,
                           cwd=work)
    check(status == 0, f"nc_job --status answers ({err.strip()[-200:]})")
    return json.loads(out)


def the_server_process(job_id, not_pid=None):
    """The pid of the nc_job server of job `job_id` (one that is not `not_pid`), once it runs."""
    def found():
        pids = [pid for pid in job_processes(job_id) if pid != not_pid]
        return pids[0] if len(pids) == 1 else None
    return wait_until(found, 90, f"job {job_id} runs one nc_job server")


def test_server_killed(work):
    # Chunks of equal cost, about 0.8 s each: when the server is killed, its nodes hold work.
    # The server hands out 6 tasks and then holds until SIGUSR1, so that the job is halfway at
    # a known point when it is killed (and again in the next run, where the same option holds).
    picture = uniform_picture(work, 0.8, 24)
    print("picture:", " ".join(picture), flush=True)
    expected_process = subprocess.Popen([NC_JOB, "mandel", *picture, "--nodes", "2", "--no-checkpoint", "--quiet",
                                         "--output", "reference.h5"], cwd=work)
    server = submit("nc_tcp_server.sbatch", ["mandel", *picture, "--output", "killed.h5", "--progress-every", "1",
                                             "--pause-after-tasks", "6"], work, environment())
    nodes = submit("nc_tcp_nodes.sbatch", ["mandel"], work, environment(NC_SERVER_JOB=server), ["--array=1-2"])
    log_path = os.path.join(work, f"nc_server.{server}.out")
    address_file = os.path.join(work, f"nc_server.{server}.addr")

    def node_logs():
        return {name: read(os.path.join(work, name)) for name in os.listdir(work)
                if name.startswith(f"nc_nodes.{nodes}_")}

    # Both nodes in the first run, which has handed out its tasks and holds.
    wait_until(lambda: "paused after handing out 6 tasks" in read(log_path) and len(joined_pids(read(log_path))) == 2,
               120, "the first run holds after 6 tasks, with both nodes")
    first_pids = joined_pids(read(log_path))
    logged_pids = {int(pid) for text in node_logs().values() for pid in re.findall(r"node process (\d+)", text)}
    check(logged_pids == first_pids, f"the node processes the scripts started joined the server ({first_pids})")
    killed = the_server_process(server)
    address = read(address_file).strip()

    # Freeze the nodes, so that what the server has not received when it dies is known: the
    # tasks out now are held by the nodes and must reach the next run from them.
    for pid in first_pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        state = server_status(address, work)
        held = state["tasks_sent"] - state["results"]
        print(f"at the kill: {state['chunks']['done']} chunk(s) done, {held} task(s) out with the nodes", flush=True)
        os.kill(killed, signal.SIGKILL)
        print(f"sent SIGKILL to the server's nc_job (pid {killed}) of job {server}", flush=True)
    finally:
        for pid in first_pids:
            os.kill(pid, signal.SIGCONT)
    check(held > 0, "the nodes held unanswered tasks when the server was killed")

    # The script requeues the job. Its next run holds after 6 tasks as well: once both node
    # processes are back in it, SIGUSR1 lets it finish. Meanwhile the requeued job is made
    # eligible as wait_jobs does, instead of Slurm's two-minute hold.
    requeued_at = {}

    def next_run_holds_with_both():
        runs = server_runs(read(log_path))
        if len(runs) >= 2 and "paused after handing out" in runs[1] and joined_pids(runs[1]) == first_pids:
            return True
        release_requeued(jobs(server), requeued_at)
        return False
    wait_until(next_run_holds_with_both, 240, "the requeued run holds after its tasks, with the same two nodes")
    resumed = the_server_process(server, not_pid=killed)
    os.kill(resumed, signal.SIGUSR1)
    print(f"sent SIGUSR1 to the requeued server (pid {resumed})", flush=True)

    fields = wait_jobs([server, nodes], 240)
    completed(fields)
    log = read(log_path)
    runs = server_runs(log)
    check(fields[server]["Restarts"] == "1" and len(runs) == 2, "the server's job was requeued once")
    check(f"nc_job was killed by signal KILL (status {128 + signal.SIGKILL})" in runs[0]
          and "requeued to compute the rest" in runs[0], "the script saw nc_job killed and requeued the job")
    # The script looks for the checkpoint before it announces the run: that line ends runs[0].
    check("is there: resuming the interrupted run" in log and "chunk(s) restored" in runs[1],
          "the next run resumed from the checkpoint")
    taken = re.search(r"(\d+) result\(s\) of an earlier server run taken", runs[1])
    check(taken is not None and int(taken.group(1)) > 0,
          f"the nodes brought the next run results of the killed one ({taken.group(0) if taken else 'none'})")
    check(joined_pids(runs[1]) == first_pids, "the same node processes finished the job in the next run")
    node_fields = [f for j, f in fields.items() if j != server]
    check(len(node_fields) == 2 and all(f["Restarts"] == "0" for f in node_fields), "no node job was requeued")
    for name, text in node_logs().items():
        check(len(re.findall(r"node process \d+", text)) == 1 and "the job is done" in text,
              f"{name}: one node process for the whole job")
        check(re.search(r"lost the connection to .*cannot reach the server.*connected to .*the job is done", text,
                        re.S) is not None, f"{name}: the node lost the killed server and waited for its next run")
    check(expected_process.wait(timeout=300) == 0, "the direct run wrote the reference")
    check(same_picture(os.path.join(work, "killed.h5"), os.path.join(work, "reference.h5")),
          "the picture equals the direct run's")
    check(no_checkpoints(work), "the finished run removed its checkpoint")
    check(not os.path.exists(address_file), "the address file is gone at the end")


SCENARIOS = {"mpi": test_mpi, "tcp": test_tcp, "hybrid": test_hybrid, "requeue": test_requeue,
             "cancel": test_cancel, "timelimit": test_timelimit, "server_killed": test_server_killed}

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
