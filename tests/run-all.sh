#!/usr/bin/env bash
# Installs what the tests need (Debian 12, as root), builds node_crunch and runs every test:
#   1. the release build: unit, MPI, integration, fault, downstream tests (ctest);
#   2. the ASan+UBSan build: the same tests under the address and undefined-behaviour checkers;
#   3. the TSan build: the threaded parts (engines, worker pool, in-process runs).
# Every test has a time limit; the whole run takes about 20 minutes on 2 cores.
#
#   tests/run-all.sh                 everything
#   NC_SUITES="release" tests/run-all.sh -L unit     one suite, ctest arguments passed on
# NC_SKIP_APT=1 skips the package installation.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${NC_SUITES:-"release asan tsan"}
jobs=$(nproc)

if [[ ${NC_SKIP_APT:-0} != 1 ]]; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
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
    *)
      echo "unknown suite '$suite' (release, asan, tsan)" >&2
      exit 2
      ;;
  esac
done
step "all suites passed: $suites"
