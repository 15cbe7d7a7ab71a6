#!/usr/bin/env bash
# Events at scale: 3 instances, SUBSCRIBERS real SSE streams (read by a child JVM), one topic each, events raised on
# another instance than the subscriber's; p50/p99/max publish -> SSE line, events at instances without subscribers.
# Runs RUNS times back to back, printing the load average before each; tables go to
# reconciler/service/target/events-<SUBSCRIBERS>-<run>.txt and GC logs beside them. The instances' JVM is the
# documented one (G1, pre-touched 1-2 GB). `ulimit -n` is per process: the instances' JVM holds the server end of
# every stream, the child JVM the client end, so each needs SUBSCRIBERS + ~1,000 descriptors.
#   bench/events.sh [SUBSCRIBERS] [RUNS]      defaults 2000 and 3; e.g. bench/events.sh 10000 3
#   NO_BUILD=1 bench/events.sh 10000          skip the build (classes already built)
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers="${1:-2000}"
runs="${2:-3}"
[ -n "${NO_BUILD:-}" ] || mvn -B -q -o -pl reconciler/service -am package -DskipTests
flags=$(sed -n 's:.*<nvmesh.jvm.flags>\(.*\)</nvmesh.jvm.flags>.*:\1:p' pom.xml)
need=$((subscribers + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "ulimit -n is $(ulimit -n); $subscribers streams need $need" >&2; exit 2; }
fi
for i in $(seq 1 "$runs"); do
  echo "run $i of $runs, $subscribers subscribers, $(date -u +%H:%M:%S) UTC, load $(cut -d' ' -f1-3 /proc/loadavg)"
  # shellcheck disable=SC2086
  java $flags -XX:+UseG1GC -XX:+AlwaysPreTouch -Xms1g -Xmx2g \
    -Xlog:gc:file=reconciler/service/target/events-$subscribers-$i-gc.log \
    -cp 'reconciler/service/target/test-classes:reconciler/core/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
    io.nvmesh.service.EventsBenchmark reconciler/service/target/events-$subscribers-$i.txt --subscribers "$subscribers"
done
