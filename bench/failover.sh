#!/usr/bin/env bash
# Failover with real processes: 3 reconciler JVMs + a simulated fleet JVM of 1,000 targets and 1,000 clients (or
# TARGETS and CLIENTS); per run one instance is stopped (SIGSTOP, SIGCONT) and killed (SIGKILL). Prints a table and
# writes it to reconciler/service/target/failover-scenario.md.
# The children get the JVM flags Chronicle Map needs (read from the parent POM), as the launcher gives them to the demo.
#   bench/failover.sh [RUNS] [TARGETS] [CLIENTS]   (MVN_OFFLINE=-o to build offline; 3 runs, 1000 + 1000 nodes)
#   bench/failover.sh 3 5000 5000                  issue #20's live fleet: 5,000 targets x 8 drives + 5,000 clients
#   SCENARIO_JVM_OPTS=" " bench/failover.sh    the children with the demo's flags only (G1, C2; default heap)
#   SCENARIO_JFR=DIR bench/failover.sh 1          a flight recording of each child over the steady window, in DIR
# By default the children also get -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m: on 2 shared cores, four JVMs
# with G1 and C2 starved each other's heartbeats (membership flapped and no steady state came within 120 s).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am package -DskipTests
NVMESH_JVM_FLAGS=$(mvn -B -q ${MVN_OFFLINE:-} help:evaluate -Dexpression=nvmesh.jvm.flags -DforceStdout \
  | sed "s/\x1b\[[0-9;]*m//g")
export NVMESH_JVM_FLAGS
export SCENARIO_JVM_OPTS="${SCENARIO_JVM_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx512m}"
exec java -XX:+UseSerialGC -Xmx256m \
  -cp 'reconciler/service/target/test-classes:reconciler/core/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
  io.nvmesh.service.ProcessFailoverScenario "${1:-3}" reconciler/service/target/failover-scenario.md \
  "${2:-1000}" "${3:-${2:-1000}}"
