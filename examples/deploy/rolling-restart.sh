#!/usr/bin/env bash
# A rolling restart of three sws instances behind HAProxy, under load, that must not fail a request.
#
# Starts HAProxy with examples/deploy/haproxy.cfg (in a temporary folder, in the foreground) and three
# sws instances from target/sws.jar on free loopback ports, with --proxy-protocol --health-path /healthz
# --drain-delay 2 --reuse-port. Once HAProxy has all three up, load.py sends GETs through HAProxy over
# keep-alive connections while each instance in turn is replaced: a new sws starts on the same port
# (--reuse-port), and once it has served a request the old one gets SIGTERM and must exit 0. Then it checks
#   - that no request failed (a connection error, a timeout, a status other than 200, a wrong body);
#   - that every instance, old and new, served requests (its access log is not empty);
#   - that every access-log line names the load client (127.0.0.1), which sws can only know from the
#     PROXY header: HAProxy connects to sws from 127.0.0.3;
#   - that the access logs hold exactly one line per request the client made;
#   - that every sws stopped with exit status 0.
# Prints the figures and "rolling-restart: N requests, 0 failed" when all is well; exits 1 otherwise.
# Every process it starts is killed by its process id when it ends, however it ends.
#
# Usage: examples/deploy/rolling-restart.sh        (after "mvn package": it runs target/sws.jar)
# Environment: SWS_JAR (default target/sws.jar), JAVA_HOME, HAPROXY (default: haproxy on PATH or in
# /usr/sbin), SWS_LOAD_SECONDS (least seconds of load, default 20), SWS_LOAD_THREADS (default 4),
# SWS_KEEP=1 keeps the temporary folder (it is kept anyway when the run fails).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
jar=${SWS_JAR:-$top/target/sws.jar}
haproxy=${HAPROXY:-$(PATH=$PATH:/usr/sbin:/usr/local/sbin command -v haproxy || true)}
load_seconds=${SWS_LOAD_SECONDS:-20}
threads=${SWS_LOAD_THREADS:-4}
drain_delay=2
drain_timeout=10
# Linux resets the connections still queued on a listening socket that closes, unless tcp_migrate_req hands
# them to another socket of the same port (kernel >= 5.14): set it for the run where we may (root), as a
# host doing these restarts would; SWS_MIGRATE_REQ=0 measures without it.
migrate_file=/proc/sys/net/ipv4/tcp_migrate_req
migrate_before=
migrate_want=${SWS_MIGRATE_REQ:-1}

say() { printf 'rolling-restart: %s\n' "$*"; }
now() { date +%s.%N | cut -c1-14; }
fail() {
  say "FAILED: $*" >&2
  exit 1
}

[ -f "$jar" ] || fail "no $jar; build it first (mvn -DskipTests package)"
[ -n "$haproxy" ] && [ -x "$haproxy" ] || fail "no haproxy binary (apt-get install haproxy)"
command -v python3 >/dev/null || fail "no python3"
# A JDK >= 25, as bin/sws finds it: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm.
. "$top/bin/lib.sh"
sws_find_jdk
java=$JAVA_HOME/bin/java

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sws-deploy.XXXXXX")
if [ -w "$migrate_file" ]; then
  migrate_before=$(cat "$migrate_file")
  echo "$migrate_want" >"$migrate_file"
fi
say "net.ipv4.tcp_migrate_req=$(cat "$migrate_file" 2>/dev/null || echo unavailable)"

pids=()
ok=0
cleanup() {
  local pid
  if [ -n "$migrate_before" ]; then
    echo "$migrate_before" >"$migrate_file" 2>/dev/null || true
  fi
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$ok" = 1 ] && [ "${SWS_KEEP:-0}" != 1 ]; then
    rm -rf "$tmp"
  else
    say "logs kept in $tmp" >&2
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

alive() { kill -0 "$1" 2>/dev/null; }

# Waits up to $1 seconds (in tenths) for the command after it to succeed.
within() {
  local tenths=$(($1 * 10)) i
  shift
  for ((i = 0; i < tenths; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  "$@"
}

free_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}

read -r frontend p1 p2 p3 < <(free_ports 4)
ports=("" "$p1" "$p2" "$p3")

# A page of some size, so that a response is more than one small write.
mkdir "$tmp/www"
python3 -c 'import sys; sys.stdout.write("".join("line %05d of the page served through HAProxy\n" % i for i in range(200)))' \
  >"$tmp/www/index.html"

migrate=$(cat /proc/sys/net/ipv4/tcp_migrate_req 2>/dev/null || echo "absent")
say "kernel $(uname -r), net.ipv4.tcp_migrate_req=$migrate; frontend 127.0.0.1:$frontend, sws on ports $p1 $p2 $p3"

# ---- sws

declare -A pid_of # "instance generation" -> pid
start_sws() {       # instance generation
  local i=$1 g=$2 name="s$1-$2"
  "$java" -XX:+UseSerialGC -Xmx128m -Xss512k -jar "$jar" -f -i 127.0.0.1 -p "${ports[$i]}" \
    --proxy-protocol --health-path /healthz --drain-delay "$drain_delay" --drain-timeout "$drain_timeout" \
    --reuse-port -l "$tmp/$name.log" "$tmp/www" \
    </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid_of[$i $g]=$!
  pids+=($!)
}
# The process holds a listening socket on its port, or is gone (then await_listening says why). sws says
# "listening on" only for -p 0, and a request to the port could reach the old instance as well.
listening() {
  python3 "$here/load.py" listening "${pid_of[$1 $2]}" "${ports[$1]}" || ! alive "${pid_of[$1 $2]}"
}
await_listening() { # instance generation
  local name="s$1-$2"
  within 30 listening "$1" "$2" || fail "$name did not start: $(cat "$tmp/$name.err")"
  alive "${pid_of[$1 $2]}" || fail "$name exited: $(cat "$tmp/$name.err")"
}
served() { [ -s "$tmp/$1.log" ]; }
# SIGTERM, then wait (bounded) for exit status 0.
stop_sws() { # instance generation
  kill -TERM "${pid_of[$1 $2]}"
  await_exit "$1" "$2"
}
await_exit() { # instance generation
  local name="s$1-$2" pid=${pid_of[$1 $2]} rc=0
  within $((drain_delay + drain_timeout + 10)) eval "! alive $pid" || fail "$name ($pid) still running after SIGTERM"
  wait "$pid" || rc=$?
  [ "$rc" = 0 ] || fail "$name ($pid) exited with status $rc after SIGTERM: $(cat "$tmp/$name.err")"
}

for i in 1 2 3; do start_sws "$i" 1; done
for i in 1 2 3; do await_listening "$i" 1; done

# ---- HAProxy

cp "${SWS_HAPROXY_CFG:-$here/haproxy.cfg}" "$tmp/haproxy.cfg"
export SWS_FRONTEND=127.0.0.1:$frontend SWS_PORT1=$p1 SWS_PORT2=$p2 SWS_PORT3=$p3 SWS_SOURCE=127.0.0.3 \
  SWS_STATS=$tmp/haproxy.sock
"$haproxy" -c -q -f "$tmp/haproxy.cfg" || fail "haproxy rejects $tmp/haproxy.cfg"
"$haproxy" -f "$tmp/haproxy.cfg" -db </dev/null >"$tmp/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")

server_status() { python3 "$here/load.py" status "$tmp/haproxy.sock" 2>/dev/null; }
# Every check so far has passed, and the last state of each server is UP.
all_up() {
  local s
  s=$(server_status) || return 1
  [ "$(grep -c ' UP$' <<<"$s")" = 3 ]
}
# HAProxy assumes a server up until a check fails: wait for each one's first check to pass, too.
checked() {
  grep -q "Health check for server sws/s1 succeeded" "$tmp/haproxy.log" &&
    grep -q "Health check for server sws/s2 succeeded" "$tmp/haproxy.log" &&
    grep -q "Health check for server sws/s3 succeeded" "$tmp/haproxy.log"
}
within 20 eval "checked && all_up" || fail "HAProxy does not have all three up: $(server_status || true); $(cat "$tmp/haproxy.log")"
say "HAProxy ($haproxy_pid) has s1 s2 s3 UP"

# ---- load, and the restarts

python3 "$here/load.py" load "http://127.0.0.1:$frontend/" "$tmp/stop" "$tmp/window" "$threads" 90 \
  "$tmp/www/index.html" >"$tmp/load.out" 2>"$tmp/load.err" &
load_pid=$!
pids+=("$load_pid")
load_began=$(date +%s)
sleep 3
alive "$load_pid" || fail "the load client died: $(cat "$tmp/load.err")"

began=$(now)
for i in 1 2 3; do
  start_sws "$i" 2
  await_listening "$i" 2
  say "$(now) s$i: new sws (${pid_of[$i 2]}) listening on ${ports[$i]} beside the old (${pid_of[$i 1]})"
  within 20 served "s$i-2" || fail "s$i's new sws served nothing in 20 s"
  say "$(now) s$i: the new one has served a request; SIGTERM to the old"
  stop_sws "$i" 1
  say "$(now) s$i: the old one exited 0"
  within 10 all_up || fail "HAProxy does not have s1 s2 s3 up again: $(server_status || true)"
done
ended=$(now)
printf '%s %s\n' "$began" "$ended" >"$tmp/window"

sleep 3
while [ $(($(date +%s) - load_began)) -lt "$load_seconds" ]; do sleep 0.2; done
touch "$tmp/stop"
within 40 eval "! alive $load_pid" || fail "the load client did not stop"
wait "$load_pid" || fail "the load client failed: $(cat "$tmp/load.err")"
cat "$tmp/load.out"

# The new instances stop as the old ones did; their last access-log lines are written by then.
for i in 1 2 3; do kill -TERM "${pid_of[$i 2]}"; done
for i in 1 2 3; do await_exit "$i" 2; done

# ---- the verdict

requests=$(sed -n 's/^requests //p' "$tmp/load.out")
failures=$(sed -n 's/^failures //p' "$tmp/load.out")
problems=()
[ "$failures" = 0 ] || problems+=("$failures of $requests requests failed")
lines=0
for i in 1 2 3; do
  for g in 1 2; do
    name="s$i-$g"
    n=$(wc -l <"$tmp/$name.log" 2>/dev/null || echo 0)
    lines=$((lines + n))
    say "$name served $n requests"
    [ "$n" -gt 0 ] || problems+=("$name served no request")
    others=$(awk '$1 != "127.0.0.1"' "$tmp/$name.log" 2>/dev/null | head -3)
    [ -z "$others" ] || problems+=("$name logged a client other than 127.0.0.1: $others")
    if grep -q 'Exception' "$tmp/$name.err"; then problems+=("$name: $(grep -m3 Exception "$tmp/$name.err")"); fi
  done
done
[ "$lines" = "$requests" ] || problems+=("the access logs have $lines lines for $requests requests")
say "HAProxy saw: $(grep -cE 'is DOWN|is UP' "$tmp/haproxy.log" || true) server state changes"
grep -E 'is DOWN|is UP' "$tmp/haproxy.log" | sed 's/^/  /' || true

if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do say "FAILED: $p" >&2; done
  exit 1
fi
say "$requests requests, 0 failed"
ok=1
