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
# Every suite runs, even after one failed; each prints how many tests it ran, and the last line
# counts them over all suites ("N passed, N failed"; a fuzz target is one test, a build that
# fails is one failed test). The exit status is 0 only if every suite ran tests and none failed.
# Every build is configured with the options its suite needs, so a build/ folder configured
# otherwise (README's first command leaves one without tests) changes nothing. Every test has a
# time limit. The release build is built as users build it; the others as unity builds (CMake
# batches the sources of a target into a few files), which only CI needs.
#
#   tests/run-all.sh                                 everything
#   NC_SUITES="release" tests/run-all.sh -L unit     one suite, ctest arguments passed on
#   NC_SUITES="mpich s390x" tests/run-all.sh         the other MPI and the other byte order
# NC_SKIP_APT=1 skips the package installation (the Python module check still runs).
set -euo pipefail
cd "$(dirname "$0")/.."
suites=${NC_SUITES:-"release slurm asan tsan fuzz mpich s390x"}
jobs=$(nproc)
logs=$PWD/build-logs
mkdir -p "$logs"
: >"$logs/counts"
: >"$logs/failures"

for suite in $suites; do
  case $suite in
    release | slurm | asan | tsan | fuzz | mpich | s390x) ;;
    *)
      echo "unknown suite '$suite' (release, slurm, asan, tsan, fuzz, mpich, s390x)" >&2
      exit 2
      ;;
  esac
done
wants() { [[ " $suites " == *" $1 "* ]]; }

# What every suite needs, then each chosen suite's extras: one apt transaction. clang's
# FuzzedDataProvider.h also lets every build replay the checkpoint fuzz corpus; gfortran builds
# the Fortran job and its tests; time (GNU time) measures the benchmarks' memory.
packages=(g++ gfortran cmake make ninja-build ccache pkg-config libopenmpi-dev openmpi-bin libhdf5-dev
  hdf5-tools libboost-serialization-dev libboost-dev catch2 libbenchmark-dev libcli11-dev
  libspdlog-dev libsodium-dev libpng-dev clang libclang-rt-14-dev
  time python3 python3-numpy python3-h5py python3-matplotlib python3-pil python3-mpi4py python3-distributed)
wants mpich && packages+=(libmpich-dev mpich)
wants s390x && packages+=(g++-s390x-linux-gnu qemu-user debian-archive-keyring)
sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
step() { printf '\n==== %s (%s)\n' "$1" "$(date +%T)"; }
started=$(date +%s)
if [[ ${NC_SKIP_APT:-0} != 1 ]]; then
  step "installing ${#packages[@]} packages and what they need"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$logs/apt.log" 2>&1 || {
    tail -30 "$logs/apt.log"
    echo "apt-get install failed (whole log: $logs/apt.log)" >&2
    exit 1
  }
fi
step "checking the Python modules the tests import"
/usr/bin/python3 tests/check-python-modules.py tests bench

# Open MPI refuses to run as root without these; other MPIs ignore them.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# One compiler cache for every build of this run: a file compiled with the same flags in two
# builds is compiled once. The build folder's name is not part of the key.
export CCACHE_DIR=${CCACHE_DIR:-$PWD/build-ccache} CCACHE_NOHASHDIR=1 CCACHE_MAXSIZE=5G
launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
ctest_args=("$@")

# record SUITE PASSED FAILED: adds a suite's counts to the totals.
record() { echo "$1 $2 $3" >>"$logs/counts"; }

# run_ctest SUITE CTEST-ARGUMENT...: runs ctest (the suite fails if it finds no test) and
# records how many of its tests passed and failed.
run_ctest() {
  local suite=$1 status=0 total failed
  shift
  ctest --no-tests=error --output-on-failure "$@" "${ctest_args[@]}" 2>&1 | tee "$logs/$suite.ctest.log" ||
    status=$?
  read -r failed total < <(sed -n 's/.*tests passed, \([0-9]*\) tests\? failed out of \([0-9]*\).*/\1 \2/p' \
    "$logs/$suite.ctest.log" | tail -n1) || true
  if [[ -z ${total:-} || $total -eq 0 ]]; then
    echo "$suite: ctest ran no test" >&2
    record "$suite" 0 1
    return 1
  fi
  record "$suite" $((total - failed)) "$failed"
  echo "$suite: $total tests ran, $((total - failed)) passed, $failed failed"
  ((failed == 0)) || failure_excerpts "$suite" "$logs/$suite.ctest.log" >>"$logs/failures"
  return "$status"
}

# failure_excerpts SUITE CTEST-LOG: for each failed test of a ctest log written with
# --output-on-failure, its failed checks and the end of its output. The summary repeats them, so
# that the end of a long run's output tells what failed and why.
failure_excerpts() {
  awk -v suite="$1" '
    function flush() {
      if (name == "") return
      printf "---- %s: %s\n", suite, name
      for (i = 1; i <= nfail; i++) print "  " fails[i]
      if (n > 25) print "  ..."
      for (i = (n > 25 ? n - 24 : 1); i <= n; i++) print "  " lines[i]
      name = ""
    }
    /^ *Start +[0-9]+: / || /^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / || /tests passed, [0-9]+ tests? failed/ {
      flush()
      if ($0 ~ /\*\*\*(Failed|Timeout|Exception)|Not Run/) {
        name = $0
        sub(/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: /, "", name)
        sub(/ \.+.*/, "", name)
        n = 0
        nfail = 0
      }
      next
    }
    name != "" {
      lines[++n] = $0
      if ($0 ~ /FAIL|Traceback/ && nfail < 10) fails[++nfail] = $0
    }
    END { flush() }
  ' "$2"
}

# The release build, configured as README.md's first command does but with every part on.
configure_release() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNC_BUILD_TESTS=ON -DNC_BUILD_JOBS=ON \
    -DNC_BUILD_BENCH=ON -DNC_WITH_MPI=ON -DNC_WITH_HDF5=ON -DNC_WITH_PNG=ON -DNC_WITH_SODIUM=ON \
    -DNC_SANITIZE= -DNC_FUZZ=OFF -DCMAKE_UNITY_BUILD=OFF "${launcher[@]}" >/dev/null
}

suite_release() {
  step "release build"
  configure_release
  cmake --build build -j "$jobs"
  step "release tests"
  # The Slurm tests need a cluster: their own suite starts one.
  run_ctest release --test-dir build -j "$jobs" -LE slurm
}

suite_slurm() {
  # A one-machine Slurm cluster (slurmctld, slurmd, munge) runs the scripts in slurm/ with
  # sbatch, then is stopped whatever the outcome. Uses the release build.
  step "release build for the Slurm tests"
  configure_release
  cmake --build build -j "$jobs"
  step "Slurm cluster"
  tests/slurm/local-slurm.sh start
  step "Slurm tests"
  local status=0
  run_ctest slurm --test-dir build -L slurm || status=$?
  tests/slurm/local-slurm.sh stop || true
  return "$status"
}

suite_asan() {
  step "ASan+UBSan build"
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=address,undefined \
    -DNC_BUILD_TESTS=ON -DNC_BUILD_JOBS=ON -DNC_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
    "${launcher[@]}" >/dev/null
  cmake --build build-asan -j "$jobs"
  step "ASan+UBSan tests"
  # Open MPI keeps what MPI_Init allocates until exit: leaks reported from inside it are its
  # own (tests/sanitizers/lsan.supp); ours still fail the run. The slow unwinder and keeping
  # MPI's plugins loaded let those stacks resolve to names.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
    OMPI_MCA_mca_base_component_disable_dlclose=1 \
    LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest asan --test-dir build-asan -j "$jobs" -LE "slow|slurm" -E "downstream"
}

suite_tsan() {
  step "TSan build"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DNC_SANITIZE=thread \
    -DNC_BUILD_TESTS=ON -DNC_BUILD_JOBS=ON -DNC_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
    "${launcher[@]}" >/dev/null
  cmake --build build-tsan -j "$jobs" --target nc_unit_checks
  step "TSan tests"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/sanitizers/tsan.supp" \
    run_ctest tsan --test-dir build-tsan -j "$jobs" -L unit
}

suite_mpich() {
  # Debian's MPICH beside the default Open MPI: the suffix selects its compiler wrappers and its
  # mpiexec together. Hydra runs as root and oversubscribes without flags; Open MPI's root
  # variables are taken away to show that nothing on MPICH's path needs them.
  step "MPICH build"
  cmake -S . -B build-mpich -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPI_EXECUTABLE_SUFFIX=.mpich \
    -DNC_BUILD_TESTS=ON -DNC_BUILD_JOBS=ON -DNC_BUILD_BENCH=OFF -DCMAKE_UNITY_BUILD=ON \
    "${launcher[@]}" >/dev/null
  # What the MPI tests run: the job programs and the channel tests (the unit tests know no MPI).
  cmake --build build-mpich -j "$jobs" --target nc_jobs nc_mpi_tests
  step "MPICH tests"
  unset OMPI_ALLOW_RUN_AS_ROOT OMPI_ALLOW_RUN_AS_ROOT_CONFIRM
  run_ctest mpich --test-dir build-mpich -j "$jobs" -L mpi
}

suite_s390x() {
  # Big-endian: the library (no MPI, HDF5, PNG: a node needs none), its unit tests and nc_job,
  # cross-compiled and linked statically against s390x Debian packages unpacked in
  # build-s390x/sysroot; CTest runs them under qemu-s390x. The mixed-endian test (label cross)
  # serves its jobs with this machine's nc_job from the release build.
  step "s390x sysroot"
  tests/cross/make-s390x-sysroot.sh "$PWD/build-s390x/sysroot"
  step "s390x build"
  cmake -S . -B build-s390x -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/s390x-linux-gnu.cmake \
    -DNC_S390X_SYSROOT="$PWD/build-s390x/sysroot" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DNC_WITH_MPI=OFF -DNC_WITH_HDF5=OFF -DNC_WITH_PNG=OFF -DNC_WITH_SODIUM=ON \
    -DNC_BUILD_TESTS=ON -DNC_BUILD_JOBS=ON -DNC_BUILD_BENCH=OFF -DNC_HOST_JOB="$PWD/build/jobs/nc_job" \
    -DCMAKE_UNITY_BUILD=ON "${launcher[@]}" >/dev/null
  cmake --build build-s390x -j "$jobs"
  s390x-linux-gnu-readelf -h build-s390x/jobs/nc_job | grep -E 'Class|Data|Machine'
  step "this machine's nc_job (release build), the server of the mixed-endian jobs"
  configure_release
  cmake --build build -j "$jobs" --target nc_job
  step "s390x tests (qemu-s390x)"
  run_ctest s390x --test-dir build-s390x -j "$jobs" -L "unit|cross"
}

suite_fuzz() {
  # libFuzzer (clang) on every decoder of outside bytes, each for NC_FUZZ_SECONDS (30) from the
  # committed seeds, one target per core at a time; what it adds to the corpus stays in
  # build-fuzz/corpus.
  step "fuzz build"
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNC_FUZZ=ON \
    -DNC_BUILD_JOBS=OFF -DNC_BUILD_TESTS=OFF -DNC_BUILD_BENCH=OFF -DNC_WITH_MPI=OFF \
    -DCMAKE_UNITY_BUILD=ON "${launcher[@]}" >/dev/null
  local targets=(frames message archive checkpoint) target batch status=0 passed=0 failed=0
  cmake --build build-fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"
  step "fuzzing ${targets[*]} for ${NC_FUZZ_SECONDS:-30} s each, $jobs at a time"
  for ((batch = 0; batch < ${#targets[@]}; batch += jobs)); do
    local running=()
    for target in "${targets[@]:batch:jobs}"; do
      mkdir -p "build-fuzz/corpus/$target" "build-fuzz/findings/$target"
      # A finding stops the target and leaves its input in build-fuzz/findings: copy it into
      # tests/fuzz/corpus/ and it is replayed by every build from then on.
      ASAN_OPTIONS=detect_leaks=1 build-fuzz/tests/fuzz/fuzz_$target \
        -max_total_time="${NC_FUZZ_SECONDS:-30}" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="build-fuzz/findings/$target/" \
        "build-fuzz/corpus/$target" "tests/fuzz/corpus/$target" >"build-fuzz/fuzz_$target.log" 2>&1 &
      running+=("$target:$!")
    done
    for target in "${running[@]}"; do
      if wait "${target#*:}"; then
        passed=$((passed + 1))
        echo "fuzz_${target%%:*}: no finding"
        grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "build-fuzz/fuzz_${target%%:*}.log" || true
      else
        failed=$((failed + 1))
        status=1
        tail -40 "build-fuzz/fuzz_${target%%:*}.log"
        echo "fuzz_${target%%:*} found a crash: its input is in build-fuzz/findings/${target%%:*}" >&2
      fi
    done
  done
  record fuzz "$passed" "$failed"
  echo "fuzz: ${#targets[@]} targets ran, $passed passed, $failed failed"
  return "$status"
}

failed_suites=()
for suite in $suites; do
  suite_started=$(date +%s)
  # A subshell of its own: `set -e` holds inside it, and a failing suite does not stop the rest.
  set +e
  (
    set -e
    "suite_$suite"
  )
  status=$?
  set -e
  if ((status != 0)); then
    failed_suites+=("$suite")
    # A suite that failed before it recorded anything (a build error) counts as one failure.
    grep -q "^$suite " "$logs/counts" || record "$suite" 0 1
  fi
  echo "suite $suite: $(awk -v s="$suite" '$1 == s { print $2 " passed, " $3 " failed" }' "$logs/counts")," \
    "$(($(date +%s) - suite_started)) s"
done

if [[ -s $logs/failures ]]; then
  step "what failed"
  cat "$logs/failures"
fi
step "summary ($(($(date +%s) - started)) s)"
awk '{ printf "  %-8s %5d passed, %d failed\n", $1, $2, $3 }' "$logs/counts"
empty=$(awk '$2 + $3 == 0 { print $1 }' "$logs/counts")
[[ -z $empty ]] || echo "suites that ran no test: $empty"
((${#failed_suites[@]} == 0)) || echo "failed suites: ${failed_suites[*]}"
read -r passed failed < <(awk '{ p += $2; f += $3 } END { print p + 0, f + 0 }' "$logs/counts")
echo "$passed passed, $failed failed"
[[ ${#failed_suites[@]} -eq 0 && -z $empty && $failed -eq 0 ]]
