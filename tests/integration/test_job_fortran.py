"""The fortran job (jobs/fortran): the Fortran kernel and its C++ twin give the same escape
counts, which are also those of the mandel job and (on nearly every pixel) of an independent
numpy implementation; the output is the same alone, with --sequential, from the stand-alone
program and (with --mpi) under mpirun.

    test_job_fortran.py [--mpi]"""
import os
import sys

import h5py
import numpy as np
from nctest import NC_JOB, Workdir, check, mandel_reference, mpirun_command, run

WIDTH, HEIGHT, MAX_ITER = 300, 225, 800
REGION = {"re_min": -0.7530, "re_max": -0.7370, "im_min": 0.0960, "im_max": 0.1080}
PICTURE = ["--width", str(WIDTH), "--height", str(HEIGHT), "--max-iter", str(MAX_ITER),
           *[item for key, value in REGION.items() for item in ("--" + key.replace("_", "-"), repr(value))]]


def counts(work, name, dataset="escape_time"):
    with h5py.File(os.path.join(work, name), "r") as f:
        attrs = {key: value.decode() if isinstance(value, bytes) else value for key, value in f[dataset].attrs.items()}
        return f[dataset][...], attrs


def fortran_job(work, name, extra, launcher=None, program=None):
    args = ["fortran", *PICTURE, "--output", name, *extra]
    command = launcher(args) if launcher else [program, *args[1:]] if program else [NC_JOB, *args]
    status, out, err = run(command, 180, cwd=work)
    if status != 0:
        print(out, err)
    check(status == 0, f"fortran {' '.join(extra)} exits 0")
    return counts(work, name)


with Workdir() as work:
    status, out, err = run([NC_JOB, "--list"], 30)
    check(status == 0 and "fortran" in [line.split()[0] for line in out.splitlines() if line.strip()],
          "nc_job --list names the fortran job")

    from_fortran, attrs = fortran_job(work, "fortran.h5", ["--kernel", "fortran", "--nodes", "3", "--chunk-height", "7"])
    check(from_fortran.shape == (HEIGHT, WIDTH) and from_fortran.dtype == np.uint32,
          "/escape_time is uint32 [height][width]")
    check("Fortran" in attrs["kernel"] and int(attrs["max_iter"]) == MAX_ITER,
          "the attributes name the Fortran kernel and record the parameters")
    inside = int(np.count_nonzero(from_fortran == MAX_ITER))
    check(0 < inside < from_fortran.size and len(np.unique(from_fortran)) > 100,
          f"the region is telling: {inside} points inside, {len(np.unique(from_fortran))} distinct counts")

    from_cpp, cpp_attrs = fortran_job(work, "cpp.h5", ["--kernel", "cpp", "--nodes", "2", "--threads", "2"])
    check("C++" in cpp_attrs["kernel"], "the attributes name the C++ kernel")
    check(np.array_equal(from_fortran, from_cpp), "the Fortran kernel and its C++ twin give the same counts")

    status, out, err = run([NC_JOB, "mandel", *PICTURE, "--nodes", "2", "--output", "mandel.h5"], 180, cwd=work)
    check(status == 0, "the mandel job on the same region exits 0")
    check(np.array_equal(counts(work, "mandel.h5", "mandel")[0], from_fortran),
          "the mandel job's kernel gives the same counts too")

    reference = mandel_reference(WIDTH, HEIGHT, MAX_ITER, **REGION)
    share = np.count_nonzero(reference != from_fortran) / reference.size
    check(share <= 1e-3, f"an independent numpy implementation agrees on {100 * (1 - share):.3f}% of the pixels")

    sequential, _ = fortran_job(work, "sequential.h5", ["--sequential"])
    check(np.array_equal(sequential, from_fortran), "--sequential gives the same counts")

    program = os.path.join(os.environ.get("NC_BUILD_DIR", "."), "jobs", "fortran")
    standalone, _ = fortran_job(work, "program.h5", ["--nodes", "2"], program=program)
    check(np.array_equal(standalone, from_fortran), "the stand-alone program gives the same counts")

    if "--mpi" in sys.argv[1:]:
        for ranks, extra in ((2, ["--kernel", "fortran"]), (3, ["--kernel", "fortran", "--threads", "2"]),
                             (4, ["--kernel", "cpp"])):
            image, _ = fortran_job(work, f"mpi{ranks}.h5", extra, launcher=lambda args: mpirun_command(ranks, args))
            check(np.array_equal(image, from_fortran), f"mpirun -n {ranks} {' '.join(extra)}: the same counts")
