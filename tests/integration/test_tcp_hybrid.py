"""An MPI job whose server also takes TCP nodes: mpirun -n 2 (server + one MPI node) with
--listen, and one TCP node; both kinds of node compute chunks of the same job. The server holds
the job after a few tasks (--pause-after-tasks) until the TCP node has joined, then mpirun is
sent SIGUSR1: it passes the signal on to every rank, the server carries on and the MPI node,
started with the same options, ignores it."""
import os
import signal

from nctest import node_summary, NC_JOB, Workdir, check, h5_equal, mpirun_command, run, start_node, start_tcp_server

PICTURE = ["--width", "1000", "--height", "800", "--max-iter", "3000", "--chunk-height", "2"]
with Workdir() as work:
    launcher = mpirun_command(2, ["mandel", *PICTURE, "--output", "hybrid.h5", "--listen", "127.0.0.1:0",
                                  "--pause-after-tasks", "10"])
    server, port = start_tcp_server(None, work, launcher=launcher)
    node = start_node(port, work)
    server.wait_for(r"node \d+ joined at 127\.0\.0\.1:", 60)
    server.wait_for(r"paused after handing out 10 tasks", 60)
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    check(server.wait(120) == 0, "mpirun exits 0: no rank was ended by SIGUSR1")
    check(node.wait(10) == 0, "the TCP node exits 0")
    text = server.text()
    print(text[-2000:])
    rows = node_summary(text).values()
    mpi = [results for results, where in rows if where.startswith("rank 1 ")]
    tcp = [results for results, where in rows if where.startswith("127.0.0.1:")]
    check(len(mpi) == 1 and mpi[0] > 0, "the MPI node computed chunks")
    check(len(tcp) == 1 and tcp[0] > 0, "the TCP node computed chunks")
    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--output", "alone.h5", "--nodes", "2"], 120, cwd=work)
    check(h5_equal(os.path.join(work, "hybrid.h5"), os.path.join(work, "alone.h5")), "the picture is exact")
