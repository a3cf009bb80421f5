"""Install node_crunch to a temporary prefix, build a separate project against it with
find_package(NodeCrunch), and run the job it defines."""
import os
import subprocess

from nctest import Workdir, check, run

build_dir = os.environ["NC_BUILD_DIR"]
source_dir = os.environ["NC_SOURCE_DIR"]
with Workdir() as work:
    prefix = os.path.join(work, "prefix")
    status, out, err = run(["cmake", "--install", build_dir, "--prefix", prefix], 120)
    check(status == 0, "node_crunch installs")
    check(os.path.exists(os.path.join(prefix, "lib", "cmake", "NodeCrunch", "NodeCrunchConfig.cmake")) or
          any(os.path.exists(os.path.join(prefix, d, "cmake", "NodeCrunch", "NodeCrunchConfig.cmake"))
              for d in os.listdir(prefix)), "the CMake package is installed")
    downstream = os.path.join(work, "build")
    status, out, err = run(["cmake", "-S", os.path.join(source_dir, "tests", "downstream"), "-B", downstream,
                            f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_BUILD_TYPE=Release"], 300)
    print(out, err)
    check(status == 0, "the downstream project configures with find_package(NodeCrunch)")
    status, out, err = run(["cmake", "--build", downstream, "-j", "2"], 500)
    print(out[-3000:], err[-3000:])
    check(status == 0, "the downstream project builds")
    status, out, err = run([os.path.join(downstream, "sum_job"), "--nodes", "2"], 60)
    print(out, err)
    check(status == 0 and "correct" in out, "its job runs and gets the right answer")
