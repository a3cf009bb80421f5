#!/usr/bin/env bash
# Installs what the tests need (Debian 12, as root), builds node_crunch and runs every test,
# suite after suite (NC_SUITES picks some; the default is all of them, in this order):
#   release the release build: unit, MPI, integration, fault, chaos soak, downstream (ctest);
#   slurm   a one-machine Slurm cluster, and the scripts in slurm/ submitted to it (ctest -L slurm);
#   asan    the ASan+UBSan build: every test but the slow ones, under both checkers;
#   tsan    the TSan build: the threaded parts (engines, worker pool, in-process runs, Asio);
#   fuzz    libFuzzer on every decoder of outside bytes, 30 s each (NC_FUZZ_SECONDS);
#   mpich   nc_job built against MPICH instead of Open MPI, and its MPI tests (build-mpich,
#           ctest -L mpi), launched by MPICH's own mpiexec without Open MPI's flags;
#   s390x   the library, its unit tests and nc_job cross-built for big-endian s390x
#           (build-s390x): the unit tests under qemu-s390x (the wire format's golden bytes hold
#           there too), then TCP jobs whose server and two nodes are this machine's nc_job (the
#           release build) and one node the s390x nc_job: the same bits as on this machine.
# Every test has a time limit; everything takes about 40 minutes on 2 cores. The release build
# is built as users build it; the others as unity builds (CMake batches the sources of a target
# into a few files, a quarter less to compile), which only CI needs.
#
#   tests/run-all.sh                                 everything
#   NC_SUITES="release" tests/run-all.sh -L unit     one suite, ctest arguments passed on
#   NC_SUITES="mpich s390x" tests/run-all.sh         the other MPI and the other byte order
# NC_SKIP_APT=1 skips the package installation.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${NC_SUITES:-"release slurm asan tsan fuzz mpich s390x"}
jobs=$(nproc)

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# apt_install PACKAGE...: installs those not installed yet (a suite's own extras).
apt_install() {
  [[ ${NC_SKIP_APT:-0} == 1 ]] && return 0
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  [[ ${#missing[@]} -eq 0 ]] || $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

if [[ ${NC_SKIP_APT:-0} != 1 ]]; then
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends \
    g++ cmake make pkg-config libopenmpi-dev openmpi-bin libhdf5-dev hdf5-tools \
    libboost-serialization-dev libboost-dev catch2 libbenchmark-dev libcli11-dev libspdlog-dev \
    libsodium-dev libpng-dev python3 python3-numpy python3-h5py clang libclang-rt-14-dev >/dev/null
fi

# Open MPI refuses to run as root without these; other MPIs ignore them.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

step() { printf '\n==== %s (%s)\n' "$1" "$(date +%T)"; }

for suite in $suites; do
  case $suite in
    release)
      step "release build"
      cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      cmake --build build -j "$jobs"
      step "release tests"
      # The Slurm tests need a cluster: their own suite starts one.
      ctest --test-dir build --output-on-failure -j "$jobs" -LE slurm "$@"
      ;;
    asan)
      step "ASan+UBSan build"
      cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=address,undefined -DNC_BUILD_BENCH=OFF \
        -DCMAKE_UNITY_BUILD=ON >/dev/null
      cmake --build build-asan -j "$jobs"
      step "ASan+UBSan tests"
      # Open MPI keeps what MPI_Init allocates until exit: leaks reported from inside it are
      # its own (tests/sanitizers/lsan.supp); ours still fail the run. The slow unwinder and
      # keeping MPI's plugins loaded let those stacks resolve to names.
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
      OMPI_MCA_mca_base_component_disable_dlclose=1 \
      LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "slow|slurm" -E "downstream" "$@"
      ;;
    tsan)
      step "TSan build"
      cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=thread -DNC_BUILD_BENCH=OFF \
        -DCMAKE_UNITY_BUILD=ON >/dev/null
      cmake --build build-tsan -j "$jobs" --target nc_unit_checks
      step "TSan tests"
      TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/sanitizers/tsan.supp" \
        ctest --test-dir build-tsan --output-on-failure -j "$jobs" -L unit "$@"
      ;;
    mpich)
      # Debian's MPICH beside the default Open MPI: the suffix selects its compiler wrappers and
      # its mpiexec together. Hydra runs as root and oversubscribes without flags; Open MPI's
      # root variables are taken away to show that nothing on MPICH's path needs them.
      apt_install libmpich-dev mpich
      step "MPICH build"
      cmake -S . -B build-mpich -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPI_EXECUTABLE_SUFFIX=.mpich \
        -DNC_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
      # What the MPI tests run: the job programs and the channel tests (the unit tests know no
      # MPI).
      cmake --build build-mpich -j "$jobs" --target nc_jobs nc_mpi_tests
      step "MPICH tests"
      env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
        ctest --test-dir build-mpich --output-on-failure -j "$jobs" -L mpi "$@"
      ;;
    s390x)
      # Big-endian: the library (no MPI, HDF5, PNG: a node needs none), its unit tests and
      # nc_job, cross-compiled and linked statically against s390x Debian packages unpacked in
      # build-s390x/sysroot; CTest runs them under qemu-s390x. The mixed-endian test (label
      # cross) serves its jobs with this machine's nc_job from the release build.
      apt_install g++-s390x-linux-gnu qemu-user
      step "s390x sysroot"
      tests/cross/make-s390x-sysroot.sh "$PWD/build-s390x/sysroot"
      step "s390x build"
      cmake -S . -B build-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake \
        -DNC_S390X_SYSROOT="$PWD/build-s390x/sysroot" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DNC_WITH_MPI=OFF -DNC_WITH_HDF5=OFF -DNC_WITH_PNG=OFF -DNC_WITH_SODIUM=ON \
        -DNC_BUILD_JOBS=ON -DNC_BUILD_BENCH=OFF -DNC_HOST_JOB="$PWD/build/jobs/nc_job" \
        -DCMAKE_UNITY_BUILD=ON >/dev/null
      cmake --build build-s390x -j "$jobs"
      s390x-linux-gnu-readelf -h build-s390x/jobs/nc_job | grep -E 'Class|Data|Machine'
      step "this machine's nc_job (release build), the server of the mixed-endian jobs"
      cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      cmake --build build -j "$jobs" --target nc_job
      step "s390x tests (qemu-s390x)"
      ctest --test-dir build-s390x --output-on-failure -j "$jobs" -L "unit|cross" "$@"
      ;;
    slurm)
      # A one-machine Slurm cluster (slurmctld, slurmd, munge) runs the scripts in slurm/ with
      # sbatch, then is stopped whatever the outcome. Uses the release build.
      step "Slurm cluster"
      [[ -x build/jobs/nc_job ]] || { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null && cmake --build build -j "$jobs"; }
      tests/slurm/local-slurm.sh start
      step "Slurm tests"
      status=0
      ctest --test-dir build --output-on-failure -L slurm "$@" || status=$?
      tests/slurm/local-slurm.sh stop || true
      [[ $status -eq 0 ]] || exit "$status"
      ;;
    fuzz)
      # libFuzzer (clang) on every decoder of outside bytes, each for NC_FUZZ_SECONDS (30) from
      # the committed seeds; what it adds to the corpus stays in build-fuzz/corpus.
      apt_install clang libclang-rt-14-dev
      step "fuzz build"
      CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNC_FUZZ=ON \
        -DNC_BUILD_JOBS=OFF -DNC_BUILD_TESTS=OFF -DNC_BUILD_BENCH=OFF -DNC_WITH_MPI=OFF \
        -DCMAKE_UNITY_BUILD=ON >/dev/null
      cmake --build build-fuzz -j "$jobs" --target fuzz_frames fuzz_message fuzz_archive fuzz_checkpoint
      for target in frames message archive checkpoint; do
        step "fuzzing $target for ${NC_FUZZ_SECONDS:-30} s"
        mkdir -p "build-fuzz/corpus/$target" "build-fuzz/findings/$target"
        # A finding stops the run and leaves its input in build-fuzz/findings: copy it into
        # tests/fuzz/corpus/ and it is replayed by every build from then on.
        ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_$target \
          -max_total_time="${NC_FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
          -artifact_prefix="build-fuzz/findings/$target/" \
          "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"build-fuzz/fuzz_$target.log" 2>&1 || {
          tail -40 "build-fuzz/fuzz_$target.log"
          echo "fuzz_$target found a crash: its input is in build-fuzz/findings/$target" >&2
          exit 1
        }
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "build-fuzz/fuzz_$target.log" || true
      done
      ;;
    *)
      echo "unknown suite '$suite' (release, slurm, asan, tsan, fuzz, mpich, s390x)" >&2
      exit 2
      ;;
  esac
done
step "all suites passed: $suites"
