#!/usr/bin/env bash
# Runs the main job in real memory-limited cgroups, the two cases issue 12 measured as killed by
# the kernel's out-of-memory killer (exit 137):
#
#   A  a 1,200 MiB group that a ~520 MiB other process shares:
#        --model cnn --retune --epochs 1
#   B  a 900 MiB group:
#        --model cnn --goal max-fit --limit 20000 --budget 2g
#
# Each case must end with exit 0, or with one clear "autobatch: ..." line and exit 1; never 137.
# Needs root and a memory controller: cgroup v1 (groups made by hand under
# /sys/fs/cgroup/memory, as where systemd is not PID 1) or cgroup v2 (under the unified mount,
# memory enabled in its subtree). Where no memory cgroup can be made it says so and exits 0.
# Every group it makes is removed on exit, however the script ends.
#
#   examples/cgroup-check.sh [A|B]...    (default: both)
#
# CGROUP_CHECK_LOGS=DIR keeps each job's whole output there, as case-A.log and case-B.log.
#
# Build first: mvn -q -B -o -ntp -pl examples -am package -DskipTests
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(A B)

if [ ! -f "$root/examples/target/classpath.txt" ]; then
  echo "cgroup-check: build first: mvn -q -B -o -ntp -pl examples -am package -DskipTests" >&2
  exit 1
fi
CP="$root/examples/target/classes:$(cat "$root/examples/target/classpath.txt")"
work="$(mktemp -d)"
groups=()
others=()

cleanup() {
  for pid in "${others[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  for group in "${groups[@]}"; do
    if [ -d "$group" ]; then
      for pid in $(cat "$group/cgroup.procs" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      for _ in $(seq 50); do rmdir "$group" 2>/dev/null && break; sleep 0.1; done
      [ -d "$group" ] && echo "cgroup-check: could not remove $group" >&2
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

skip() {
  echo "cgroup-check: SKIPPED: $1"
  exit 0
}

# Where memory cgroups can be made: the v1 memory hierarchy, else a v2 mount with memory.
v1="$(awk '$9 == "cgroup" && $NF ~ /(^|,)memory(,|$)/ {print $5; exit}' /proc/self/mountinfo)"
v2="$(awk '$9 == "cgroup2" {print $5; exit}' /proc/self/mountinfo)"
if [ -n "$v1" ] && [ -d "$v1" ]; then
  version=1
  parent="$v1"
elif [ -n "$v2" ] && grep -qw memory "$v2/cgroup.controllers" 2>/dev/null; then
  version=2
  parent="$v2"
  grep -qw memory "$parent/cgroup.subtree_control" || echo +memory > "$parent/cgroup.subtree_control" 2>/dev/null \
    || skip "memory is not enabled in $parent/cgroup.subtree_control and cannot be"
else
  skip "no cgroup v1 memory hierarchy and no cgroup v2 mount with the memory controller"
fi
[ "$(id -u)" -eq 0 ] || skip "making cgroups needs root"

# Makes a group limited to $2 MiB without swap, its directory in $group (not in a subshell, so
# that the exit trap knows it).
make_group() {
  local bytes=$(( $2 * 1024 * 1024 ))
  group="$parent/autobatch-check-$$-$1"
  mkdir "$group" 2>/dev/null || return 1
  groups+=("$group")
  if [ "$version" = 1 ]; then
    echo "$bytes" > "$group/memory.limit_in_bytes" || return 1
    # Without swap in the limit too, a host with swap would page the job out instead of killing it.
    [ -f "$group/memory.memsw.limit_in_bytes" ] && echo "$bytes" > "$group/memory.memsw.limit_in_bytes"
  else
    echo "$bytes" > "$group/memory.max" || return 1
    [ -f "$group/memory.swap.max" ] && echo 0 > "$group/memory.swap.max"
  fi
  return 0
}

usage_mib() {
  local file=memory.current
  [ "$version" = 1 ] && file=memory.usage_in_bytes
  echo $(( $(cat "$1/$file") / 1024 / 1024 ))
}

peak_and_kills() {
  if [ "$version" = 1 ]; then
    echo "peak $(( $(cat "$1/memory.max_usage_in_bytes") / 1024 / 1024 )) MiB," \
         "limit hit $(cat "$1/memory.failcnt") times," \
         "oom kills $(awk '$1 == "oom_kill" {print $2}' "$1/memory.oom_control")"
  else
    echo "peak $(( $(cat "$1/memory.peak" 2>/dev/null || echo 0) / 1024 / 1024 )) MiB," \
         "oom kills $(awk '$1 == "oom_kill" {print $2}' "$1/memory.events")"
  fi
}

# Runs the main job inside group $1 with the arguments after it; prints its output's tail.
run_job() {
  local group="$1"; shift
  local log="$work/job.log"
  echo "  \$ MainJob $*"
  sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$group" \
    env DJL_OFFLINE=true java -Doffline=true -Dai.djl.pytorch.num_threads=1 \
    -Dautobatch.cache.dir="$work/cache" -cp "$CP" dev.autobatch.examples.MainJob "$@" \
    --output "$work/out" > "$log" 2>&1
  local status=$?
  [ -n "${CGROUP_CHECK_LOGS:-}" ] && mkdir -p "$CGROUP_CHECK_LOGS" && cp "$log" "$CGROUP_CHECK_LOGS/case-$name.log"
  grep -E '^  (Host memory|Memory budget)|^\[WARN\]|^Chosen batch size|trial batch .*(over|out of)' "$log" \
    | sed 's/^/  | /'
  echo "  | ..."
  grep -v '^\[W[0-9]' "$log" | grep -E -v '^  (trial batch|epoch |/)' | tail -n 4 | sed 's/^/  | /'
  echo "  exit status $status; group: $(peak_and_kills "$group")"
  return $status
}

failed=0
for name in "${cases[@]}"; do
  case "$name" in
    A)
      echo "case A: 1,200 MiB group shared with a ~520 MiB process; --model cnn --retune --epochs 1"
      make_group A 1200 || skip "cannot make a memory cgroup under $parent"
      sh -c 'echo $$ > "$1/cgroup.procs" && exec python3 -c "import time; b = bytearray(b\"x\") * (520 << 20); time.sleep(86400)"' \
        sh "$group" &
      others+=($!)
      disown  # its end, by the kill below, is no news
      for _ in $(seq 100); do [ "$(usage_mib "$group")" -ge 500 ] && break; sleep 0.1; done
      echo "  the other process holds $(usage_mib "$group") MiB of the group"
      run_job "$group" --model cnn --retune --epochs 1
      status=$?
      ;;
    B)
      echo "case B: 900 MiB group; --model cnn --goal max-fit --limit 20000 --budget 2g"
      make_group B 900 || skip "cannot make a memory cgroup under $parent"
      run_job "$group" --model cnn --goal max-fit --limit 20000 --budget 2g
      status=$?
      ;;
    *)
      echo "cgroup-check: unknown case '$name'; the cases are A and B" >&2
      exit 2
      ;;
  esac
  if [ "$status" -ge 128 ]; then
    echo "  KILLED (signal $(( status - 128 )))"
    failed=1
  elif [ "$status" -ne 0 ] && [ "$(grep -c '^autobatch: ' "$work/job.log")" -ne 1 ]; then
    echo "  FAILED without one clear line"
    failed=1
  else
    echo "  not killed"
  fi
  for pid in "${others[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  others=()
done
exit $failed
