"""Helpers for the tests of slurm/*.sbatch on a real Slurm cluster (tests/slurm/local-slurm.sh
starts one on this machine): submit a script, wait for its jobs with a deadline, and compare
what they wrote with a run of nc_job computed directly."""
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from nctest import NC_JOB, check, fail, run  # noqa: E402

SLURM_DIR = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "slurm"))
SKIP = 77  # CTest's SKIP_RETURN_CODE for these tests
SUBMITTED = []  # job ids, to cancel after a failure
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "BOOT_FAIL",
                "DEADLINE", "OUT_OF_MEMORY"}


def require_slurm():
    """Skips the test without sbatch; fails with a hint if the cluster does not answer."""
    if shutil.which("sbatch") is None:
        print("SKIP: sbatch not found (install and start a cluster: tests/slurm/local-slurm.sh start)")
        sys.exit(SKIP)
    try:
        result = subprocess.run(["sinfo", "-h", "-o", "%T"], capture_output=True, text=True, timeout=15)
    except subprocess.TimeoutExpired:
        fail("sinfo did not answer in 15 s: is the cluster up? (tests/slurm/local-slurm.sh start)")
    states = result.stdout.split()
    if result.returncode != 0 or not any(s.rstrip("*") in ("idle", "mixed", "allocated") for s in states):
        fail(f"no usable Slurm node ({result.stdout.strip()} {result.stderr.strip()}): "
             "start the cluster with tests/slurm/local-slurm.sh start")


def environment(**extra):
    """The environment sbatch passes on to the job: ours, Open MPI's root permission, `extra`
    (a value of None removes the variable)."""
    env = dict(os.environ)
    env.setdefault("NC_JOB", NC_JOB)
    if os.geteuid() == 0:
        env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    for name, value in extra.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def submit(script, args, cwd, env, options=()):
    """sbatch [options] slurm/SCRIPT ARGS in `cwd`; returns the job id."""
    command = ["sbatch", "--parsable", *options, os.path.join(SLURM_DIR, script), *args]
    print("+", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        fail(f"sbatch failed: {result.stderr.strip()}")
    job_id = result.stdout.strip().split(";")[0]
    SUBMITTED.append(job_id)
    return job_id


def jobs(job_id):
    """Each job of `job_id` (several for an array) as a dict of scontrol's fields."""
    result = subprocess.run(["scontrol", "-o", "show", "job", job_id], capture_output=True, text=True, timeout=30)
    return [dict(re.findall(r"(\w+)=(\S*)", line)) for line in result.stdout.splitlines() if line.strip()]


def wait_jobs(job_ids, timeout):
    """Waits until every job has ended; returns {JobId: fields}. A requeued job is made eligible
    two seconds after its requeue: Slurm holds it for its credential lifetime (two minutes by
    default), and the tests check what the scripts do, not how long Slurm waits. Not at once:
    a run launched in the same second as the requeue is refused ("Job credential revoked").
    StartTime=now also has the scheduler start it at once; a later time would wait for the
    scheduler's next periodic pass."""
    deadline = time.monotonic() + timeout
    requeued_at = {}  # (job, restarts) -> when first seen held after that requeue
    while True:
        seen = {}
        for job_id in job_ids:
            for fields in jobs(job_id):
                seen[fields["JobId"]] = fields
        if seen and all(f.get("JobState") in FINAL_STATES for f in seen.values()):
            return seen
        release_requeued(seen.values(), requeued_at)
        if time.monotonic() > deadline:
            fail(f"jobs {job_ids} not done in {timeout} s: " +
                 ", ".join(f"{j} {f.get('JobState')}" for j, f in seen.items()))
        time.sleep(0.3)


def release_requeued(job_fields, requeued_at):
    """Makes each requeued job of `job_fields` (scontrol's fields) eligible two seconds after it
    was first seen held (see wait_jobs); `requeued_at` remembers when, from call to call."""
    for fields in job_fields:
        run_of = (fields["JobId"], fields.get("Restarts", "0"))
        if fields.get("JobState") == "PENDING" and fields.get("Reason") == "BeginTime" and run_of[1] != "0":
            held_since = requeued_at.setdefault(run_of, time.monotonic())
            if time.monotonic() - held_since >= 2:
                subprocess.run(["scontrol", "update", f"JobId={fields['JobId']}", "StartTime=now"],
                               capture_output=True, timeout=30)


def wait_until(condition, timeout, what):
    """Polls `condition` until it returns something true (returned) or `timeout` s pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    fail(f"{what}: not within {timeout} s")


def cancel_submitted():
    """Cancels what this test submitted (after a failure: nothing may outlive the test)."""
    if SUBMITTED:
        subprocess.run(["scancel", *SUBMITTED], timeout=30)


def show_outputs(cwd):
    """Prints the jobs' output files (after a failure)."""
    for name in sorted(os.listdir(cwd)):
        if name.endswith(".out"):
            print(f"----- {name}")
            print(read(os.path.join(cwd, name)))


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def completed(fields):
    """Checks that every job ended COMPLETED with exit code 0."""
    bad = {j: (f.get("JobState"), f.get("ExitCode")) for j, f in fields.items()
           if f.get("JobState") != "COMPLETED" or f.get("ExitCode") != "0:0"}
    check(not bad, f"every job completed with status 0 {bad or ''}")


def reference(cwd, picture, name="reference.h5"):
    """The picture computed directly by nc_job alone (two in-process nodes)."""
    status, out, err = run([NC_JOB, "mandel", *picture, "--nodes", "2", "--no-checkpoint", "--quiet",
                            "--output", name], 600, cwd=cwd)
    check(status == 0, f"the direct run writes {name}")
    return os.path.join(cwd, name)


def same_picture(path, reference_path):
    """h5diff: the /mandel datasets hold the same values."""
    result = subprocess.run(["h5diff", path, reference_path, "/mandel", "/mandel"], capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        print(result.stdout[-2000:], result.stderr[-2000:])
    return result.returncode == 0


def progress_done(text):
    """The largest count of finished chunks in the progress lines of a server's log."""
    return max((int(m.group(1)) for m in re.finditer(r"progress: (\d+)/\d+ chunks", text)), default=0)


def sized_picture(cwd, seconds, max_iter=20000):
    """Mandelbrot options whose sequential kernel takes about `seconds` on this machine now:
    the cost of a fixed region grows with its pixel count, so a small run is measured and
    scaled up (for the tests that need a job still running after a given time)."""
    width, height = 200, 150
    status, out, err = run([NC_JOB, "mandel", "--sequential", "--width", str(width), "--height", str(height),
                            "--max-iter", str(max_iter), "--output", "calibration.h5"], 120, cwd=cwd)
    found = re.search(r"computed in ([\d.]+) s", out + err)
    check(status == 0 and found is not None, "the calibration run reports its time")
    took = max(float(found.group(1)), 0.01)
    scale = (seconds / took) ** 0.5
    return ["--width", str(int(width * scale)), "--height", str(int(height * scale)), "--max-iter", str(max_iter)]


# A rectangle inside the main cardioid of the Mandelbrot set: every point takes all --max-iter
# iterations, so every chunk of a picture of it costs the same.
INSIDE = ["--re-min=-0.4", "--re-max=0.1", "--im-min=-0.2", "--im-max=0.2"]


def uniform_picture(cwd, chunk_seconds, chunks, chunk_height=8, max_iter=20000):
    """Mandelbrot options for `chunks` chunks that take about `chunk_seconds` each on this
    machine now (sequentially): a small run of the same rectangle gives the cost of a pixel,
    and the width is chosen for it."""
    width, height = 200, 40
    status, out, err = run([NC_JOB, "mandel", "--sequential", "--width", str(width), "--height", str(height),
                            "--max-iter", str(max_iter), *INSIDE, "--output", "calibration.h5"], 120, cwd=cwd)
    found = re.search(r"computed in ([\d.]+) s", out + err)
    check(status == 0 and found is not None, "the calibration run reports its time")
    pixel_seconds = max(float(found.group(1)), 0.01) / (width * height)
    chunk_width = max(16, int(chunk_seconds / (pixel_seconds * chunk_height)))
    return ["--width", str(chunk_width), "--height", str(chunks * chunk_height), "--chunk-height", str(chunk_height),
            "--max-iter", str(max_iter), *INSIDE]


def job_processes(job_id, program="nc_job"):
    """The pids of the processes called `program` that Slurm counts in job `job_id` on this
    machine (scontrol listpids)."""
    result = subprocess.run(["scontrol", "listpids", job_id], capture_output=True, text=True, timeout=30)
    pids = []
    for line in result.stdout.splitlines()[1:]:
        fields = line.split()
        if fields and fields[0].isdigit() and read(f"/proc/{fields[0]}/comm").strip() == program:
            pids.append(int(fields[0]))
    return pids
