# Shared by bin/sws and bin/test: find a JDK >= 25 and keep target/sws.jar up to date.
# Sourced, not run.

SWS_MIN_JAVA=25
# Where the project is, found without starting a process: the launcher's own time is part of sws's start-up.
SWS_TOP=${BASH_SOURCE[0]%/*}
case "$SWS_TOP" in
  "${BASH_SOURCE[0]}") SWS_TOP=$PWD/.. ;;
  /*) SWS_TOP=$SWS_TOP/.. ;;
  *) SWS_TOP=$PWD/$SWS_TOP/.. ;;
esac

# Sets SWS_JAVA_VERSION to the feature version (17, 21, 25, ...) of the JDK at the given home, or to "".
# The JDK's `release` file says it without starting a JVM (a tenth of a second per JDK), and bash reads it
# without starting any process: the launcher's own time is part of sws's start-up.
sws_java_version() {
  local v="" line
  if [ -r "$1/release" ]; then
    while IFS= read -r line; do
      case "$line" in JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; break ;; esac
    done <"$1/release"
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  v=${v%%[.+-]*}
  case "$v" in ''|*[!0-9]*) v="" ;; esac
  SWS_JAVA_VERSION=$v
}

sws_usable_jdk() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  sws_java_version "$1"
  [ -n "$SWS_JAVA_VERSION" ] && [ "$SWS_JAVA_VERSION" -ge "$SWS_MIN_JAVA" ]
}

# Sets JAVA_HOME to a JDK >= 25: $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm,
# else the one behind `javac` on PATH. Exits with one line saying what to install when there is none.
sws_find_jdk() {
  local best="" best_v=0 home v
  if [ -n "${JAVA_HOME:-}" ] && sws_usable_jdk "$JAVA_HOME"; then
    export JAVA_HOME
    return 0
  fi
  for home in "${SWS_JVM_DIR:-/usr/lib/jvm}"/*/; do
    home=${home%/}
    [ -L "$home" ] && continue
    sws_usable_jdk "$home" || continue
    v=$SWS_JAVA_VERSION
    if [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
  done
  if [ -z "$best" ] && command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    sws_usable_jdk "$home" && best=$home
  fi
  if [ -z "$best" ]; then
    echo "sws: no JDK $SWS_MIN_JAVA or newer found (looked at JAVA_HOME, /usr/lib/jvm and PATH); install JDK 25, e.g. 'apt-get install openjdk-25-jdk-headless' (Debian 13 and later) or Temurin 25 from Adoptium's Debian repository, or set JAVA_HOME to one" >&2
    exit 1
  fi
  export JAVA_HOME=$best
}

sws_need_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "sws: Maven is needed to build sws; install it, e.g. 'apt-get install maven'" >&2
    exit 1
  fi
}

# Makes sure each COMMAND=PACKAGE pair's command is there, installing the missing ones' Debian packages
# (as root, with apt-get); else one line saying what to install, and exit 1.
sws_need_commands() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "sws: the tests need ${missing[*]}; install them, e.g. 'apt-get install ${missing[*]}'" >&2
    exit 1
  fi
  echo "sws: installing ${missing[*]} from Debian's packages for the tests ..." >&2
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }; then
    echo "sws: apt-get could not install ${missing[*]}" >&2
    exit 1
  fi
}

# Whether target/sws.jar is missing or older than a source file (bash's own tests: no process started).
sws_jar_stale() {
  local jar=$SWS_TOP/target/sws.jar f stale=1 globstar=0 nullglob=0
  [ -f "$jar" ] || return 0
  [ "$SWS_TOP/pom.xml" -nt "$jar" ] && return 0
  shopt -q globstar && globstar=1
  shopt -q nullglob && nullglob=1
  shopt -s globstar nullglob
  for f in "$SWS_TOP"/src/main/**; do
    if [ "$f" -nt "$jar" ]; then stale=0; break; fi
  done
  [ "$globstar" = 1 ] || shopt -u globstar
  [ "$nullglob" = 1 ] || shopt -u nullglob
  return $stale
}

# Builds target/sws.jar when it is missing or older than its sources; quiet unless the build fails.
sws_build_jar() {
  local jar=$SWS_TOP/target/sws.jar
  if sws_jar_stale; then
    sws_need_maven
    echo "sws: building $jar ..." >&2
    if ! (cd "$SWS_TOP" && mvn -B -q -ntp -DskipTests package >"$SWS_TOP/target.build.log" 2>&1); then
      cat "$SWS_TOP/target.build.log" >&2
      echo "sws: the build failed (output above)" >&2
      exit 1
    fi
    rm -f "$SWS_TOP/target.build.log"
  fi
}

# The JDK's ahead-of-time cache (JEP 483) of a jar, beside it as NAME.aot: sws's classes and the JDK's it
# uses, loaded and linked by a short training run (sws.cli.Training) whenever the cache is missing or older
# than the jar (about three seconds, once per build). Sets SWS_AOT_OPTS to the options that use it, or to
# none when it could not be made: sws then starts as it would without one, only slower.
sws_aot_cache() {
  local jar=$1 cache=${1%.jar}.aot
  SWS_AOT_OPTS=()
  if [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; then
    rm -f "$cache"
    "$JAVA_HOME/bin/java" "${SWS_JVM_OPTS[@]}" -XX:AOTCacheOutput="$cache" -cp "$jar" sws.cli.Training \
      >"$cache.log" 2>&1 || rm -f "$cache"
  fi
  # A cache the JVM cannot use (another JDK build) is left aside quietly: it is only a speed-up.
  [ -f "$cache" ] && SWS_AOT_OPTS=(-XX:AOTCache="$cache" -Xlog:aot=off -Xlog:cds=off)
  return 0
}

# The JVM options sws runs with (bin/sws and bench/run.sh alike). A serial collector with a small, fixed
# young generation and trimmed native heap keep the resident size near 55 MiB with 1000 connections; the
# heap may still grow to 256 MiB when it must. Small thread stacks: sws has few threads.
SWS_JVM_OPTS=(-XX:+UseSerialGC -Xss512k -Xms8m -Xmx256m -Xmn6m -XX:ReservedCodeCacheSize=32m
  -XX:TrimNativeHeapInterval=1000)

# With eight event loops or more, one thread collecting a small young generation becomes what limits
# them: the parallel collector, sized by the JVM, served 1.03 M keep-alive requests per second at eight
# loops where the serial one served 840 k (measured on a 16-core machine, at 115 MiB resident). Sets
# SWS_JVM_OPTS for the loops sws will run: --loops from the arguments, else one per online CPU.
sws_jvm_opts_for_loops() {
  local loops="" arg next=0 cpus range
  for arg in "$@"; do
    if [ "$next" = 1 ]; then loops=$arg; next=0; continue; fi
    case "$arg" in --loops) next=1 ;; --loops=*) loops=${arg#--loops=} ;; esac
  done
  if [ -z "$loops" ] && [ -r /sys/devices/system/cpu/online ]; then
    cpus=0
    IFS=, read -r -a ranges </sys/devices/system/cpu/online
    for range in "${ranges[@]}"; do
      case "$range" in *-*) cpus=$(( cpus + ${range#*-} - ${range%-*} + 1 )) ;; *) cpus=$(( cpus + 1 )) ;; esac
    done
    loops=$cpus
  fi
  case "$loops" in ''|*[!0-9]*) return 0 ;; esac
  if [ "$loops" -ge 8 ]; then
    SWS_JVM_OPTS=(-XX:+UseParallelGC -Xss512k -Xmx1g -XX:ReservedCodeCacheSize=64m -XX:TrimNativeHeapInterval=1000)
  fi
}
# glibc's per-thread malloc arenas would hold memory the JVM's own threads freed long ago.
export MALLOC_ARENA_MAX=2

# File names are UTF-8 whatever the caller's locale (spec section 4): the JVM takes its file-name
# encoding from the locale, so give it a UTF-8 one.
export LC_ALL=C.UTF-8
