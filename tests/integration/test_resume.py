"""Interrupted runs resume to exactly the output of an uninterrupted one:
SIGTERM to a run alone, to an MPI run and to a TCP server (each exits with status 3 and keeps
its checkpoint), SIGKILL of the server (no chance to clean up), also of a TCP server while results
flow, whose checkpoint holds every chunk it told its nodes it had on record. A checkpoint is never
overwritten by a fresh start, never mixed with other parameters, and a damaged one is
refused with a clear message."""
import glob
import os
import re
import signal

from nctest import (NC_JOB, Background, Workdir, check, h5_equal, mpirun_command, run, start_node,
                    start_tcp_server, wait_until)

PICTURE = ["mandel", "--width", "1600", "--height", "1200", "--max-iter", "3000", "--chunk-height", "2"]
# An interrupted run hands out 40 of its 600 chunks and then waits: the signal always lands in
# a running job, however fast the machine, once the 40 results are in (and recorded). The
# resumed runs go without the pause (the TCP one with another): it is a framework option, not
# one of the job parameters a checkpoint must match.
PAUSE = ["--pause-after-tasks", "40"]


def interrupt_after_progress(job, signal_number):
    job.wait_for(r"node 2 joined", 60)  # both nodes are told when the job stops
    job.wait_for(r"paused after handing out 40 tasks", 60)
    job.wait_for(r"paused with no task in flight", 60)
    os.killpg(job.process.pid, signal_number) if signal_number == signal.SIGKILL else job.process.send_signal(
        signal_number)
    return job.wait(60)


def confirmed_chunks(nodes):
    """The chunks the server told these nodes it has on record (their debug log says which)."""
    told = set()
    for node in nodes:
        for line in re.findall(r"the server has on record chunk\(s\):([\d ]+)", node.text()):
            told.update(int(c) for c in line.split())
    return told


def checkpoint_chunks(path):
    """The chunks a checkpoint holds, read as a resumed server reads a killed one's: written
    independently of node_crunch from the format in src/io/checkpoint.hpp ("NCCKPT02", u32
    header size, header, u64 header checksum, then records: u64 chunk, u64 size, bytes, u64
    checksum), taking whole records up to the first one cut short."""
    import struct
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"NCCKPT02", f"{path} is a checkpoint")
    (header_size,) = struct.unpack_from("<I", data, 8)
    at = 12 + header_size + 8
    chunks = set()
    while at + 16 <= len(data):
        chunk, size = struct.unpack_from("<QQ", data, at)
        if at + 16 + size + 8 > len(data):
            break
        chunks.add(chunk)
        at += 16 + size + 8
    return chunks


def leftovers(work, name):
    return sorted(os.path.basename(p) for p in glob.glob(os.path.join(work, name + "*")))


with Workdir() as work:
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "full.h5"], 120, cwd=work)
    check(status == 0 and not os.path.exists(os.path.join(work, "full.h5.checkpoint")),
          "an uninterrupted run leaves its output and no checkpoint")
    full = os.path.join(work, "full.h5")

    # Alone: SIGTERM, a refused fresh start, then --resume.
    job = Background([NC_JOB, *PICTURE, *PAUSE, "--nodes", "2", "--output", "alone.h5"], cwd=work)
    status = interrupt_after_progress(job, signal.SIGTERM)
    check(status == 3, "SIGTERM stops a run alone with status 3")
    check(leftovers(work, "alone.h5") == ["alone.h5.checkpoint", "alone.h5.checkpoint.lock", "alone.h5.checkpoint.tasks"],
          "it keeps its checkpoint (with its lock and task journal) and no partial output")
    check("keeps 40 finished chunk(s): run again with --resume" in job.text(),
          "it says how to finish the job, and that the 40 chunks handed out before the pause are kept")
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "alone.h5"], 60, cwd=work)
    check(status == 2 and "--resume" in err, "a fresh start does not overwrite the checkpoint")
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "alone.h5", "--resume"], 120, cwd=work)
    check(status == 0 and "40 chunk(s) restored" in err, "--resume finishes the job from the checkpoint")
    check(h5_equal(os.path.join(work, "alone.h5"), full), "the resumed output equals the uninterrupted one")
    check(leftovers(work, "alone.h5") == ["alone.h5"], "the checkpoint is gone once the output is written")

    # The server killed outright: what was flushed survives.
    job = Background([NC_JOB, *PICTURE, *PAUSE, "--nodes", "2", "--output", "killed.h5"], cwd=work)
    interrupt_after_progress(job, signal.SIGKILL)
    check(os.path.exists(os.path.join(work, "killed.h5.checkpoint")), "a killed server leaves its checkpoint")
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "killed.h5", "--resume"], 120, cwd=work)
    check(status == 0, "a run killed with SIGKILL resumes")
    check(h5_equal(os.path.join(work, "killed.h5"), full), "... to the uninterrupted output")
    check(leftovers(work, "killed.h5") == ["killed.h5"], "... and the dead run's temporary file is cleared away")

    # Under MPI: mpirun passes SIGTERM on to every rank.
    job = Background(mpirun_command(3, [*PICTURE, *PAUSE, "--output", "mpi.h5"]), cwd=work)
    status = interrupt_after_progress(job, signal.SIGTERM)
    # The launcher's own status is its own (Open MPI's mpirun gives 1, MPICH's mpiexec 3 or 0):
    # what counts is that the server stopped as interrupted and kept its checkpoint.
    check(re.search(r"stopped after [\d.]+ s \(interrupted", job.text()) is not None and
          os.path.exists(os.path.join(work, "mpi.h5.checkpoint")),
          f"SIGTERM stops the MPI run (launcher status {status}) and keeps its checkpoint")
    status, out, err = run(mpirun_command(3, [*PICTURE, "--output", "mpi.h5", "--resume"]), 120, cwd=work)
    check(status == 0 and h5_equal(os.path.join(work, "mpi.h5"), full), "the MPI run resumes to the same output")

    # A TCP server stopped with SIGTERM: its nodes hear of it and leave.
    server, port = start_tcp_server([*PICTURE, *PAUSE, "--output", "tcp.h5"], work)
    nodes = [start_node(port, work), start_node(port, work)]
    status = interrupt_after_progress(server, signal.SIGTERM)
    check(status == 3, "SIGTERM stops the TCP server with status 3")
    check([node.wait(10) for node in nodes] == [3, 3], "its nodes are told and exit with status 3 too")
    # Held until both new nodes are there, so that neither finds the job already over: a pause
    # other than the interrupted run's does not stand in the way of the resume either.
    server, port = start_tcp_server([*PICTURE, "--output", "tcp.h5", "--resume", "--pause-after-tasks", "0"], work)
    nodes = [start_node(port, work), start_node(port, work)]
    server.wait_for(r"node 2 joined", 60)
    server.process.send_signal(signal.SIGUSR1)
    check(server.wait(120) == 0 and all(n.wait(10) == 0 for n in nodes), "the TCP run resumes with new nodes")
    check(h5_equal(os.path.join(work, "tcp.h5"), full), "... to the same output")

    # A TCP server killed while results flow: a node forgets a result only once the server said
    # it is on record, so every chunk it was told of is in the checkpoint the resume reads.
    server, port = start_tcp_server([*PICTURE, "--output", "told.h5"], work)
    nodes = [start_node(port, work, ["--log-level", "debug"]) for _ in range(2)]
    wait_until(lambda: len(confirmed_chunks(nodes)) >= 40, 120,
               lambda: f"the nodes were told of {len(confirmed_chunks(nodes))} chunk(s) on record", server)
    os.killpg(server.process.pid, signal.SIGKILL)
    server.wait(10)
    for node in nodes:
        node.kill()
        node.wait(10)
    told = confirmed_chunks(nodes)
    recorded = checkpoint_chunks(os.path.join(work, "told.h5.checkpoint"))
    check(told <= recorded, f"every one of the {len(told)} chunk(s) the nodes were told of is in the checkpoint "
                            f"({len(recorded)} recorded; missing: {sorted(told - recorded)[:10]})")
    server, port = start_tcp_server([*PICTURE, "--output", "told.h5", "--resume", "--pause-after-tasks", "0"], work)
    nodes = [start_node(port, work), start_node(port, work)]
    server.wait_for(r"node 2 joined", 60)
    server.process.send_signal(signal.SIGUSR1)
    check(server.wait(120) == 0 and all(n.wait(10) == 0 for n in nodes), "the killed TCP server resumes")
    check(f"{len(recorded)} chunk(s) restored" in server.text(), "... from every chunk it had recorded")
    check(h5_equal(os.path.join(work, "told.h5"), full), "... to the uninterrupted output")

    # Refusals: other parameters, a damaged checkpoint.
    job = Background([NC_JOB, *PICTURE, *PAUSE, "--nodes", "2", "--output", "other.h5"], cwd=work)
    interrupt_after_progress(job, signal.SIGTERM)
    status, out, err = run([NC_JOB, *PICTURE[:-2], "--chunk-height", "4", "--nodes", "2", "--output", "other.h5",
                            "--resume"], 60, cwd=work)
    check(status == 2 and "--chunk-height=2" in err and "--chunk-height=4" in err and "--pause" not in err,
          "a checkpoint made with other parameters is refused, naming the difference (and no framework option)")
    with open(os.path.join(work, "other.h5.checkpoint"), "r+b") as f:
        f.seek(0)
        f.write(b"\0" * 64)
    status, out, err = run([NC_JOB, *PICTURE, "--nodes", "2", "--output", "other.h5", "--resume"], 60, cwd=work)
    check(status == 1 and "other.h5.checkpoint" in err and "delete it" in err,
          "a damaged checkpoint is refused with a clear message")
