#!/usr/bin/env bash
# local-slurm.sh - a one-machine Slurm cluster for the slurm tests (Debian 12, as root).
#
#   tests/slurm/local-slurm.sh start   install what is missing, start the cluster, run one job
#   tests/slurm/local-slurm.sh stop    cancel its jobs, stop the daemons it started
#
# start installs slurmctld, slurmd, slurm-client, munge and libpmix-dev if missing (Slurm's
# PMIx plugin loads the unversioned libpmix.so, which only the -dev package has; without it
# 'srun --mpi=pmix' cannot start Open MPI programs). It then
#   1. creates a munge key if there is none and starts munged (unless one already answers);
#   2. writes /etc/slurm/slurm.conf for one node (this host) and one partition, "debug";
#   3. starts slurmctld and slurmd as root daemons with fresh state, without systemd;
#   4. waits (bounded) until the node is idle and a trivial batch job has run, else prints
#      the daemons' logs and fails.
# Running start twice is harmless: a cluster already started by this script is left alone.
# stop cancels the remaining jobs and stops slurmd, slurmctld and - only if start started
# it - munged, each by the pid file recorded at start. Nothing else is touched.
#
# Settings (environment, all optional):
#   LOCAL_SLURM_CPUS       CPUs the node advertises. Default: nproc, but at least 8, so jobs
#                          with more tasks than cores still run (no CPU binding is done).
#   LOCAL_SLURM_MEMORY_MB  RealMemory of the node. Default: the total memory.
#   LOCAL_SLURM_MPI        MpiDefault. Default: pmix if Slurm's pmix plugin is there, else none.
#   LOCAL_SLURM_TIMEOUT    Seconds to wait for the node and the first job. Default: 60.
#   NC_SKIP_APT=1          Never install packages (fail if a program is missing).
#
# Jobs are submitted as root here: Open MPI's mpirun then needs
#   export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# in the submitting environment (sbatch passes the environment on).
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
RUN_DIR=/run/local-slurm # pid files: what start started, so that stop ends only that
LOG_DIR=/var/log/slurm
CTLD_STATE=/var/spool/slurmctld
SLURMD_SPOOL=/var/spool/slurmd
MARKER="# Written by local-slurm.sh"
PACKAGES=(slurmctld slurmd slurm-client munge libpmix-dev)

log() { echo "local-slurm: $*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# pid_of PIDFILE NAME: prints the pid in PIDFILE if it is a live process called NAME.
pid_of() {
  local pid
  [[ -s $1 ]] || return 1
  pid=$(cat "$1" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    [[ $(cat /proc/"$pid"/comm 2>/dev/null) == "$2" ]] && echo "$pid"
}

# stop_daemons NAME...: SIGTERM the named daemons together (pid files $RUN_DIR/NAME.pid), wait
# up to 15 s, then SIGKILL what is left. Stale or foreign pids are ignored.
stop_daemons() {
  local name pid pids=() names=()
  for name in "$@"; do
    if pid=$(pid_of "$RUN_DIR/$name.pid" "$name"); then
      kill -TERM "$pid" 2>/dev/null && pids+=("$pid") && names+=("$name($pid)")
    fi
    rm -f "$RUN_DIR/$name.pid"
  done
  ((${#pids[@]})) || return 0
  local alive
  for _ in $(seq 150); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  log "stopped ${names[*]}"
}

install_packages() {
  local missing=() package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'ok installed' || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ ${NC_SKIP_APT:-0} == 1 ]] && die "missing packages: ${missing[*]} (NC_SKIP_APT=1)"
  log "installing ${missing[*]}"
  # The packages' init scripts would start the daemons with Debian's defaults (and munged
  # outside our pid files); a policy-rc.d that says "no" keeps them down during the install.
  local policy=/usr/sbin/policy-rc.d added_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy" && added_policy=1
  fi
  local status=0
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
  ((added_policy)) && rm -f "$policy"
  ((status == 0)) || die "apt-get install ${missing[*]} failed"
}

node_state() { timeout 5 sinfo -h -N -n "$NODE" -o %T 2>/dev/null | head -n1 || true; }

start_failed() {
  log "ERROR: $*"
  local f
  for f in "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log"; do
    echo "----- last lines of $f -----" >&2
    tail -n 40 "$f" >&2 2>/dev/null || true
  done
  # Leave nothing half-started behind, so that a second attempt begins clean.
  stop_daemons slurmd slurmctld munged
  exit 1
}

start_munge() {
  if timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1; then
    log "munged already running"
    return
  fi
  local user=munge
  id "$user" >/dev/null 2>&1 || user=root
  install -d -m 0700 -o "$user" /etc/munge /var/lib/munge /var/log/munge
  install -d -m 0755 -o "$user" /run/munge
  if [[ ! -s /etc/munge/munge.key ]]; then
    if command -v mungekey >/dev/null; then
      mungekey --create --keyfile=/etc/munge/munge.key --force
    else
      dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
  fi
  chown "$user": /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  rm -f /run/munge/munged.pid
  if [[ $user == root ]]; then munged --force; else runuser -u "$user" -- munged; fi
  for _ in $(seq 50); do
    timeout 5 munge -n 2>/dev/null | timeout 5 unmunge >/dev/null 2>&1 && break
    sleep 0.1
  done
  timeout 5 munge -n | timeout 5 unmunge >/dev/null ||
    start_failed "munged does not work: $(tail -n 5 /var/log/munge/munged.log 2>/dev/null)"
  cp /run/munge/munged.pid "$RUN_DIR/munged.pid" # marks munged as ours: stop ends it
  log "munged started"
}

write_config() {
  if [[ -e $CONF ]] && ! grep -qF "$MARKER" "$CONF" && ! grep -qF "# Written by start-local-slurm.sh" "$CONF"; then
    local backup
    backup=$CONF.bak.$(date +%Y%m%d%H%M%S)
    cp -p "$CONF" "$backup"
    log "saved the existing $CONF as $backup"
  fi
  cat >"$CONF" <<CONF
$MARKER (a one-machine test cluster)
ClusterName=local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$CTLD_STATE
SlurmdSpoolDir=$SLURMD_SPOOL
SlurmctldPidFile=$RUN_DIR/slurmctld.pid
SlurmdPidFile=$RUN_DIR/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
# Finished jobs stay visible to scontrol for 5 minutes: the tests read their final state.
MinJobAge=300
# Refuse (rather than leave pending forever) jobs that ask for more than the node has.
EnforcePartLimits=ALL
# No cgroups in a container: plain process tracking, no CPU binding, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Start a submitted job at once (Slurm's default waits up to 3 s to batch submissions).
SchedulerParameters=batch_sched_delay=0
MpiDefault=$MPI
ReturnToService=2
# Trust the node line below even though it claims more CPUs than the machine has.
SlurmdParameters=config_overrides
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CONF
  chmod 0644 "$CONF"
}

start() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  install_packages
  local d
  for d in munged munge unmunge slurmctld slurmd sinfo sbatch scontrol; do
    command -v "$d" >/dev/null || die "'$d' not found after installing ${PACKAGES[*]}"
  done
  NODE=$(hostname -s)
  local ncpu
  ncpu=$(nproc)
  CPUS=${LOCAL_SLURM_CPUS:-$((ncpu < 8 ? 8 : ncpu))}
  MEM=${LOCAL_SLURM_MEMORY_MB:-$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)}
  local timeout_s=${LOCAL_SLURM_TIMEOUT:-60} plugin_dir=
  for d in /usr/lib/*/slurm-wlm /usr/lib/*/slurm /usr/lib64/slurm /usr/local/lib/slurm; do
    if [[ -d $d ]]; then
      plugin_dir=$d
      break
    fi
  done
  MPI=${LOCAL_SLURM_MPI:-none}
  [[ -z ${LOCAL_SLURM_MPI:-} && -n $plugin_dir && -e $plugin_dir/mpi_pmix.so ]] && MPI=pmix

  mkdir -p "$RUN_DIR" "$LOG_DIR" "$CONF_DIR"
  if pid_of "$RUN_DIR/slurmctld.pid" slurmctld >/dev/null && pid_of "$RUN_DIR/slurmd.pid" slurmd >/dev/null; then
    log "already running (node $NODE is $(node_state))"
    return 0
  fi
  local started=$SECONDS
  start_munge
  write_config
  rm -rf "$CTLD_STATE" "$SLURMD_SPOOL"
  install -d -m 0755 "$CTLD_STATE" "$SLURMD_SPOOL"
  rm -f "$RUN_DIR/slurmctld.pid" "$RUN_DIR/slurmd.pid"
  : >"$LOG_DIR/slurmctld.log"
  : >"$LOG_DIR/slurmd.log"
  slurmctld || start_failed "slurmctld did not start"
  slurmd || start_failed "slurmd did not start"

  local deadline=$((SECONDS + timeout_s)) state=
  while ((SECONDS < deadline)); do
    for d in slurmctld slurmd; do # the daemons write their pid files shortly after forking
      [[ -s $RUN_DIR/$d.pid ]] && ! pid_of "$RUN_DIR/$d.pid" "$d" >/dev/null && start_failed "$d exited"
    done
    state=$(node_state)
    [[ $state == idle ]] && break
    sleep 0.2
  done
  [[ $state == idle ]] || start_failed "node $NODE not idle after ${timeout_s}s (state: ${state:-unknown})"

  # One trivial job end to end: proves that jobs run, and gets the scheduler past the delay
  # its first job after a start otherwise has.
  local job job_state=
  job=$(timeout 10 sbatch --parsable --job-name=local-slurm-warmup --output=/dev/null --chdir=/ --wrap=true 2>&1) ||
    start_failed "sbatch failed: $job"
  while ((SECONDS < deadline)); do
    job_state=$(timeout 5 scontrol show job "$job" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true)
    [[ $job_state == COMPLETED ]] && break
    case $job_state in FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE)
      start_failed "the first job $job ended $job_state" ;;
    esac
    sleep 0.2
  done
  [[ $job_state == COMPLETED ]] || start_failed "the first job $job did not complete in ${timeout_s}s"
  log "ready in $((SECONDS - started)) s: node $NODE, CPUs=$CPUS (cores: $ncpu), partition debug, MpiDefault=$MPI"
}

stop() {
  [[ $(id -u) -eq 0 ]] || die "must run as root"
  if pid_of "$RUN_DIR/slurmctld.pid" slurmctld >/dev/null && command -v squeue >/dev/null; then
    local jobs
    jobs=$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ' || true)
    if [[ -n ${jobs// /} ]]; then
      log "cancelling jobs: $jobs"
      # shellcheck disable=SC2086
      timeout 10 scancel $jobs 2>/dev/null || true
      for _ in $(seq 50); do
        [[ -z $(timeout 5 squeue -h -o %A 2>/dev/null) ]] && break
        sleep 0.2
      done
    fi
  fi
  stop_daemons slurmd slurmctld
  stop_daemons munged # has a pid file only if start started it
}

case ${1:-} in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
