#!/usr/bin/env bash
# bench/cgi-syscalls.sh — system calls per CGI request, sws's whole process tree (the programs included),
# counted by strace -f -c.
#
# Usage: bench/cgi-syscalls.sh [--jar FILE] [--requests N] [-- JVM-OPTION...]
#
# Runs sws under strace twice, serving N and then 2N requests of a trivial shell CGI (one curl after
# another), and prints per syscall (N2 - N1) / N: the cost of one request, without the JVM's start and
# stop. Installs strace and curl from Debian's packages when missing (root only). Every process it starts is
# stopped by its own PID.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source-path=SCRIPTDIR/.. source=bin/lib.sh
. "$TOP/bin/lib.sh"
JAR=$TOP/target/sws.jar
N=200
JVM_OPTS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=$2; shift 2 ;;
    --requests) N=$2; shift 2 ;;
    --) shift; JVM_OPTS=("$@"); break ;;
    *) echo "usage: bench/cgi-syscalls.sh [--jar FILE] [--requests N] [-- JVM-OPTION...]" >&2; exit 2 ;;
  esac
done
sws_find_jdk
for tool in strace curl; do
  command -v "$tool" >/dev/null 2>&1 || { [ "$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null; }
  command -v "$tool" >/dev/null 2>&1 || { echo "cgi-syscalls: $tool is needed" >&2; exit 1; }
done
[ -f "$JAR" ] || { echo "cgi-syscalls: no jar at $JAR (build it with mvn package)" >&2; exit 1; }

WORK=$(mktemp -d)
STRACE_PID=""
cleanup() {
  [ -n "$STRACE_PID" ] && kill "$STRACE_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/docroot" "$WORK/cgi"
printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nhello\\n"\n' >"$WORK/cgi/hello.sh"
chmod +x "$WORK/cgi/hello.sh"

# One measured run: strace follows sws (java is strace's child, so $! is strace and the JVM its only child).
run() {
  local requests=$1 out=$2 port java_pid i
  port=$(( 20000 + RANDOM % 20000 ))
  strace -f -c -o "$out" "$JAVA_HOME/bin/java" "${SWS_JVM_OPTS[@]}" "${JVM_OPTS[@]}" -jar "$JAR" \
    -f -i 127.0.0.1 -p "$port" -c "$WORK/cgi" "$WORK/docroot" 2>"$WORK/stderr" &
  STRACE_PID=$!
  for i in $(seq 600); do
    curl -s -o /dev/null "http://127.0.0.1:$port/" && break
    sleep 0.1
  done
  for i in $(seq "$requests"); do
    curl -s -o /dev/null "http://127.0.0.1:$port/cgi-bin/hello.sh"
  done
  java_pid=$(pgrep -P "$STRACE_PID" java)
  kill "$java_pid"
  wait "$STRACE_PID" || true
  STRACE_PID=""
}

run "$N" "$WORK/one.txt"
run $(( 2 * N )) "$WORK/two.txt"
echo "system calls per CGI request (sws and its programs), ((2N) - (N)) / N with N = $N, jar $(basename "$JAR")"
awk -v n="$N" '
  FNR == NR && $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { one[$NF] = $4; next }
  FNR != NR && $NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ { two[$NF] = $4 }
  END {
    for (s in two) { if (s == "total") continue; d = (two[s] - one[s]) / n; if (d >= 0.05) printf "%-20s %7.2f\n", s, d; total += d }
    printf "%-20s %7.2f\n", "total", total
  }' "$WORK/one.txt" "$WORK/two.txt" | sort -k2 -n -r
