"""Strangers on the port while honest nodes work, on a server with a shared secret: garbage,
a wrong magic number, a wrong version, a 4 GiB length prefix, a frame cut in the middle, a
wrong secret, a forged 'finish' without the secret, 200 connections that say nothing and a
client that sends one byte per second. Each costs a log line and a closed connection; the
picture is exact and no honest node is lost. The server pauses after handing out a few tasks
(--pause-after-tasks) until every stranger has been refused, then is released with SIGUSR1: the
strangers always meet a running job, however fast or loaded the machine."""
import os
import re
import signal
import socket
import struct
import threading
import time

from nctest import NC_JOB, Workdir, check, h5_equal, run, start_node, start_tcp_server, wait_until

PICTURE = ["--width", "800", "--height", "600", "--max-iter", "2000", "--chunk-height", "4"]
MAGIC = b"NCRN"


def header(kind, length, version=1, flags=0):
    return MAGIC + struct.pack("<BBHQ", version, kind, flags, length)


def refusals(log):
    return len(re.findall(r"refused 127", log)) + sum(int(n) for n in re.findall(r"and (\d+) more connection", log))


REASONS = ["wrong magic", "frame version 7", "above the limit", "does not know the secret",
           "sent a message before the handshake", "said nothing useful in time"]


def job(work, secret, name, strangers=()):
    """Runs a job whose server pauses while `strangers` attack it; returns the server's log."""
    server, port = start_tcp_server(["mandel", *PICTURE, "--output", name, "--secret-file", secret,
                                     "--handshake-timeout", "2", "--pause-after-tasks", "20"], work)
    nodes = [start_node(port, work, ["--secret-file", secret]) for _ in range(2)]
    server.wait_for(r"node 2 joined", 60)  # neither honest node may find the job over
    server.wait_for(r"paused after handing out 20 tasks", 60)
    closed = {}

    def attack(stranger):
        closed[stranger.__name__] = stranger(port)

    threads = [threading.Thread(target=attack, args=(stranger,), daemon=True) for stranger in strangers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    if strangers:
        check(not any(t.is_alive() for t in threads) and len(closed) == len(strangers),
              f"{name}: every stranger is done")
        check(all(closed.values()), f"{name}: the server closed every stranger's connection ({closed})")
        # Refusals beyond the log's rate are tallied in one line when their window closes.
        wait_until(lambda: all(why in server.text() for why in REASONS) and refusals(server.text()) >= 200, 60,
                   lambda: f"every kind of stranger refused, {refusals(server.text())} of >= 200 counted", server)
        print(f"{name}: {refusals(server.text())} refusals in the log while the job was paused", flush=True)
    check(" is lost" not in server.text(), f"{name}: the paused honest nodes are still there")
    server.process.send_signal(signal.SIGUSR1)
    server.wait_for(r"resumed handing out tasks", 30)
    check(server.wait(120) == 0, f"{name}: the server exits 0 once released")
    check(all(node.wait(10) == 0 for node in nodes), f"{name}: the honest nodes exit 0")
    return server.text()


def closed_by_server(s, timeout=30.0):
    """Reads until the server closes the connection; False if it stays open `timeout` s."""
    s.settimeout(timeout)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        return False
    return True


def send_and_hold(port, data):
    """Sends `data`; True once the server has closed the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            return True  # closed before all of it arrived: refused mid-frame
        return closed_by_server(s)


def garbage(port):
    return send_and_hold(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + os.urandom(4000))


def wrong_magic(port):
    return send_and_hold(port, b"XXXX" + bytes(12))


def wrong_version(port):
    return send_and_hold(port, header(0x41, 0, version=7))


def huge_length(port):
    return send_and_hold(port, header(0x41, 4 << 30))


def cut_frame(port):
    return send_and_hold(port, header(0x41, 64) + b"x" * 10)


def forged_finish(port):
    # A plain 'finish' message where the handshake's proof belongs: refused, nothing ends.
    return send_and_hold(port, header(8, 1) + b"\x08")


def idle_crowd(port):
    sockets = []
    for _ in range(200):
        try:
            sockets.append(socket.create_connection(("127.0.0.1", port), timeout=10))
        except OSError:
            break
    # Each is held until the server closes it at the handshake deadline.
    closed = 0
    for s in sockets:
        closed += closed_by_server(s)
        s.close()
    return len(sockets) == 200 and closed == 200


def slow_client(port):
    """One byte a second: the handshake deadline ends it long before the header is complete."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        for byte in header(0x41, 64):
            try:
                s.send(bytes([byte]))
            except OSError:
                return True
            time.sleep(1)  # the attack's pace, not a wait for anything
        return closed_by_server(s)


def wrong_secret(port):
    status, out, err = run([NC_JOB, "mandel", "--connect", f"127.0.0.1:{port}", "--secret-file", WRONG], 60)
    return status != 0


with Workdir() as work:
    secret = os.path.join(work, "secret")
    with open(secret, "w") as f:
        f.write(os.urandom(24).hex())
    WRONG = os.path.join(work, "wrong")
    with open(WRONG, "w") as f:
        f.write(os.urandom(24).hex())

    job(work, secret, "clean.h5")
    log = job(work, secret, "attacked.h5", [garbage, wrong_magic, wrong_version, huge_length, cut_frame,
                                            forged_finish, idle_crowd, slow_client, wrong_secret])
    check(h5_equal(os.path.join(work, "clean.h5"), os.path.join(work, "attacked.h5")),
          "the picture is exact despite the strangers")
    for why in REASONS:
        check(why in log, f"the log says why a stranger was refused: {why}")
    refused = refusals(log)
    check(refused >= 200, f"every stranger was refused ({refused} counted in the log)")
    rows = re.findall(r"\]\s+(\d+)\s+(\d+)\s+[\d.]+\s+(-|\d+)\s+127\.0\.0\.1:\d+ \(host", log)
    check(len(rows) == 2 and all(lost == "-" for _, _, lost in rows) and " is lost" not in log,
          f"the server's summary lists both honest nodes, neither ever lost ({rows})")
