#!/usr/bin/env bash
# Installs what the tests need (Debian 12, as root), builds node_crunch and runs every test:
#   1. the release build: unit, MPI, integration, fault, downstream tests (ctest);
#   2. the ASan+UBSan build: the same tests under the address and undefined-behaviour checkers;
#   3. the TSan build: the threaded parts (engines, worker pool, in-process runs).
# Every test has a time limit; the whole run takes about 20 minutes on 2 cores.
# Two more suites run when asked for (NC_SUITES):
#   mpich   the build against MPICH instead of Open MPI, and its MPI tests (build-mpich);
#   s390x   the library and its unit tests cross-built for big-endian s390x and run under
#           qemu-s390x (build-s390x): the wire format's golden bytes hold there too.
#
#   tests/run-all.sh                 everything
#   NC_SUITES="release" tests/run-all.sh -L unit     one suite, ctest arguments passed on
#   NC_SUITES="mpich s390x" tests/run-all.sh         the other MPI and the other byte order
# NC_SKIP_APT=1 skips the package installation.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${NC_SUITES:-"release asan tsan"}
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
    libsodium-dev libpng-dev python3 python3-numpy python3-h5py >/dev/null
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
      ctest --test-dir build --output-on-failure -j "$jobs" "$@"
      ;;
    asan)
      step "ASan+UBSan build"
      cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=address,undefined -DNC_BUILD_BENCH=OFF >/dev/null
      cmake --build build-asan -j "$jobs" --target nc_unit_tests nc_job nc_mpi_tests
      step "ASan+UBSan tests"
      # Open MPI keeps what MPI_Init allocates until exit: leaks reported from inside it are
      # its own (tests/sanitizers/lsan.supp); ours still fail the run. The slow unwinder and
      # keeping MPI's plugins loaded let those stacks resolve to names.
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
      OMPI_MCA_mca_base_component_disable_dlclose=1 \
      LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "slow" -E "downstream" "$@"
      ;;
    tsan)
      step "TSan build"
      cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=thread -DNC_BUILD_BENCH=OFF >/dev/null
      cmake --build build-tsan -j "$jobs" --target nc_unit_tests nc_job
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
      cmake -S . -B build-mpich -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPI_EXECUTABLE_SUFFIX=.mpich >/dev/null
      cmake --build build-mpich -j "$jobs"
      step "MPICH tests"
      env -u OMPI_ALLOW_RUN_AS_ROOT -u OMPI_ALLOW_RUN_AS_ROOT_CONFIRM \
        ctest --test-dir build-mpich --output-on-failure -j "$jobs" -L mpi "$@"
      ;;
    s390x)
      # Big-endian: the library (no MPI, HDF5, PNG) and its unit tests, cross-compiled and
      # linked statically against s390x Debian packages unpacked in build-s390x/sysroot, run by
      # CTest under qemu-s390x.
      apt_install g++-s390x-linux-gnu qemu-user
      step "s390x sysroot"
      tests/cross/make-s390x-sysroot.sh "$PWD/build-s390x/sysroot"
      step "s390x build"
      cmake -S . -B build-s390x -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake \
        -DNC_S390X_SYSROOT="$PWD/build-s390x/sysroot" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DNC_WITH_MPI=OFF -DNC_WITH_HDF5=OFF -DNC_WITH_PNG=OFF -DNC_WITH_SODIUM=OFF \
        -DNC_BUILD_JOBS=OFF -DNC_BUILD_BENCH=OFF >/dev/null
      cmake --build build-s390x -j "$jobs" --target nc_unit_tests
      s390x-linux-gnu-readelf -h build-s390x/tests/nc_unit_tests | grep -E 'Class|Data|Machine'
      step "s390x tests (qemu-s390x)"
      ctest --test-dir build-s390x --output-on-failure -j "$jobs" -L unit "$@"
      ;;
    *)
      echo "unknown suite '$suite' (release, asan, tsan, mpich, s390x)" >&2
      exit 2
      ;;
  esac
done
step "all suites passed: $suites"
