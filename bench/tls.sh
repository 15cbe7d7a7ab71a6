#!/usr/bin/env bash
# The failover, events and command benchmarks with TLS and client certificates on, each plain and TLS back to back in
# one run so that both see the same load (the machine is shared: see the uptime lines). Writes its tables under
# reconciler/service/target/ and prints them.
#   bench/tls.sh            (MVN_OFFLINE=-o bench/tls.sh to build offline)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am package -DskipTests
FLAGS=$(sed -n 's:.*<nvmesh.jvm.flags>\(.*\)</nvmesh.jvm.flags>.*:\1:p' pom.xml)
CP='reconciler/service/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*'
T=reconciler/service/target
run() { echo "== $* ($(uptime))"; java $FLAGS -Xmx1g -cp "$CP" "$@"; }
run io.nvmesh.service.AgentsFailoverScenario both
cp "$T/agents-failover.txt" "$T/agents-failover-tls.txt"
for i in 1 2 3; do
  run io.nvmesh.service.EventsBenchmark "$T/events-plain-$i.txt"
  run io.nvmesh.service.EventsBenchmark "$T/events-tls-$i.txt" --tls
done
for i in 1 2 3; do
  run io.nvmesh.service.CommandLatencyBenchmark "$T/commands-plain-$i.txt"
  run io.nvmesh.service.CommandLatencyBenchmark "$T/commands-tls-$i.txt" --tls
done
echo "== done ($(uptime))"
