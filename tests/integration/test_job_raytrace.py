"""The raytrace job (jobs/raytrace): the picture is the same bits whoever renders it: one node
or several, one thread or three, any chunk height, --sequential, the stand-alone program and
(with --mpi) mpirun with 1, 2 and 3 nodes. The PNG is the HDF5 picture clamped and
gamma-corrected, and the picture is a picture (not blank, not noise-free of its samples).

    test_job_raytrace.py [--mpi]"""
import os
import sys

import h5py
import numpy as np
from PIL import Image
from nctest import NC_JOB, Workdir, check, mpirun_command, run

WIDTH, HEIGHT = 160, 90
SIZE = ["--width", str(WIDTH), "--height", str(HEIGHT), "--samples", "6", "--max-depth", "8"]


def render(work, name, extra, launcher=None, program=None, timeout=180):
    args = ["raytrace", *SIZE, "--output", name, *extra]
    if launcher is not None:
        command = launcher(args)
    elif program is not None:
        command = [program, *args[1:]]
    else:
        command = [NC_JOB, *args]
    status, out, err = run(command, timeout, cwd=work)
    if status != 0:
        print(out, err)
    check(status == 0, f"{' '.join(extra) or 'the default run'} exits 0")
    with h5py.File(os.path.join(work, name), "r") as f:
        return f["image"][...], dict(f["image"].attrs)


def bits(image):
    return image.view(np.uint32)


with Workdir() as work:
    status, out, err = run([NC_JOB, "--list"], 30)
    check(status == 0 and "raytrace" in [line.split()[0] for line in out.splitlines() if line.strip()],
          "nc_job --list names the raytrace job")

    reference, attrs = render(work, "one.h5", ["--nodes", "1", "--threads", "1", "--chunk-height", "5",
                                               "--png", "one.png"])
    check(reference.shape == (HEIGHT, 3 * WIDTH) and reference.dtype == np.float32,
          "/image is float32 [height][3*width]")
    check(int(attrs["width"]) == WIDTH and int(attrs["samples"]) == 6 and int(attrs["max_depth"]) == 8,
          "the attributes record the parameters")
    check(bool(np.all(np.isfinite(reference))) and float(reference.min()) >= 0.0,
          "every value is finite and not negative")
    rgb = reference.reshape(HEIGHT, WIDTH, 3)
    check(float(rgb.std()) > 0.05 and len(np.unique(reference)) > WIDTH * HEIGHT,
          "the picture is not blank")

    png = np.asarray(Image.open(os.path.join(work, "one.png")).convert("RGB"))
    expected = np.rint(255.0 * np.clip(rgb.astype(np.float64), 0.0, 1.0) ** (1 / 2.2))
    check(png.shape == (HEIGHT, WIDTH, 3), "the PNG has the picture's size")
    check(int(np.abs(png.astype(np.int64) - expected.astype(np.int64)).max()) <= 1,
          "the PNG is the picture clamped to [0, 1] and gamma 2.2")

    variants = [
        ["--nodes", "2", "--threads", "1", "--chunk-height", "5"],
        ["--nodes", "3", "--threads", "1", "--chunk-height", "5"],
        ["--nodes", "1", "--threads", "3", "--chunk-height", "5"],
        ["--nodes", "3", "--threads", "3", "--chunk-height", "1"],
        ["--nodes", "2", "--chunk-height", "90"],
        ["--sequential"],
    ]
    for i, extra in enumerate(variants):
        image, _ = render(work, f"variant{i}.h5", extra)
        check(np.array_equal(bits(image), bits(reference)), f"{' '.join(extra)}: the same bits")

    program = os.path.join(os.environ.get("NC_BUILD_DIR", "."), "jobs", "raytrace")
    image, _ = render(work, "program.h5", ["--nodes", "2", "--chunk-height", "7"], program=program)
    check(np.array_equal(bits(image), bits(reference)), "the stand-alone program: the same bits")

    # Each sample adds its own random numbers: one more changes the picture.
    more = SIZE.index("--samples") + 1
    SIZE[more] = "7"
    image, _ = render(work, "seven.h5", ["--nodes", "2"])
    check(not np.array_equal(bits(image), bits(reference)), "a seventh sample changes the picture")
    SIZE[more] = "6"

    if "--mpi" in sys.argv[1:]:
        for ranks, extra in ((2, []), (3, []), (4, []), (3, ["--threads", "3"]), (4, ["--chunk-height", "3"])):
            image, _ = render(work, f"mpi{ranks}{len(extra)}.h5", extra,
                              launcher=lambda args: mpirun_command(ranks, args))
            check(np.array_equal(bits(image), bits(reference)),
                  f"mpirun -n {ranks} ({ranks - 1} node{'s' if ranks > 2 else ''}) {' '.join(extra)}: the same bits")
