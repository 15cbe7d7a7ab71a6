#!/usr/bin/env bash
# Repository maintenance: does a state repository after many small state commits read as fast as a freshly packed
# one once `StateStore.pack()` (what reconcilers run on a schedule and `nvmesh gc` runs by hand) has packed it?
# Makes COMMITS small state commits (default 100,000) on the samples' reconciled state, times reconcile passes
# before, during and after a pack, then reads (state, history walk, fsck, fsck --history) on the loose repository,
# the packed copy and a fresh packed clone, interleaved. Prints a Markdown section and writes it to
# reconciler/core/target/benchmarks/pack.md. About 15 minutes and 5 GB of temporary disk at 100,000 commits.
#   bench/pack.sh [COMMITS] [RUNS] [KEEP_DIR]   MVN_OFFLINE=-o bench/pack.sh to build offline; KEEP_DIR keeps the
#                                               loose repository there and reuses it in the next run
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/core -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
echo "uptime before: $(uptime)"
java -XX:+UseSerialGC -Xmx1g \
  -cp "reconciler/core/target/test-classes:reconciler/core/target/classes:$(cat reconciler/core/target/cp.txt)" \
  io.nvmesh.core.state.bench.PackScenario "${1:-100000}" "${2:-5}" samples ${3:+"$3"}
echo "uptime after: $(uptime)"
