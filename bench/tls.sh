#!/usr/bin/env bash
# The failover, events and command benchmarks with TLS and client certificates on, each plain and TLS back to back in
# one run so that both see the same load (the machine is shared: see the uptime lines). Writes its tables under
# reconciler/service/target/ and prints them.
#   bench/tls.sh [all|failover|events|commands] [PAIRS]   (MVN_OFFLINE=-o to build offline; PAIRS defaults to 3)
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am package -DskipTests
FLAGS=$(sed -n 's:.*<nvmesh.jvm.flags>\(.*\)</nvmesh.jvm.flags>.*:\1:p' pom.xml)
CP='reconciler/service/target/test-classes:reconciler/core/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*'
T=reconciler/service/target
run() { echo "== $* ($(uptime))"; java $FLAGS -Xmx1g -cp "$CP" "$@"; }
WHAT=${1:-all}
PAIRS=${2:-3}
if [[ $WHAT == all || $WHAT == failover ]]; then
  run io.nvmesh.service.AgentsFailoverScenario both
  cp "$T/agents-failover.txt" "$T/agents-failover-tls.txt"
fi
if [[ $WHAT == all || $WHAT == events ]]; then
  for i in $(seq "$PAIRS"); do
    run io.nvmesh.service.EventsBenchmark "$T/events-plain-$i.txt"
    run io.nvmesh.service.EventsBenchmark "$T/events-tls-$i.txt" --tls
  done
fi
if [[ $WHAT == all || $WHAT == commands ]]; then
  for i in $(seq "$PAIRS"); do
    run io.nvmesh.service.CommandLatencyBenchmark "$T/commands-plain-$i.txt"
    run io.nvmesh.service.CommandLatencyBenchmark "$T/commands-tls-$i.txt" --tls
  done
fi
echo "== done ($(uptime))"
