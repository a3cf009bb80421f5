"""A node started before its server keeps trying (with a growing wait) and then works; a node
whose server never comes gives up with a clear message; a server on a non-loopback address
without a secret refuses to start."""
import time

from nctest import NC_JOB, Background, Workdir, check, free_port, run

with Workdir() as work:
    port = free_port()  # asked of the OS; the node has to wait for a server there
    early = Background([NC_JOB, "empty", "--connect", f"127.0.0.1:{port}", "--retry-max", "0.5"], cwd=work)
    early.wait_for(r"cannot reach the server .*trying again", 30)
    time.sleep(1)
    server = Background([NC_JOB, "empty", "--tasks", "2000", "--server", "--listen", f"127.0.0.1:{port}"], cwd=work)
    check(server.wait(60) == 0, "the server finishes with the node that came early")
    check(early.wait(10) == 0, "the early node joined once the server was up, and exits 0")

    start = time.monotonic()
    status, out, err = run([NC_JOB, "empty", "--connect", f"127.0.0.1:{free_port()}", "--connect-attempts", "3",
                            "--retry-max", "0.2"], 60, cwd=work)
    check(status == 1 and "could not reach the server" in err and "3 attempts" in err,
          f"a node without a server gives up after its attempts ({time.monotonic() - start:.1f} s)")

    status, out, err = run([NC_JOB, "empty", "--server", "--listen", "0.0.0.0:0"], 30, cwd=work)
    check(status == 2 and "--secret-file" in err and "--insecure" in err,
          "a server open to the network without a secret refuses to start, and says what to do")
