#!/usr/bin/env bash
# Runs the JMH micro-benchmarks of src/jmh (request parser, response encoder, path resolution).
# Usage: bench/jmh.sh [JMH options], e.g. bench/jmh.sh RequestParser -f 1 -wi 3 -i 5
# With no options: every benchmark, 1 fork, 3 warm-up and 5 measured iterations of 1 s each.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../bin/lib.sh"
sws_find_jdk
sws_need_maven
cd "$SWS_TOP"
mvn -B -q -ntp test-compile -Dspotless.check.skip=true
mvn -B -q -ntp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >/dev/null
cp=$(cat target/jmh.classpath)
[ $# -gt 0 ] || set -- -f 1 -wi 3 -i 5 -w 1s -r 1s
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$cp" org.openjdk.jmh.Main "$@"
