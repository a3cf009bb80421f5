# Functions for a throw-away Debian root (sourced by .ci/run): make it, enter it, and take it
# apart without touching the machine.
#
# A root has the host's /dev bound into it (debootstrap binds it too while it runs, so a root
# left by a killed run may still have it). `rm -rf` of such a root deletes the host's device
# nodes. So a root is only ever removed by remove_root: it stops the processes running inside,
# unmounts everything under it, deepest first, checks that nothing is left mounted, and only
# then deletes it, never crossing into another file system.

# mounts_under DIR: the mount points at or below DIR, deepest first.
mounts_under() {
  local dir=$1
  # /proc/self/mountinfo's 5th field is the mount point, with blanks written as octal escapes.
  awk '{ print $5 }' /proc/self/mountinfo | while read -r point; do
    point=$(printf '%b' "$point")
    [[ $point == "$dir" || $point == "$dir"/* ]] && printf '%s\n' "$point"
  done | awk -F/ '{ print NF "\t" $0 }' | sort -rn -k1,1 | cut -f2-
}

# stop_processes_in DIR: ends every process whose root directory is DIR (daemons a test
# started, a hung job): first SIGTERM, then SIGKILL after 10 s.
stop_processes_in() {
  local dir=$1 signal pid left
  for signal in TERM KILL; do
    left=0
    for pid in /proc/[0-9]*; do
      pid=${pid#/proc/}
      [[ $(readlink "/proc/$pid/root" 2>/dev/null) == "$dir" ]] || continue
      kill "-$signal" "$pid" 2>/dev/null && left=1
    done
    ((left)) || return 0
    for _ in $(seq 100); do
      left=0
      for pid in /proc/[0-9]*; do
        [[ $(readlink "$pid/root" 2>/dev/null) == "$dir" ]] && left=1 && break
      done
      ((left)) || return 0
      sleep 0.1
    done
  done
}

# unmount_all DIR: unmounts everything at or below DIR; fails if anything stays mounted.
unmount_all() {
  local dir=$1 point pass
  for pass in 1 2 3; do
    while read -r point; do
      [[ -n $point ]] || continue
      umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
    done < <(mounts_under "$dir")
    [[ -z $(mounts_under "$dir") ]] && return 0
    sleep 1
  done
  echo "still mounted under $dir:" >&2
  mounts_under "$dir" >&2
  return 1
}

# remove_root DIR: stops, unmounts and deletes a root; refuses to delete while anything is
# still mounted there.
remove_root() {
  local dir=$1
  [[ -d $dir ]] || return 0
  stop_processes_in "$dir"
  unmount_all "$dir" || {
    echo "left $dir in place: it still has mounts" >&2
    return 1
  }
  rm -rf --one-file-system "$dir"
}

# make_root DIR MIRROR CACHE: a minimal Debian 12 (bookworm) root in DIR, ready for chroot:
# /proc, /sys and /dev mounted, the host's name resolution and apt sources copied in, and
# CACHE/archives bound to its apt cache (downloaded .deb files only: every package is still
# installed into the new root).
make_root() {
  local dir=$1 mirror=$2 cache=$3
  mkdir -p "$dir" "$cache/debootstrap" "$cache/archives/partial"
  # A mount point of its own, private, so that nothing mounted inside propagates to the host,
  # and `ip netns exec` inside the root can remount / as a slave.
  mount --bind "$dir" "$dir"
  mount --make-private "$dir"
  debootstrap --variant=minbase --cache-dir="$cache/debootstrap" bookworm "$dir" "$mirror" \
    >"$cache/debootstrap.log" 2>&1 || {
    tail -30 "$cache/debootstrap.log" >&2
    echo "debootstrap failed (whole log: $cache/debootstrap.log)" >&2
    return 1
  }
  mount -t proc proc "$dir/proc"
  # The host's /sys with what is mounted below it (the cgroup file systems that slurmd needs),
  # and /dev with /dev/pts and /dev/shm; as slaves, so that unmounting them later in the root
  # cannot unmount the host's.
  mount --rbind /sys "$dir/sys"
  mount --make-rslave "$dir/sys"
  mount --rbind /dev "$dir/dev"
  mount --make-rslave "$dir/dev"
  mount --bind "$cache/archives" "$dir/var/cache/apt/archives"
  cp /etc/resolv.conf /etc/hosts "$dir/etc/"
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    cp /etc/apt/sources.list.d/debian.sources "$dir/etc/apt/sources.list.d/"
    rm -f "$dir/etc/apt/sources.list"
  fi
}

# debian_mirror: the Debian mirror this machine's apt uses (deb.debian.org if none is found).
debian_mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\/\?\)$/\1/p' \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" && $2 ~ /\/debian\/?$/ { print $2; exit }' \
    /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}
