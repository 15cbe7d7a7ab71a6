#!/usr/bin/env bash
# Fault injection against the safety of recorded state: the cases of reconciler/service's io.nvmesh.service.safety
# package, longer and repeated (concurrent writers, kill -9, partitions, lost state refs, damaged objects), each run
# ending with the whole recorded history checked. Prints a table, writes it to reconciler/service/target/
# safety-scenario.md and replaces its section in docs/BENCHMARKS.md.
#   bench/safety.sh [RUNS] [CASES]     RUNS per case (default 3); CASES comma-separated, default all:
#                                      concurrent,kill,partition,partition-git,kill-git,lost-ref,truncated
#   MVN_OFFLINE=-o bench/safety.sh     to build offline
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# The reconciler processes get the flags Chronicle Map needs from this JVM's own (as Surefire passes them).
FLAGS=$(sed -n 's:.*<nvmesh.jvm.flags>\(.*\)</nvmesh.jvm.flags>.*:\1:p' pom.xml)
exec java $FLAGS -XX:+UseSerialGC -Xmx512m \
  -cp "reconciler/service/target/test-classes:reconciler/core/target/test-classes:reconciler/service/target/classes:$(cat reconciler/service/target/cp.txt)" \
  io.nvmesh.service.safety.SafetyScenario "${1:-3}" "${2:-concurrent,kill,partition,partition-git,kill-git,lost-ref,truncated}" docs/BENCHMARKS.md
