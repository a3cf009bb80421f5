#!/usr/bin/env bash
# Makes a sysroot of the s390x (big-endian) libraries node_crunch links, for a cross build with
# cmake/toolchains/s390x-linux-gnu.cmake:
#
#   tests/cross/make-s390x-sysroot.sh [SYSROOT]        default: build-s390x/sysroot
#
# The packages come from Debian (the release this machine runs) through an apt configuration of
# their own: its own lists, cache and an empty status file, so nothing of the machine's apt state
# or installed packages changes. (A multiarch install of s390x -dev packages would have to match
# the version of every amd64 package it shares files with, and security updates break that.)
# Each package is only unpacked (dpkg-deb -x), and the programs are linked statically against the
# C library of the cross compiler: a dynamic s390x program run by qemu-s390x would need a glibc
# of exactly the cross compiler's version in the sysroot.
#
# Idempotent: a sysroot made from the same package list is left as it is. Downloads are kept in
# NC_S390X_CACHE (default: SYSROOT/../apt-cache); every network step has a time limit.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
sysroot=${1:-$root/build-s390x/sysroot}
cache=${NC_S390X_CACHE:-$(dirname "$sysroot")/apt-cache}
mirror=${NC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${NC_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
codename=$(. /etc/os-release && echo "${VERSION_CODENAME:?cannot tell the Debian release}")
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
triplet=s390x-linux-gnu

# Headers, static libraries and CMake/pkg-config files: the -dev packages alone.
packages=(
  libboost1.74-dev                # headers (Asio, Serialization) and BoostConfig
  libboost-serialization1.74-dev  # libboost_serialization.a
  libspdlog-dev libfmt-dev        # used header-only, see below
  libcli11-dev catch2             # header-only
  libsodium-dev                   # libsodium.a (NC_WITH_SODIUM)
)
stamp="$sysroot/.node_crunch-sysroot"
want="$codename ${packages[*]} $(sha256sum "$0" | cut -c1-16)"  # remade when this script changes
if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "s390x sysroot up to date: $sysroot"
  exit 0
fi

mkdir -p "$cache"/{lists/partial,archives/partial,debs,sources.list.d,preferences.d,trusted.gpg.d}
: >"$cache/status"
cat >"$cache/sources.list" <<EOF
deb [signed-by=$keyring] $mirror $codename main
deb [signed-by=$keyring] $mirror $codename-updates main
deb [signed-by=$keyring] $security_mirror $codename-security main
EOF
cat >"$cache/apt.conf" <<EOF
APT::Architecture "s390x";
APT::Architectures { "s390x"; };
APT::Get::Download-Only "true";
APT::Sandbox::User "root";
Dir::State "$cache";
Dir::State::Lists "$cache/lists";
Dir::State::status "$cache/status";
Dir::Cache "$cache";
Dir::Cache::Archives "$cache/archives";
Dir::Etc::SourceList "$cache/sources.list";
Dir::Etc::SourceParts "$cache/sources.list.d";
Dir::Etc::Preferences "$cache/preferences";
Dir::Etc::PreferencesParts "$cache/preferences.d";
Dir::Etc::TrustedParts "$cache/trusted.gpg.d";
Acquire::Languages "none";
Acquire::Retries "3";
Acquire::http::Timeout "60";
EOF
export APT_CONFIG=$cache/apt.conf

# A day-old package list is good enough; refresh it otherwise.
if [[ -z $(find "$cache/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit) ]]; then
  echo "s390x package lists: updating ($mirror, $codename)"
  timeout 600 apt-get update -qq
fi
echo "s390x packages: downloading into $cache/debs"
(cd "$cache/debs" && timeout 900 apt-get download -qq "${packages[@]}")

rm -rf "$sysroot"
mkdir -p "$sysroot"
for package in "${packages[@]}"; do
  # The newest downloaded version of each package (apt-get download keeps older ones too).
  deb=$(shopt -s nullglob; printf '%s\n' "$cache/debs/${package}_"*_{s390x,all}.deb | sort -V | tail -n 1)
  [[ -n $deb ]] || { echo "no .deb downloaded for $package" >&2; exit 1; }
  dpkg-deb -x "$deb" "$sysroot"
done

# A static-only sysroot: without the .so links, every find_library (pkg-config's too) takes
# the .a, and the link cannot pick up a shared library by accident.
find "$sysroot/usr/lib/$triplet" -maxdepth 1 -name 'lib*.so*' -delete

# Debian builds spdlog and fmt as shared libraries only. A static program uses both header-only:
# these package files replace Debian's and keep the target names (spdlog::spdlog, fmt::fmt) that
# the project links, so its CMake files need no cross-build special case.
cmake_dir="$sysroot/usr/lib/$triplet/cmake"
rm -rf "$cmake_dir/spdlog" "$cmake_dir/fmt"
mkdir -p "$cmake_dir/spdlog" "$cmake_dir/fmt"
spdlog_version=$(sed -n 's/^#define SPDLOG_VER_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' \
  "$sysroot/usr/include/spdlog/version.h" | paste -sd.)
fmt_version=$(sed -n 's/^#define FMT_VERSION \([0-9]*\)/\1/p' "$sysroot/usr/include/fmt/core.h")
fmt_version=$((fmt_version / 10000)).$((fmt_version / 100 % 100)).$((fmt_version % 100))
cat >"$cmake_dir/fmt/fmt-config.cmake" <<'EOF'
# fmt, header-only (a static s390x build; see tests/cross/make-s390x-sysroot.sh).
if(NOT TARGET fmt::fmt)
  add_library(fmt::fmt INTERFACE IMPORTED)
  set_target_properties(fmt::fmt PROPERTIES
    INTERFACE_COMPILE_DEFINITIONS "FMT_HEADER_ONLY=1"
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/../../../../include")
  add_library(fmt::fmt-header-only ALIAS fmt::fmt)
endif()
EOF
cat >"$cmake_dir/spdlog/spdlogConfig.cmake" <<'EOF'
# spdlog, header-only on header-only fmt (a static s390x build; see make-s390x-sysroot.sh).
include(CMakeFindDependencyMacro)
find_dependency(Threads)
find_dependency(fmt CONFIG)
if(NOT TARGET spdlog::spdlog)
  add_library(spdlog::spdlog INTERFACE IMPORTED)
  set_target_properties(spdlog::spdlog PROPERTIES
    INTERFACE_COMPILE_DEFINITIONS "SPDLOG_FMT_EXTERNAL"
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/../../../../include"
    INTERFACE_LINK_LIBRARIES "Threads::Threads;fmt::fmt")
  add_library(spdlog::spdlog_header_only ALIAS spdlog::spdlog)
endif()
EOF
for name in spdlog fmt; do
  version_var=${name}_version
  file="$cmake_dir/$name/${name}ConfigVersion.cmake"
  [[ $name == fmt ]] && file="$cmake_dir/fmt/fmt-config-version.cmake"
  cat >"$file" <<EOF
set(PACKAGE_VERSION "${!version_var}")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
EOF
done

echo "$want" >"$stamp"
echo "s390x sysroot ready: $sysroot (spdlog $spdlog_version, fmt $fmt_version header-only)"
