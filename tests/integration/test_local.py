"""One process alone (no mpirun): the Mandelbrot job's HDF5 matches an independent
implementation, the attributes record the parameters, the PNG is written, and --sequential
gives the same grid."""
import os

import numpy as np
from nctest import NC_JOB, Workdir, check, compare_with_reference, read_dataset, run

with Workdir() as work:
    args = ["mandel", "--width", "640", "--height", "480", "--max-iter", "300", "--chunk-height", "7",
            "--output", "local.h5", "--png", "local.png", "--nodes", "3"]
    status, out, err = run([NC_JOB, *args], 120, cwd=work)
    print(err)
    check(status == 0, "the local run exits 0")
    data, attrs = compare_with_reference(os.path.join(work, "local.h5"), 640, 480, 300)
    check(int(attrs["width"]) == 640 and int(attrs["max_iter"]) == 300 and float(attrs["re_min"]) == -2.0,
          "the attributes record the parameters")
    with open(os.path.join(work, "local.png"), "rb") as f:
        head = f.read(24)
    check(head[1:4] == b"PNG" and int.from_bytes(head[16:20], "big") == 640, "the PNG is written, 640 wide")
    check("node 3 joined" in err and "finished" in err, "the log tells who joined and that the job finished")

    status, out, err = run([NC_JOB, "mandel", "--width", "640", "--height", "480", "--max-iter", "300",
                            "--output", "sequential.h5", "--sequential"], 120, cwd=work)
    check(status == 0 and "computed in" in out, "--sequential runs and reports its time")
    sequential, _ = read_dataset(os.path.join(work, "sequential.h5"))
    check(np.array_equal(sequential, data), "--sequential gives the same grid")

    # A zoom with edge chunks on both axes and several threads per node.
    status, out, err = run([NC_JOB, "mandel", "--width", "301", "--height", "203", "--max-iter", "500",
                            "--chunk-width", "64", "--chunk-height", "50", "--re-min", "-0.75", "--re-max", "-0.73",
                            "--im-min", "0.1", "--im-max", "0.115", "--threads", "3", "--nodes", "2",
                            "--output", "zoom.h5", "--deflate", "5"], 120, cwd=work)
    check(status == 0, "a zoomed run with uneven chunks exits 0")
    compare_with_reference(os.path.join(work, "zoom.h5"), 301, 203, 500, re_min=-0.75, re_max=-0.73, im_min=0.1,
                           im_max=0.115)
