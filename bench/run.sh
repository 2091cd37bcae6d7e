#!/usr/bin/env bash
# bench/run.sh — measure sws against nginx and lighttpd on loopback with the same wrk command for each.
#
# Usage: bench/run.sh [--duration S] [--warmup S] [--servers LIST] [--workloads LIST] [--smoke] [--keep]
#                     [--jar FILE]
#   --duration S     seconds per measured run (default 10)
#   --warmup S       seconds of unmeasured load before each run (default 2)
#   --servers LIST   comma-separated subset of: sws,nginx,nginx2,lighttpd (default: all)
#   --workloads LIST comma-separated subset of the workloads: a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p (default: all)
#   --smoke          ~10 s check that the harness works: sws and nginx, workloads a and c, 1 s runs;
#                    fails only when a run served nothing or answered non-2xx, never on speed
#   --keep           keep the temporary directory (configs, fixtures, server logs) for inspection
#   --jar FILE       benchmark this sws jar as it is (default: target/sws.jar, rebuilt first when missing or
#                    older than the sources, as bin/sws does)
#
# Workloads i to l speak HTTPS (TLS 1.3, one EC P-256 certificate made here with openssl for every server): sws
# runs a second instance with --tls-cert/--tls-key for them, nginx a second `listen ... ssl` in the same process.
#
# Workloads m to p (sws and nginx only): m asks for gzip of a 10 KiB HTML file without a sidecar (nginx
# compresses every response, `gzip on` at its default level 1; sws compresses once and keeps the result), n for
# another copy of that file with a `gzip -9` sidecar beside it (nginx `gzip_static on`, sws's default), o for
# four ranges of a 1 MiB file (multipart/byteranges), p for that file whole, to compare o's CPU per request with.
#
# It installs nginx, lighttpd and wrk from Debian's packages when missing (root only), builds target/sws.jar
# when missing or stale, starts every server by hand on free loopback ports (never as a system service), runs wrk
# pinned to CPU 0 against each (servers unpinned), prints one Markdown table and writes it, with the raw
# wrk output, under bench/out/. Every server it starts is stopped by its own PID, also on error or ^C.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH_DIR/.." && pwd)

# ---------------------------------------------------------------------------------------------------------
# Workloads. Adding one = one line in each array below (plus a fixture in make_fixtures if it needs a new
# file, and a server-side setting in the config writers if it needs one, e.g. CGI).
#   WL_CONNS   wrk -c (connections held open by the client)
#   WL_PATH    request path, the same file for every server
#   WL_HEADER  extra request header for wrk -H, empty for none
#   WL_DESC    what the row means, for the table legend
# WL_ONLY limits a workload to the servers that can run it (nginx has no CGI; lighttpd is not set up for TLS
# or compression, and is left out of m to p).
# WL_TLS marks the HTTPS workloads; WL_IDLE one that holds that many idle connections open instead of running
# wrk, and reports the server's RSS while they are held. WL_EXPECT is a line (an extended regular expression,
# any case) that the response head must have, checked with curl before the run: a server that answers the
# request in another way than the row says (not compressed, not multipart) stops the benchmark.
declare -A WL_CONNS WL_PATH WL_HEADER WL_DESC WL_ONLY WL_TLS WL_IDLE WL_EXPECT
WL_ORDER=(a b c d e f g h i j k l m n o p)
WL_CONNS[a]=50   WL_PATH[a]=/1k.html   WL_HEADER[a]=""                   WL_DESC[a]="keep-alive, 1 KiB file, 50 connections"
WL_CONNS[b]=1000 WL_PATH[b]=/1k.html   WL_HEADER[b]=""                   WL_DESC[b]="keep-alive, 1 KiB file, 1000 connections"
WL_CONNS[c]=50   WL_PATH[c]=/1k.html   WL_HEADER[c]="Connection: close"  WL_DESC[c]="new connection per request, 1 KiB file, 50 clients"
WL_CONNS[d]=4    WL_PATH[d]=/100m.bin  WL_HEADER[d]=""                   WL_DESC[d]="keep-alive, 100 MiB file, 4 connections"
WL_CONNS[e]=8    WL_PATH[e]=/cgi-bin/hello.sh WL_HEADER[e]=""            WL_DESC[e]="trivial shell CGI, 8 connections"
WL_ONLY[e]="sws sws1 lighttpd"
WL_CONNS[f]=8    WL_PATH[f]=/cgi-bin/64k.pl WL_HEADER[f]=""              WL_DESC[f]="Perl CGI writing a 64 KiB body, 8 connections"
WL_ONLY[f]="sws sws1 lighttpd"
WL_CONNS[g]=8    WL_PATH[g]=/list200/  WL_HEADER[g]=""                   WL_DESC[g]="generated listing of 200 files, 8 connections"
WL_CONNS[h]=50   WL_PATH[h]=/100k.html WL_HEADER[h]=""                   WL_DESC[h]="keep-alive, 100 KiB file, 50 connections"
WL_CONNS[i]=1000 WL_PATH[i]=/1k.html   WL_HEADER[i]=""                   WL_DESC[i]="HTTPS: 1000 idle TLS connections (one request each, then held open): RSS"
WL_CONNS[j]=50   WL_PATH[j]=/1k.html   WL_HEADER[j]=""                   WL_DESC[j]="HTTPS keep-alive, 1 KiB file, 50 connections"
WL_CONNS[k]=50   WL_PATH[k]=/1k.html   WL_HEADER[k]="Connection: close"  WL_DESC[k]="HTTPS, a new TLS connection (full handshake) per request, 1 KiB file, 50 clients"
WL_CONNS[l]=4    WL_PATH[l]=/100m.bin  WL_HEADER[l]=""                   WL_DESC[l]="HTTPS keep-alive, 100 MiB file, 4 connections"
for w in i j k l; do WL_TLS[$w]=1; WL_ONLY[$w]="sws sws1 nginx nginx2"; done
WL_IDLE[i]=1
WL_CONNS[m]=50   WL_PATH[m]=/10k.html  WL_HEADER[m]="Accept-Encoding: gzip" WL_DESC[m]="keep-alive, 10 KiB HTML gzipped by the server (no sidecar), 50 connections"
WL_CONNS[n]=50   WL_PATH[n]=/10k-static.html WL_HEADER[n]="Accept-Encoding: gzip" WL_DESC[n]="keep-alive, 10 KiB HTML with a gzip -9 sidecar (.gz) beside it, 50 connections"
WL_CONNS[o]=50   WL_PATH[o]=/1m.bin    WL_HEADER[o]="Range: bytes=0-99,200000-200099,500000-500099,900000-900099" WL_DESC[o]="keep-alive, four ranges of a 1 MiB file (multipart/byteranges, 206), 50 connections"
WL_CONNS[p]=50   WL_PATH[p]=/1m.bin    WL_HEADER[p]=""                   WL_DESC[p]="keep-alive, the same 1 MiB file whole (o's comparison), 50 connections"
for w in m n o p; do WL_ONLY[$w]="sws sws1 nginx nginx2"; done
WL_EXPECT[m]="^content-encoding: *gzip"
WL_EXPECT[n]="^content-encoding: *gzip"
WL_EXPECT[o]="^content-type: *multipart/byteranges"

# Servers, in table order. Each has start_<name> (sets SRV_PID[name]) and is measured over its process tree.
SERVER_ORDER=(sws sws1 nginx nginx2 lighttpd)
declare -A SRV_DESC=(
  [sws]="sws (defaults: a loop per core)"
  [sws1]="sws --loops 1"
  [nginx]="nginx, 1 worker"
  [nginx2]="nginx, 2 workers"
  [lighttpd]="lighttpd"
)

# ---------------------------------------------------------------------------------------------------------
DURATION=10
WARMUP=2
SMOKE=0
KEEP=0
SERVERS=""
WORKLOADS=""
SWS_JAR_ARG=""

# The help is the comment block at the top of this file.
usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --duration) DURATION=${2:?--duration needs seconds}; shift 2 ;;
      --warmup) WARMUP=${2:?--warmup needs seconds}; shift 2 ;;
      --servers) SERVERS=${2:?--servers needs a list}; shift 2 ;;
      --workloads) WORKLOADS=${2:?--workloads needs a list}; shift 2 ;;
      --smoke) SMOKE=1; shift ;;
      --keep) KEEP=1; shift ;;
      --jar) SWS_JAR_ARG=${2:?--jar needs a file}; shift 2 ;;
      -h|--help) usage; exit 0 ;;
      *) echo "bench: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
  done
  if [ "$SMOKE" = 1 ]; then
    # Explicit --duration/--servers/--workloads still win over the smoke defaults.
    [ "$DURATION" = 10 ] && DURATION=1
    [ "$WARMUP" = 2 ] && WARMUP=1
    [ -z "$SERVERS" ] && SERVERS=sws,nginx
    [ -z "$WORKLOADS" ] && WORKLOADS=a,c
  fi
  [ -z "$SERVERS" ] && SERVERS=$(IFS=,; echo "${SERVER_ORDER[*]}")
  [ -z "$WORKLOADS" ] && WORKLOADS=$(IFS=,; echo "${WL_ORDER[*]}")
  case "$DURATION$WARMUP" in *[!0-9]*) echo "bench: --duration and --warmup take whole seconds" >&2; exit 2 ;; esac
  [ "$DURATION" -ge 1 ] || { echo "bench: --duration must be at least 1" >&2; exit 2; }
  local s w
  for s in ${SERVERS//,/ }; do
    [ -n "${SRV_DESC[$s]:-}" ] || { echo "bench: unknown server '$s' (known: ${SERVER_ORDER[*]})" >&2; exit 2; }
  done
  for w in ${WORKLOADS//,/ }; do
    [ -n "${WL_CONNS[$w]:-}" ] || { echo "bench: unknown workload '$w' (known: ${WL_ORDER[*]})" >&2; exit 2; }
  done
}

# Is SERVERS/WORKLOADS selecting this one? (keeps the table in the canonical order whatever the list order)
selected() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }

# Is any HTTPS workload selected? (then the servers also listen with TLS)
tls_selected() {
  local w
  for w in ${WORKLOADS//,/ }; do [ -n "${WL_TLS[$w]:-}" ] && return 0; done
  return 1
}

log() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------------------
# Tools. Only what is missing is installed, and only from Debian's packages. Installing nginx on Debian
# normally starts a system nginx on port 80; a temporary policy-rc.d (only when none exists) stops that.
# Any system nginx/lighttpd that is running anyway is not ours: we never touch it and use our own ports.
ensure_tools() {
  local pkgs=() need_nginx=0 need_lighttpd=0
  selected "$SERVERS" nginx || selected "$SERVERS" nginx2 && need_nginx=1
  selected "$SERVERS" lighttpd && need_lighttpd=1
  command -v wrk >/dev/null 2>&1 || pkgs+=(wrk)
  [ "$need_nginx" = 1 ] && ! nginx_bin >/dev/null && pkgs+=(NGINX)
  [ "$need_lighttpd" = 1 ] && ! lighttpd_bin >/dev/null && pkgs+=(lighttpd)
  command -v curl >/dev/null 2>&1 || pkgs+=(curl)
  command -v taskset >/dev/null 2>&1 || pkgs+=(util-linux)
  if tls_selected; then
    command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
    command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
  fi
  if ! command -v mvn >/dev/null 2>&1; then pkgs+=(maven); fi
  [ ${#pkgs[@]} -eq 0 ] && return 0

  [ "$(id -u)" = 0 ] || die "missing ${pkgs[*]}; run as root to have them installed, or install them yourself"
  command -v apt-get >/dev/null 2>&1 || die "missing ${pkgs[*]} and no apt-get to install them"
  log "installing: ${pkgs[*]/NGINX/nginx-light (or nginx)}"
  local made_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# temporary, from sws bench/run.sh: do not start services while installing\nexit 101\n' \
      >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=1
  fi
  local rc=0
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null || rc=$?
  if [ "$rc" = 0 ]; then
    local plain=() p
    for p in "${pkgs[@]}"; do [ "$p" = NGINX ] || plain+=("$p"); done
    if [ ${#plain[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${plain[@]}" >/dev/null || rc=$?
    fi
    if [ "$rc" = 0 ] && [ "$need_nginx" = 1 ] && ! nginx_bin >/dev/null; then
      # nginx-light is the small build (bookworm); later releases only have nginx.
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx-light >/dev/null 2>&1 ||
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx >/dev/null || rc=$?
    fi
  fi
  [ "$made_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  [ "$rc" = 0 ] || die "apt-get failed (status $rc)"
}

nginx_bin() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; }; }
lighttpd_bin() { command -v lighttpd 2>/dev/null || { [ -x /usr/sbin/lighttpd ] && echo /usr/sbin/lighttpd; }; }

# sws: the same JDK discovery and build as bin/sws (bin/lib.sh), but we run java ourselves so that the
# PID we hold is the server's own (bin/sws execs java, but going direct makes that explicit).
ensure_sws() {
  # shellcheck source-path=SCRIPTDIR/.. source=bin/lib.sh
  . "$TOP/bin/lib.sh"
  sws_find_jdk
  SWS_JAR=${SWS_JAR_ARG:-$TOP/target/sws.jar}
  [ -z "$SWS_JAR_ARG" ] || [ -f "$SWS_JAR" ] || die "no such jar: $SWS_JAR"
  # Rebuilt when missing or older than its sources, as bin/sws does: measuring a stale jar would mislead.
  [ -n "$SWS_JAR_ARG" ] || sws_build_jar
  # Run a private copy: a rebuild of target/ during the benchmark (tests, another shell) must not pull the
  # jar out from under the running JVM.
  cp "$SWS_JAR" "$WORK/sws.jar"
  # Which build was measured: the commit says little when the tree has uncommitted changes; the hash doesn't lie.
  SWS_JAR_ID="$(sha256sum "$WORK/sws.jar" | cut -c1-12), built $(date -u -r "$SWS_JAR" '+%Y-%m-%d %H:%M UTC')"
  SWS_JAR=$WORK/sws.jar
  # The copy gets an AOT cache of its own (the JDK ties a cache to its jar's path), as bin/sws would.
  log "training the AOT cache of $SWS_JAR ..."
  sws_aot_cache "$SWS_JAR"
}

# ---------------------------------------------------------------------------------------------------------
# Fixtures: one docroot served by every server. Cheap ones are always made; the 100 MiB file only when a
# workload that needs it is selected.
make_fixtures() {
  DOCROOT=$WORK/docroot
  mkdir -p "$DOCROOT/list200" "$DOCROOT/cgi-bin"
  make_file "$DOCROOT/1k.html" 1024
  make_file "$DOCROOT/100k.html" $((100 * 1024))
  # m and n: the same page under two names, so that m is never answered from n's sidecar. gzip -k keeps the
  # page's modification time on the .gz, so sws takes it as current (a sidecar older than its file is not).
  make_html "$DOCROOT/10k.html" $((10 * 1024))
  cp -p "$DOCROOT/10k.html" "$DOCROOT/10k-static.html"
  gzip -k -9 "$DOCROOT/10k-static.html"
  # o asks for four ranges of this file, p for all of it: random bytes, which no server would compress.
  head -c $((1024 * 1024)) /dev/urandom >"$DOCROOT/1m.bin"
  local i
  for i in $(seq -w 1 200); do printf 'file %s\n' "$i" >"$DOCROOT/list200/file-$i.txt"; done
  printf '#!/bin/sh\nprintf "Content-Type: text/plain\\r\\n\\r\\nhello\\n"\n' >"$DOCROOT/cgi-bin/hello.sh"
  chmod 755 "$DOCROOT/cgi-bin/hello.sh"
  # A program that does some work: Perl starts, builds 64 KiB and writes it in 8 KiB pieces.
  printf '#!/usr/bin/perl\n$| = 0;\nprint "Content-Type: text/plain\\r\\n\\r\\n";\nmy $line = ("x" x 63) . "\\n";\nprint $line x 128 for 1 .. 8;\n' \
    >"$DOCROOT/cgi-bin/64k.pl"
  chmod 755 "$DOCROOT/cgi-bin/64k.pl"
  if selected "$WORKLOADS" d || selected "$WORKLOADS" l; then
    head -c $((100 * 1024 * 1024)) /dev/urandom >"$DOCROOT/100m.bin"
  fi
  if tls_selected; then
    # One self-signed EC P-256 certificate for every server, as a user would make one.
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/tls.key" \
      -out "$WORK/tls.crt" -days 2 -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 2>/dev/null ||
      die "openssl could not make a certificate"
  fi
  # nginx workers run as an unprivileged user when the master is root: everything must be world-readable.
  chmod -R a+rX "$WORK"
}

# A file of exactly N bytes of printable text (a web page, not zeros that a proxy might treat specially).
make_file() {
  head -c "$2" /dev/zero | tr '\0' 'x' >"$1"
}

# A page of exactly N bytes of HTML that compresses as pages do (about 6:1 with gzip, by their tags and
# words repeating), not as a run of one byte would: a table whose rows vary in words and numbers. The same
# bytes on every machine (no random numbers); a comment pads it to N.
make_html() {
  awk -v size="$2" 'BEGIN {
    split("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa", w, " ")
    head = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>sws benchmark page</title></head>\n<body>\n<h1>Inventory</h1>\n<table>\n<tr><th>#</th><th>name</th><th>kind</th><th>count</th><th>price</th></tr>\n"
    tail = "</table>\n</body>\n</html>\n"
    out = head
    for (i = 1; ; i++) {
      row = sprintf("<tr class=\"r%d\"><td>%d</td><td><a href=\"/item/%d\">%s %s</a></td><td>%s</td><td>%d</td><td>%d.%02d</td></tr>\n", \
        i % 2, i, (i * 7919) % 10007, w[(i * i * 7 + i) % 16 + 1], w[(i * i * 3 + i * 11 + 3) % 16 + 1], w[(i * i + i * 5) % 16 + 1], \
        (i * i * 37) % 1000, (i * 13 + i * i) % 500, (i * i * 29) % 100)
      if (length(out) + length(row) + length(tail) + 16 > size) break
      out = out row
    }
    pad = size - length(out) - length(tail) - 10 # for "<!-- " and " -->\n"
    filler = ""
    while (length(filler) < pad) filler = filler "x"
    printf "%s<!-- %s -->\n%s", out, filler, tail
  }' >"$1"
  [ "$(stat -c %s "$1")" = "$2" ] || die "make_html made $(stat -c %s "$1") bytes, not $2"
}

# ---------------------------------------------------------------------------------------------------------
# Ports: start at 18080 and skip any port something already listens on (a system nginx on 80 is not ours,
# but a leftover from something else could sit anywhere).
NEXT_PORT=18080
free_port() {
  while port_busy "$NEXT_PORT"; do NEXT_PORT=$((NEXT_PORT + 1)); done
  PORT=$NEXT_PORT
  NEXT_PORT=$((NEXT_PORT + 1))
}
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

declare -A SRV_PID SRV_PORT SRV_TLS_PID SRV_TLS_PORT
STARTED_PIDS=()
WRK_PID=""

start_sws() { start_sws_with sws; }
start_sws1() { start_sws_with sws1 --loops 1; }

# sws with the launcher's JVM options, as bin/sws runs it; extra arguments go to sws.
start_sws_with() {
  local name=$1
  shift
  free_port
  # shellcheck disable=SC2086 # SWS_JAVA_OPTS is a list of options, as in bin/sws
  "$JAVA_HOME/bin/java" "${SWS_JVM_OPTS[@]}" "${SWS_AOT_OPTS[@]}" ${SWS_JAVA_OPTS:-} -jar "$SWS_JAR" \
    -f -i 127.0.0.1 -p "$PORT" -c "$DOCROOT/cgi-bin" "$@" "$DOCROOT" >"$WORK/$name.out" 2>&1 &
  register "$name" $! "$PORT"
  if tls_selected; then
    # The HTTPS workloads get an instance of their own: sws's TCP listener speaks HTTPS or HTTP, not both.
    free_port
    # shellcheck disable=SC2086
    "$JAVA_HOME/bin/java" "${SWS_JVM_OPTS[@]}" "${SWS_AOT_OPTS[@]}" ${SWS_JAVA_OPTS:-} -jar "$SWS_JAR" \
      -f -i 127.0.0.1 -p "$PORT" --tls-cert "$WORK/tls.crt" --tls-key "$WORK/tls.key" "$@" "$DOCROOT" \
      >"$WORK/$name-tls.out" 2>&1 &
    SRV_TLS_PID[$name]=$!
    SRV_TLS_PORT[$name]=$PORT
    STARTED_PIDS+=("$!")
  fi
}

# nginx with the settings the issue asks for: no access log, sendfile, 4096 connections per worker,
# effectively unlimited keep-alive requests (so b keeps all 1000 connections open for the whole run); gzip
# only where m and n ask for it.
start_nginx_n() {
  local name=$1 workers=$2 dir=$WORK/$1 tls="" gz=""
  if tls_selected; then
    free_port
    SRV_TLS_PORT[$name]=$PORT
    # The same certificate and TLS 1.3 only, as sws negotiates with wrk; no session cache (wrk resumes none).
    tls="listen 127.0.0.1:$PORT ssl; ssl_certificate $WORK/tls.crt; ssl_certificate_key $WORK/tls.key; ssl_protocols TLSv1.3;"
  fi
  # m: a gzip made for every response, at nginx's default gzip_comp_level (1); gzip_types stays at its default,
  # text/html (naming it again only draws a "duplicate MIME type" warning). n: the .gz beside the file sent as
  # it is, nothing compressed here. Both send Vary: Accept-Encoding, as sws does for a file with other forms.
  # Only when they are selected, so that a build without gzip_static still runs the rest. o needs nothing:
  # max_ranges is unset (no limit), so four ranges get one multipart/byteranges response.
  if selected "$WORKLOADS" m || selected "$WORKLOADS" n; then
    gz="location = /10k.html { gzip on; gzip_vary on; }
    location = /10k-static.html { gzip off; gzip_static on; gzip_vary on; }"
  fi
  free_port
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $workers;
worker_rlimit_nofile 16384;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 100000000;
  types { text/html html; text/plain txt; application/octet-stream bin; }
  default_type application/octet-stream;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$PORT;
    $tls
    root $DOCROOT;
    autoindex on;
    $gz
  }
}
EOF
  local bin
  bin=$(nginx_bin) || die "nginx is not installed"
  # -e: error log from the very start (before the config is read), so nothing goes to /var/log/nginx.
  "$bin" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" >"$dir/stdout" 2>&1 &
  register "$name" $! "$PORT"
  [ -z "$tls" ] || SRV_TLS_PID[$name]=$!
}
start_nginx() { start_nginx_n nginx 1; }
start_nginx2() { start_nginx_n nginx2 2; }

start_lighttpd() {
  local dir=$WORK/lighttpd
  free_port
  mkdir -p "$dir"
  cat >"$dir/lighttpd.conf" <<EOF
server.document-root = "$DOCROOT"
server.bind = "127.0.0.1"
server.port = $PORT
server.errorlog = "$dir/error.log"
server.max-connections = 4096
server.max-fds = 16384
server.network-backend = "sendfile"
server.max-keep-alive-requests = 100000000
server.max-keep-alive-idle = 65
server.modules = ( "mod_dirlisting", "mod_cgi" )
dir-listing.activate = "enable"
\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( "" => "" ) }
mimetype.assign = ( ".html" => "text/html", ".txt" => "text/plain", ".bin" => "application/octet-stream" )
EOF
  local bin
  bin=$(lighttpd_bin) || die "lighttpd is not installed"
  "$bin" -D -f "$dir/lighttpd.conf" >"$dir/stdout" 2>&1 &
  register lighttpd $! "$PORT"
}

register() {
  SRV_PID[$1]=$2
  SRV_PORT[$1]=$3
  STARTED_PIDS+=("$2")
}

# Poll until the server answers 200 on the 1 KiB file, for at most 30 s (a JVM's first start on a cold
# machine can take a few seconds; nginx and lighttpd take milliseconds). No fixed sleeps.
wait_ready() {
  local name=$1 pid=${2:-${SRV_PID[$1]}} url=${3:-"http://127.0.0.1:${SRV_PORT[$1]}/1k.html"} deadline=$((SECONDS + 30)) code
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$pid" 2>/dev/null || { show_logs "$name"; die "$name (pid $pid) exited during start-up"; }
    code=$(curl -sk -o /dev/null -w '%{http_code}' --max-time 1 "$url" || true)
    [ "$code" = 200 ] && return 0
    sleep 0.05
  done
  show_logs "$name"
  die "$name did not answer 200 on $url within 30 s"
}

# Drops a PID we have stopped and waited for, so that the final clean-up never signals a number the
# system may have given to someone else since.
forget_pid() {
  local p keep=()
  for p in "${STARTED_PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  STARTED_PIDS=("${keep[@]}")
}

# Start-up: from launching bin/sws -f on the built jar to the first 200, three times; prints the median in ms.
# The launcher's own work (finding the JDK, checking the jar is fresh) is part of what a user waits for.
measure_startup() {
  local i t0 t1 pid times=()
  free_port
  sws_aot_cache "$TOP/target/sws.jar" # trained before the clock runs, as after any build
  mkfifo "$WORK/pause"
  exec 8<>"$WORK/pause"
  for i in 1 2 3 4 5; do
    t0=${EPOCHREALTIME/./} # microseconds, read without starting a process
    SWS_JAVA_OPTS=${SWS_JAVA_OPTS:-} "$TOP/bin/sws" -f -i 127.0.0.1 -p "$PORT" "$DOCROOT" >"$WORK/startup.out" 2>&1 &
    pid=$!
    STARTED_PIDS+=("$pid")
    until probe_200 "$PORT"; do
      kill -0 "$pid" 2>/dev/null || { cat "$WORK/startup.out" >&2; die "sws exited during the start-up measurement"; }
      (( ${EPOCHREALTIME/./} - t0 < 30000000 )) || die "sws did not answer within 30 s of its start"
      read -r -t 0.002 -u 8 _ || true # a pause without starting a process (fd 8 is a FIFO no one writes)
    done
    t1=${EPOCHREALTIME/./}
    times+=($(( (t1 - t0) / 1000 )))
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
  done
  exec 8<&-
  printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

# One GET of /1k.html through bash's own /dev/tcp, true on a 200: no process is started per probe (a curl
# would add a few milliseconds to every try), so the probe adds next to nothing to what it measures.
probe_200() {
  local line
  { exec 9<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /1k.html HTTP/1.0\r\n\r\n' >&9
  IFS= read -r -t 2 line <&9 || line=""
  exec 9<&- 9>&-
  [[ $line == "HTTP/1."?" 200"* ]]
}

show_logs() {
  local f
  for f in "$WORK/$1.out" "$WORK/$1"/stdout "$WORK/$1"/error.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }
  done
  return 0
}

# SIGTERM to each PID we started (and only those), then wait a bounded time; SIGKILL as the last resort.
stop_servers() {
  local pid i
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${STARTED_PIDS[@]}"; do
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  STARTED_PIDS=()
}

cleanup() {
  local rc=$?
  if [ -n "${WRK_PID:-}" ]; then kill -TERM "$WRK_PID" 2>/dev/null || true; wait "$WRK_PID" 2>/dev/null || true; fi
  stop_servers
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
    if [ "$KEEP" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------------------------------------------------
# Measurement. A server's cost is its whole process tree: the JVM is one process (all threads counted in
# /proc/PID/stat); nginx is the master plus its workers (children of the master we started).
tree_pids() {
  local pid=$1
  echo "$pid"
  local c
  for c in /proc/[0-9]*/stat; do
    # Field 4 is the parent pid; the command name (field 2) may hold spaces, so cut after the last ')'.
    local f
    read -r -a f < <(sed 's/.*) //' "$c" 2>/dev/null) || continue
    [ "${f[1]:-}" = "$pid" ] && { c=${c#/proc/}; echo "${c%/stat}"; }
  done
  return 0
}

# Total utime+stime, in clock ticks, of the given PIDs.
cpu_ticks() {
  local total=0 pid f
  for pid in "$@"; do
    read -r -a f < <(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null) || continue
    # After the ')' field 3 (state) is f[0], so utime (14) is f[11] and stime (15) is f[12].
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# Sum of VmRSS of the given PIDs, in KiB.
rss_kib() {
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# The one client command, identical for every server: wrk, one thread, pinned to CPU 0, bounded by timeout.
run_wrk() {
  local secs=$1 conns=$2 url=$3 header=$4 out=$5
  local args=(-t1 -c "$conns" -d "${secs}s" --latency)
  [ -n "$header" ] && args+=(-H "$header")
  # wrk stops itself after -d; the timeout is for a server that stalls wrk (e.g. never closes a socket).
  # Run in the background and wait, because bash runs a trap (^C, SIGTERM) only once a foreground
  # command returns; `wait` is interrupted at once, and cleanup stops this client too.
  timeout -k 5 $((secs + 30)) taskset -c 0 wrk "${args[@]}" "$url" >"$out" 2>&1 &
  WRK_PID=$!
  local rc=0
  wait "$WRK_PID" || rc=$?
  WRK_PID=""
  return "$rc"
}

# Latency string from wrk ("812.00us", "1.23ms", "2.01s") → milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.3f", v * 60000 }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else printf "nan" }'
}

# Transfer/sec string ("123.45MB", "12.3KB", "1.2GB") → MiB/s (wrk's units are binary).
to_mib() {
  awk -v v="$1" 'BEGIN {
    f = 1 / (1024 * 1024)
    if (v ~ /GB$/) f = 1024; else if (v ~ /MB$/) f = 1; else if (v ~ /KB$/) f = 1 / 1024
    sub(/[KMG]?B$/, "", v); printf "%.1f", v * f }'
}

# One measured run: warm-up, CPU before, wrk, CPU after, RSS. Appends one TSV line to $RESULTS.
measure() {
  local wl=$1 srv=$2
  local url="http://127.0.0.1:${SRV_PORT[$srv]}${WL_PATH[$wl]}" out="$OUT/raw/$wl-$srv.txt" pid=${SRV_PID[$srv]}
  if [ -n "${WL_TLS[$wl]:-}" ]; then
    url="https://127.0.0.1:${SRV_TLS_PORT[$srv]}${WL_PATH[$wl]}"
    pid=${SRV_TLS_PID[$srv]}
  fi
  if [ -n "${WL_IDLE[$wl]:-}" ]; then measure_idle "$wl" "$srv" "$pid"; return; fi
  local pids t0 t1 rc=0
  [ -z "${WL_EXPECT[$wl]:-}" ] || expect_head "$wl" "$srv" "$url"
  log "workload $wl, $srv: warm-up ${WARMUP}s, run ${DURATION}s, ${WL_CONNS[$wl]} connections"
  if [ "$WARMUP" -gt 0 ]; then
    run_wrk "$WARMUP" "${WL_CONNS[$wl]}" "$url" "${WL_HEADER[$wl]}" "$OUT/raw/$wl-$srv.warmup.txt" || true
  fi
  # nginx workers are listed afresh each run in case the master replaced one.
  read -r -a pids <<<"$(tree_pids "$pid" | tr '\n' ' ')"
  t0=$(cpu_ticks "${pids[@]}")
  run_wrk "$DURATION" "${WL_CONNS[$wl]}" "$url" "${WL_HEADER[$wl]}" "$out" || rc=$?
  t1=$(cpu_ticks "${pids[@]}")
  local rss
  rss=$(rss_kib "${pids[@]}")
  kill -0 "$pid" 2>/dev/null || { log "$srv (pid $pid) died during workload $wl"; cat "$out" >&2; show_logs "$srv"; }
  [ "$rc" = 0 ] || log "wrk exited with status $rc for $wl/$srv (124 = timed out); output in $out"

  # Parse wrk's report. Missing lines mean zero (wrk prints the error lines only when there are errors).
  local reqs rate p50 p99 sock non2xx xfer
  reqs=$(awk '/requests in/ { print $1; exit }' "$out")
  rate=$(awk '/^Requests\/sec:/ { print $2; exit }' "$out")
  p50=$(awk '$1 == "50%" { print $2; exit }' "$out")
  p99=$(awk '$1 == "99%" { print $2; exit }' "$out")
  xfer=$(awk '/^Transfer\/sec:/ { print $2; exit }' "$out")
  sock=$(awk '/Socket errors:/ { gsub(/,/, ""); printf "connect %s read %s write %s timeout %s", $4, $6, $8, $10; exit }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF; exit }' "$out")
  local hz cpu_us="nan"
  hz=$(getconf CLK_TCK)
  if [ -n "$reqs" ] && [ "$reqs" -gt 0 ]; then
    cpu_us=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$srv" "${reqs:-0}" "${rate:-0}" \
    "$(to_ms "${p50:-nan}")" "$(to_ms "${p99:-nan}")" "${sock:-}" "${non2xx:-0}" "$cpu_us" \
    "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" "$(to_mib "${xfer:-0B}")" >>"$RESULTS"
}

# The one request of workload WL, as wrk sends it, must get a 2xx response whose head matches WL_EXPECT[WL].
expect_head() {
  local wl=$1 srv=$2 url=$3 head args=(-sk -D - -o /dev/null --max-time 5)
  [ -n "${WL_HEADER[$wl]}" ] && args+=(-H "${WL_HEADER[$wl]}")
  head=$(curl "${args[@]}" "$url" | tr -d '\r') || true
  if ! grep -q '^HTTP/[0-9.]* 2' <<<"$head" || ! grep -qiE "${WL_EXPECT[$wl]}" <<<"$head"; then
    printf '%s\n' "$head" >&2
    die "$srv answered workload $wl's request without a 2xx and a line matching '${WL_EXPECT[$wl]}'"
  fi
}

# Idle connections: bench/tls-idle.py opens them (handshake and one request each), holds them, and says so on
# its stdout; the server's RSS is read while they are held. One TSV line like measure's, the count as requests.
measure_idle() {
  local wl=$1 srv=$2 pid=$3 out="$OUT/raw/$wl-$srv.txt" pids rss line="" held=0
  log "workload $wl, $srv: ${WL_CONNS[$wl]} idle TLS connections"
  coproc IDLE { exec timeout -k 5 120 python3 "$BENCH_DIR/tls-idle.py" 127.0.0.1 "${SRV_TLS_PORT[$srv]}" \
    "${WL_CONNS[$wl]}" "${WL_PATH[$wl]}" 2>"$out"; }
  local idle_pid=$IDLE_PID
  IFS= read -r -t 100 line <&"${IDLE[0]}" || true
  case "$line" in held\ *) held=${line#held } ;; *) log "tls-idle.py did not hold its connections: $line"; cat "$out" >&2 ;; esac
  read -r -a pids <<<"$(tree_pids "$pid" | tr '\n' ' ')"
  rss=$(rss_kib "${pids[@]}")
  echo "$line, server RSS ${rss} KiB" >>"$out"
  local to_idle=${IDLE[1]}
  eval "exec $to_idle>&-" # the end of its stdin: it closes the connections and exits
  wait "$idle_pid" 2>/dev/null || true
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$srv" "$held" 0 nan nan "" 0 nan \
    "$(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }')" 0 >>"$RESULTS"
}

# ---------------------------------------------------------------------------------------------------------
# The table: one row per workload × server, and the ratio of sws's rate to that server's in the same run.
print_table() {
  awk -F'\t' -v desc_file="$OUT/legend.tsv" '
    BEGIN {
      while ((getline line < desc_file) > 0) { split(line, p, "\t"); desc[p[1]] = p[2] }
      print "| workload | server | req/s | MiB/s | p50 ms | p99 ms | errors | CPU µs/req | RSS MiB | sws/this | sws1/this |"
      print "|---|---|--:|--:|--:|--:|---|--:|--:|--:|--:|"
    }
    { n++; wl[n] = $1; srv[n] = $2; reqs[n] = $3; rate[n] = $4; p50[n] = $5; p99[n] = $6
      sock[n] = $7; non[n] = $8; cpu[n] = $9; rss[n] = $10; mib[n] = $11
      if ($2 == "sws") swsrate[$1] = $4
      if ($2 == "sws1") sws1rate[$1] = $4 }
    function ratio_of(rates, w, r, self) {
      if (self) return "—"
      if ((w in rates) && r + 0 > 0) return sprintf("%.2f", rates[w] / r)
      return "n/a"
    }
    END {
      for (i = 1; i <= n; i++) {
        err = ""
        split(sock[i], s, " ")
        for (k = 1; k <= 8; k += 2) if (s[k + 1] + 0 > 0) err = err (err == "" ? "" : ", ") s[k] " " s[k + 1]
        if (non[i] + 0 > 0) err = err (err == "" ? "" : ", ") "non-2xx " non[i]
        if (reqs[i] + 0 == 0) err = err (err == "" ? "" : ", ") "NO REQUESTS"
        if (err == "") err = "0"
        ratio = ratio_of(swsrate, wl[i], rate[i], srv[i] == "sws")
        ratio1 = ratio_of(sws1rate, wl[i], rate[i], srv[i] == "sws1")
        printf "| %s | %s | %.0f | %s | %s | %s | %s | %s | %s | %s | %s |\n", wl[i], desc[srv[i]], rate[i], mib[i], \
          p50[i], p99[i], err, cpu[i], rss[i], ratio, ratio1
      }
    }' "$RESULTS"
}

print_legend() {
  local w
  echo
  echo "Workloads (wrk -t1 pinned to CPU 0 with taskset, ${DURATION} s runs after ${WARMUP} s warm-up; servers unpinned):"
  for w in "${WL_ORDER[@]}"; do
    selected "$WORKLOADS" "$w" || continue
    echo "- $w: ${WL_DESC[$w]} (\`wrk -t1 -c ${WL_CONNS[$w]}${WL_HEADER[$w]:+ -H \"${WL_HEADER[$w]}\"} ${WL_PATH[$w]}\`)"
  done
  echo "- CPU µs/req: server utime+stime (whole process tree) during the measured run ÷ requests; RSS: VmRSS sum after the run."
}

# Smoke mode checks only that the harness produced numbers: every run served something, nothing non-2xx.
smoke_check() {
  awk -F'\t' '$3 + 0 == 0 || $8 + 0 > 0 { bad++; printf "bench: smoke: %s/%s served %s requests, %s non-2xx\n", $1, $2, $3, $8 > "/dev/stderr" }
    END { exit bad > 0 }' "$RESULTS"
}

# ---------------------------------------------------------------------------------------------------------
main() {
  parse_args "$@"
  ensure_tools
  WORK=$(mktemp -d /tmp/sws-bench.XXXXXX)
  trap cleanup EXIT
  trap 'exit 130' INT TERM
  ensure_sws
  # 1000 client connections plus 1000 server sockets each: well above the usual soft limit of 1024.
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

  local stamp
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  OUT=$BENCH_DIR/out/$stamp
  mkdir -p "$OUT/raw"
  RESULTS=$OUT/results.tsv
  : >"$RESULTS"
  local s w
  for s in "${SERVER_ORDER[@]}"; do printf '%s\t%s\n' "$s" "${SRV_DESC[$s]}"; done >"$OUT/legend.tsv"

  # Other work on the machine skews everything; the load average is printed with the table to show it.
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  make_fixtures
  # All selected servers run side by side for the whole benchmark (idle ones cost nothing), and the loop is
  # workload-major, so a burst of noise on this shared machine hits neighbouring rows, not one server.
  for s in "${SERVER_ORDER[@]}"; do
    selected "$SERVERS" "$s" || continue
    "start_$s"
  done
  for s in "${SERVER_ORDER[@]}"; do
    selected "$SERVERS" "$s" || continue
    wait_ready "$s"
    log "$s: pid ${SRV_PID[$s]}, http://127.0.0.1:${SRV_PORT[$s]}/"
    if [ -n "${SRV_TLS_PORT[$s]:-}" ]; then
      wait_ready "$s" "${SRV_TLS_PID[$s]}" "https://127.0.0.1:${SRV_TLS_PORT[$s]}/1k.html"
      log "$s: pid ${SRV_TLS_PID[$s]}, https://127.0.0.1:${SRV_TLS_PORT[$s]}/"
    fi
  done

  for w in "${WL_ORDER[@]}"; do
    selected "$WORKLOADS" "$w" || continue
    for s in "${SERVER_ORDER[@]}"; do
      selected "$SERVERS" "$s" || continue
      if [ -n "${WL_ONLY[$w]:-}" ] && ! selected "${WL_ONLY[$w]// /,}" "$s"; then continue; fi
      measure "$w" "$s"
    done
  done
  stop_servers
  STARTUP_MS=""
  if selected "$SERVERS" sws; then STARTUP_MS=$(measure_startup); fi

  {
    echo "sws $(git -C "$TOP" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$TOP" diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)') (jar sha256 $SWS_JAR_ID), $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r), load average before: $LOAD_BEFORE"
    echo
    print_table
    print_legend
    if [ -n "$STARTUP_MS" ]; then
      echo "- start-up of sws: ${STARTUP_MS} ms from launching \`bin/sws -f\` on a built jar to the first 200 (median of 5)"
    fi
  } | tee "$OUT/table.md"
  log "table and raw wrk output in $OUT"
  if [ "$SMOKE" = 1 ]; then smoke_check; fi
}

main "$@"
