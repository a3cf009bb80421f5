"""A node started before its server keeps trying (with a growing wait) and then works; a node
whose server never comes gives up with a clear message, after --connect-attempts tries or
--server-lost-timeout seconds; a node whose address file is not there yet waits for it; a server on a non-loopback address
without a secret refuses to start. The port without a server is held by a socket that is bound
and does not listen, so every attempt is refused until the server takes the port."""
import re

from nctest import NC_JOB, Background, RefusingPort, Workdir, check, run

with Workdir() as work:
    port = RefusingPort()
    early = Background([NC_JOB, "empty", "--connect", f"127.0.0.1:{port.port}", "--retry-max", "0.5"], cwd=work)
    first = early.wait_for(r"cannot reach the server .*\((.*)\); trying again in ([\d.]+) s, for", 30)
    second = early.wait_for(r"cannot reach the server (?:.|\n)*?cannot reach the server .*; trying again in ([\d.]+) s", 30)
    check(early.process.poll() is None and "refused" in first.group(1).lower(),
          f"a node whose server is not there yet is refused ({first.group(1)}) and keeps trying")
    check((first.group(2), second.group(1)) == ("0.2", "0.4"), "... waiting longer each time")
    port.release()
    server = Background([NC_JOB, "empty", "--tasks", "2000", "--server", "--listen", f"127.0.0.1:{port.port}"],
                        cwd=work)
    check(server.wait(60) == 0, "the server finishes with the node that came early")
    check(early.wait(10) == 0, "the early node joined once the server was up, and exits 0")
    check("connected to" in early.text(), "... after its failed attempts")

    with RefusingPort() as nobody:
        status, out, err = run([NC_JOB, "empty", "--connect", f"127.0.0.1:{nobody.port}", "--connect-attempts", "3",
                                "--retry-max", "0.2"], 60, cwd=work)
    check(status == 1 and "could not reach the server" in err and "in 3 tries (--connect-attempts)" in err,
          "a node without a server gives up after its attempts")
    check(len(re.findall(r"cannot reach the server", err)) == 2,
          "it said so after each failed attempt but the last")

    with RefusingPort() as nobody:
        status, out, err = run([NC_JOB, "empty", "--connect", f"127.0.0.1:{nobody.port}", "--server-lost-timeout",
                                "1", "--retry-max", "0.2"], 60, cwd=work)
    check(status == 1 and re.search(r"could not reach the server at 127\.0\.0\.1:\d+ for \d+ s "
                                    r"\(--server-lost-timeout 1\); last: .*refused", err) is not None,
          "a node whose server stays away gives up after --server-lost-timeout, saying so")

    # An address file that is not written yet: the node waits for it, then finds the server.
    late = Background([NC_JOB, "empty", "--connect-file", "late.addr", "--retry-max", "0.2"], cwd=work)
    late.wait_for(r"cannot reach the server at the address in late\.addr \(no address file late\.addr", 30)
    server = Background([NC_JOB, "empty", "--tasks", "500", "--server", "--listen", "127.0.0.1:0"], cwd=work)
    found = server.wait_for(r"listening on (127\.0\.0\.1:\d+)", 60, stream="stdout")
    with open(f"{work}/late.addr", "w") as f:
        f.write(found.group(1) + "\n")
    check(server.wait(60) == 0 and late.wait(30) == 0, "a node waits for its address file, then works")

    status, out, err = run([NC_JOB, "empty", "--server", "--listen", "0.0.0.0:0"], 30, cwd=work)
    check(status == 2 and "--secret-file" in err and "--insecure" in err,
          "a server open to the network without a secret refuses to start, and says what to do")
