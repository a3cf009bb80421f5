"""mpirun -n N nc_job mandel: the HDF5 matches an independent implementation, h5dump -A
shows the parameters, and every node rank took part."""
import os
import subprocess
import sys

from nctest import Workdir, check, compare_with_reference, mpirun_command, run

ranks = int(sys.argv[1])
with Workdir() as work:
    status, out, err = run(mpirun_command(ranks, ["mandel", "--width", "2000", "--height", "1500", "--max-iter", "500",
                                                  "--output", "x.h5"]), 150, cwd=work)
    print(err)
    check(status == 0, f"mpirun -n {ranks} exits 0")
    compare_with_reference(os.path.join(work, "x.h5"), 2000, 1500, 500)
    for rank in range(1, ranks):
        check(f"at rank {rank} " in err, f"rank {rank} joined as a node")
    attrs = subprocess.run(["h5dump", "-A", os.path.join(work, "x.h5")], capture_output=True, text=True).stdout
    for name in ["width", "height", "max_iter", "re_min", "re_max", "im_min", "im_max"]:
        check(f'ATTRIBUTE "{name}"' in attrs, f"h5dump -A shows {name}")
