#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the runtime component of BUILD_DIR alone into one prefix and the compiler component
# into another, as a host's build machine and its servers would have them. Checks the runtime
# prefix holds no compiler and that its libcordon links no LLVM or ANTLR; builds examples/host
# against the runtime prefix, its policies compiled by cordon_add_policy with the compiler
# prefix's `cordon`; runs the three hosts (AOT .so and bundle) with only the runtime prefix on
# the library path, which check their own decisions and that rule files are refused for want of
# the compiler. Then checks that cordon_add_policy recompiles only the policy whose files changed.
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

runtime_prefix=$work/runtime
toolchain_prefix=$work/toolchain
step "install --component runtime -> $runtime_prefix"
cmake --install "$build_dir" --prefix "$runtime_prefix" --component runtime >/dev/null
step "install --component compiler -> $toolchain_prefix"
cmake --install "$build_dir" --prefix "$toolchain_prefix" --component compiler >/dev/null

# The installed libcordon, wherever the libdir is (lib, lib64, lib/x86_64-linux-gnu).
lib=$(find "$runtime_prefix" -name 'libcordon.so.*' -type f -print -quit)
if [[ -z $lib ]]; then
  echo "[host] FAILED: no libcordon.so.* under $runtime_prefix" >&2
  exit 1
fi
libdir=$(dirname "$lib")
installed() { LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$@"; }
step "installed libcordon in $libdir"

# The runtime component: no compiler, no command, no stdlib.
extra=$(cd "$runtime_prefix" && find . -type f \( -name 'libcordon-compiler*' -o -path './bin/*' \
          -o -path './share/cordon/*' \) -print)
if [[ -n $extra ]]; then
  echo "[host] FAILED: the runtime component installed compiler files:" >&2
  echo "$extra" >&2
  exit 1
fi
step "the runtime component holds: $(cd "$runtime_prefix" && find . -type f | sort | tr '\n' ' ')"
if ! linked=$(ldd "$lib"); then
  echo "[host] FAILED: ldd $lib" >&2
  exit 1
fi
if grep -Ei 'llvm|antlr|lld|z3|icu|xml2|clang' <<<"$linked" >&2; then
  echo "[host] FAILED: the runtime links a compiler library (above)" >&2
  exit 1
fi
step "ldd libcordon: $(awk '{ print $1 }' <<<"$linked" | tr '\n' ' ')"
stripped=$work/libcordon.stripped
strip -o "$stripped" "$lib"
size=$(stat -c %s "$stripped")
if (( size >= 3 * 1024 * 1024 )); then
  echo "[host] FAILED: libcordon is $size bytes stripped, over 3 MiB" >&2
  exit 1
fi
step "libcordon: $size bytes stripped"

if [[ ! -x $toolchain_prefix/bin/cordon || ! -f $toolchain_prefix/share/cordon/stdlib/ear/policy.cordon ]]; then
  echo "[host] FAILED: the compiler component has no bin/cordon or stdlib" >&2
  exit 1
fi
if ! find "$toolchain_prefix" -name 'libcordon-compiler.so.*' -type f | grep -q .; then
  echo "[host] FAILED: the compiler component has no libcordon-compiler.so" >&2
  exit 1
fi
step "the compiler component: bin/cordon, libcordon-compiler, the stdlib"

# Only the prefix's .pc directories, so a cordon.pc elsewhere cannot stand in for it.
pc_path=""
shopt -s nullglob
for dir in "$runtime_prefix"/lib*/pkgconfig "$runtime_prefix"/lib/*/pkgconfig \
           "$runtime_prefix"/share/pkgconfig; do
  pc_path+="${pc_path:+:}$dir"
done
shopt -u nullglob
export PKG_CONFIG_PATH="$pc_path"
# The .pc must name the prefix installed to, not the one the build was configured with.
if ! pc_libs=$(pkg-config --libs cordon) || [[ $pc_libs != *"$runtime_prefix"* ]]; then
  echo "[host] FAILED: pkg-config --libs cordon gives '${pc_libs:-}', not a path in $runtime_prefix" \
       "(PKG_CONFIG_PATH=$PKG_CONFIG_PATH)" >&2
  exit 1
fi
step "pkg-config cordon: $pc_libs"

cordon=$toolchain_prefix/bin/cordon
step "configure examples/host against $runtime_prefix (policies by cordon_add_policy)"
quiet configure cmake -S "$source_dir/examples/host" -B "$work/host" -G Ninja \
  -DCMAKE_PREFIX_PATH="$runtime_prefix" -DCORDON_COMMAND="$cordon" \
  -DCORDON_EAR_POLICY="$toolchain_prefix/share/cordon/stdlib/ear"

step "build ear.so, ear.cordonb, host_c, host_cpp, host_c_pkgconfig"
quiet build cmake --build "$work/host"
for file in ear.so ear.h ear_bundle.cordonb; do
  [[ -f $work/host/$file ]] || { echo "[host] FAILED: cordon_add_policy wrote no $file" >&2; exit 1; }
done

for host in host_c host_c_pkgconfig host_cpp; do
  resolved=$(installed ldd "$work/host/$host" | awk '/libcordon/ { print $3; exit }')
  if [[ -z $resolved || $resolved != "$runtime_prefix/"* ]]; then
    echo "[host] FAILED: $host loads libcordon from '${resolved:-nowhere}', not $runtime_prefix:" >&2
    installed ldd "$work/host/$host" >&2
    exit 1
  fi
  step "$host loads $resolved"
done

# The hosts run with the runtime prefix only: no compiler anywhere they could find one.
entities="$source_dir/stdlib/ear/entities.csv"
step "run host_c (AOT .so, bundle, rule files refused without the compiler)"
quiet host_c installed "$work/host/host_c" "$work/host/ear.so" "$entities" \
  "$work/host/ear_bundle.cordonb" "$source_dir/stdlib/ear"
step "run host_c_pkgconfig"
quiet host_c_pkgconfig installed "$work/host/host_c_pkgconfig" "$work/host/ear.so" "$entities" \
  "$work/host/ear_bundle.cordonb"
step "run host_cpp"
quiet host_cpp installed "$work/host/host_cpp" "$work/host/ear.so" "$entities" \
  "$source_dir/examples/iflytek_cloud_rental/requests.jsonl"

# cordon_add_policy rebuilds a policy when a file it read changes, and only that policy.
policies=$work/policies
cp -r "$source_dir/tests/host/policies" "$policies"
quiet configure_policies cmake -S "$policies" -B "$work/policies-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$runtime_prefix" -DCORDON_COMMAND="$cordon"
quiet build_policies cmake --build "$work/policies-build"
# Builds again after a change; $1 must be compiled again, $2 must not (their outputs, as named in
# the compile commands the verbose build prints).
rebuilt_only() {
  local log=$work/rebuild.log
  sleep 1  # a new mtime on file systems with one-second stamps
  "${@:3}"
  cmake --build "$work/policies-build" -v >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  if ! grep -q -- "-o [^ ]*/$1 " "$log" || grep -q -- "-o [^ ]*/$2 " "$log"; then
    echo "[host] FAILED: after the change, expected $1 and not $2 to be compiled:" >&2
    cat "$log" >&2
    exit 1
  fi
  step "rebuilt $1 only"
}
step "change alpha's table alpha/listed.csv"
rebuilt_only alpha.so beta.cordonb bash -c "echo 'Another Listed Co.' >> '$policies/alpha/listed.csv'"
step "change beta's imported module lib/shared/limits.cordon"
rebuilt_only beta.cordonb alpha.so bash -c "echo '// changed' >> '$policies/lib/shared/limits.cordon'"
step "change nothing"
cmake --build "$work/policies-build" -v >"$work/noop.log" 2>&1
if grep -q -- "cordon compile" "$work/noop.log"; then
  echo "[host] FAILED: a build with nothing changed compiled a policy again" >&2
  exit 1
fi

step "every host example passed"
