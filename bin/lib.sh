# Shared by bin/sws and bin/test: find a JDK >= 25 and keep target/sws.jar up to date.
# Sourced, not run.

SWS_MIN_JAVA=25
SWS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Prints the feature version (17, 21, 25, ...) of the JDK at the given home, or nothing. The JDK's
# `release` file says it without starting a JVM (which costs a tenth of a second per JDK).
sws_java_version() {
  local v=""
  if [ -r "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$1/release")
  fi
  if [ -z "$v" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  v=${v%%[.+-]*}
  case "$v" in ''|*[!0-9]*) return 0 ;; esac
  printf '%s' "$v"
}

sws_usable_jdk() {
  local home=$1 v
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  v=$(sws_java_version "$home")
  [ -n "$v" ] && [ "$v" -ge "$SWS_MIN_JAVA" ]
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
    v=$(sws_java_version "$home")
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

# The JVM options sws runs with (bin/sws and bench/run.sh alike). A serial collector with a small, fixed
# young generation and trimmed native heap keep the resident size near 60 MiB with 1000 connections; the
# heap may still grow to 256 MiB when it must. Small thread stacks: sws has few threads.
SWS_JVM_OPTS=(-XX:+UseSerialGC -Xss512k -Xms8m -Xmx256m -Xmn6m -XX:ReservedCodeCacheSize=32m
  -XX:TrimNativeHeapInterval=1000)
# glibc's per-thread malloc arenas would hold memory the JVM's own threads freed long ago.
export MALLOC_ARENA_MAX=2

# File names are UTF-8 whatever the caller's locale (spec section 4): the JVM takes its file-name
# encoding from the locale, so give it a UTF-8 one.
export LC_ALL=C.UTF-8
