#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs Cordon from BUILD_DIR into a fresh prefix, compiles the EAR policy with the installed
# `cordon`, builds examples/host against the installed package (CMake config and pkg-config), and
# runs the three hosts, which check their own decisions. Also checks that the hosts load the
# installed libcordon, not one from the build tree or the system.
#
#   tests/host/run_host_examples.sh BUILD_DIR SOURCE_DIR
#
# KEEP_WORK=1 keeps the work directory for a look after a failure.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 BUILD_DIR SOURCE_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-host.XXXXXX")
cleanup() {
  if [[ ${KEEP_WORK:-0} == 1 ]]; then
    echo "work directory kept: $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

step() { echo "[host] $*"; }

# Runs a command with its output in $work/LOG.log, shown only if it fails.
quiet() {
  local log="$work/$1.log"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    echo "[host] FAILED: $*" >&2
    exit 1
  fi
}

step "install $build_dir -> $work/prefix"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null

# The installed libcordon, wherever the libdir is (lib, lib64, lib/x86_64-linux-gnu).
lib=$(find "$work/prefix" -name 'libcordon.so*' \( -type f -o -type l \) -print -quit)
if [[ -z $lib ]]; then
  echo "[host] FAILED: no libcordon.so* under $work/prefix" >&2
  exit 1
fi
libdir=$(dirname "$lib")
installed() { LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
step "installed libcordon in $libdir"

if [[ ! -f $work/prefix/share/cordon/stdlib/ear/policy.cordon ]]; then
  echo "[host] FAILED: no stdlib at $work/prefix/share/cordon/stdlib" >&2
  exit 1
fi
step "installed stdlib in $work/prefix/share/cordon/stdlib"

step "compile $source_dir/stdlib/ear -> $work/ear.so, $work/ear.h"
quiet compile installed "$work/prefix/bin/cordon" compile --policy "$source_dir/stdlib/ear" \
  -o "$work/ear.so" --header "$work/ear.h"

# Only the prefix's .pc directories, so a cordon.pc elsewhere cannot stand in for it.
pc_path=""
shopt -s nullglob
for dir in "$work/prefix"/lib*/pkgconfig "$work/prefix"/lib/*/pkgconfig \
           "$work/prefix"/share/pkgconfig; do
  pc_path+="${pc_path:+:}$dir"
done
shopt -u nullglob
export PKG_CONFIG_PATH="$pc_path"
# The .pc must name the prefix installed to, not the one the build was configured with.
if ! pc_libs=$(pkg-config --libs cordon) || [[ $pc_libs != *"$work/prefix"* ]]; then
  echo "[host] FAILED: pkg-config --libs cordon gives '${pc_libs:-}', not a path in $work/prefix" \
       "(PKG_CONFIG_PATH=$PKG_CONFIG_PATH)" >&2
  exit 1
fi
step "pkg-config cordon: $pc_libs"

step "configure examples/host against $work/prefix"
quiet configure cmake -S "$source_dir/examples/host" -B "$work/host" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCORDON_POLICY_HEADER_DIR="$work"

step "build host_c, host_cpp, host_c_pkgconfig"
quiet build cmake --build "$work/host"

for host in host_c host_c_pkgconfig host_cpp; do
  resolved=$(installed ldd "$work/host/$host" | awk '/libcordon/ { print $3; exit }')
  if [[ -z $resolved || $resolved != "$work/prefix/"* ]]; then
    echo "[host] FAILED: $host loads libcordon from '${resolved:-nowhere}', not $work/prefix:" >&2
    installed ldd "$work/host/$host" >&2
    exit 1
  fi
  step "$host loads $resolved"
done

entities="$source_dir/stdlib/ear/entities.csv"
step "run host_c"
quiet host_c installed "$work/host/host_c" "$work/ear.so" "$entities"
step "run host_c_pkgconfig"
quiet host_c_pkgconfig installed "$work/host/host_c_pkgconfig" "$work/ear.so" "$entities"
step "run host_cpp"
quiet host_cpp installed "$work/host/host_cpp" "$work/ear.so" "$entities" \
  "$source_dir/examples/iflytek_cloud_rental/requests.jsonl"

step "every host example passed"
