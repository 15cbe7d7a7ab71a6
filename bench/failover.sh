#!/usr/bin/env bash
# Failover with real processes: 3 reconciler JVMs + a simulated fleet JVM of 1,000 targets and 1,000 clients; one
# instance killed with SIGKILL per run. Prints a table and writes it to reconciler/service/target/failover-scenario.md.
# The children get the JVM flags Chronicle Map needs (read from the parent POM), as the launcher gives them to the demo.
#   bench/failover.sh [RUNS]        (MVN_OFFLINE=-o bench/failover.sh to build offline; RUNS defaults to 3)
#   SCENARIO_JVM_OPTS="-XX:+UseSerialGC -Xmx512m" bench/failover.sh    extra flags for the instances and the fleet
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am package -DskipTests
NVMESH_JVM_FLAGS=$(mvn -B -q ${MVN_OFFLINE:-} help:evaluate -Dexpression=nvmesh.jvm.flags -DforceStdout \
  | sed "s/\x1b\[[0-9;]*m//g")
export NVMESH_JVM_FLAGS
exec java -XX:+UseSerialGC -Xmx256m \
  -cp 'reconciler/service/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*' \
  io.nvmesh.service.ProcessFailoverScenario "${1:-3}" reconciler/service/target/failover-scenario.md
