"""A node of another build joins a mandel TCP job: nc_stale_mandel, the mandel job whose Result
has one more field, as a node left running from an older version of the job would be.
- it is refused when it joins, with a reason that says what differs, and exits non-zero;
- it never takes a task: the server hands out nothing while only it has tried to join;
- an honest node then does the whole job, and the picture is exact.
"""
import os
import re

from nctest import Background, Workdir, check, compare_with_reference, start_node, start_tcp_server

STALE = os.environ.get("NC_STALE_MANDEL", "nc_stale_mandel")
WIDTH, HEIGHT, MAX_ITER = 320, 240, 500
PICTURE = ["--width", str(WIDTH), "--height", str(HEIGHT), "--max-iter", str(MAX_ITER), "--chunk-height", "8"]
REASON = "other Task, Result or InitialData types"


def main():
    with Workdir() as work:
        secret = os.path.join(work, "secret")
        with open(secret, "w") as f:
            f.write(os.urandom(24).hex())
        secret_args = ["--secret-file", secret]
        server, port = start_tcp_server(["mandel", *PICTURE, "--output", "stale.h5", *secret_args], work)
        # Alone first: whatever it is given, it is given before any honest node exists.
        stale = Background([STALE, "--connect", f"127.0.0.1:{port}", *secret_args, "--connect-attempts", "2"],
                           cwd=work)
        status = stale.wait(60)
        print(f"stale node: exit {status}")
        check(status not in (0, None), f"the stale node exits non-zero (exit {status})")
        check(REASON in stale.text(), f"the stale node says why it was refused ({stale.text()[-400:]!r})")
        server.wait_for(r"refused a node at .*" + re.escape(REASON), 30)
        check(re.search(r"node \d+ joined", server.text()) is None, "the stale node was never registered")

        honest = start_node(port, work, secret_args)
        check(server.wait(120) == 0, "the server finishes the job with the honest node and exits 0")
        check(honest.wait(30) == 0, "the honest node exits 0")
        log = server.text()
        sent = re.search(r"finished in [\d.]+ s: (\d+) of (\d+) chunks, (\d+) tasks sent", log)
        check(sent is not None, "the server logs the finished job")
        done, total, tasks = map(int, sent.groups())
        joined = re.findall(r"node (\d+) joined", log)
        print(f"figures: stale node: {tasks - total} task(s) wasted beyond the {total} chunks; "
              f"{len(joined)} node(s) joined")
        check(done == total, "every chunk is done")
        check(joined == ["1"], "only the honest node joined, as node 1")
        compare_with_reference(os.path.join(work, "stale.h5"), WIDTH, HEIGHT, MAX_ITER)


if __name__ == "__main__":
    main()
