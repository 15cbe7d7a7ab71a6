#!/usr/bin/env bash
# Packing benchmark: fills heterogeneous fleets (1-8 TB drives, uneven racks, 3 zones) with a seeded stream of all
# six layouts until the first refusal; planner vs a greedy baseline vs an upper bound. Prints a per-seed table and a
# summary and writes them to target/packing-benchmark.txt. Arguments: output file, number of seeds (default 20),
# first seed (default 1). PACKING_JAVA_OPTS=-Dpacking.apart runs the diagnostic of PackingScenario.APART.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/reconciler/core/target/bench.classpath"
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/core -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
java ${PACKING_JAVA_OPTS:-} -XX:ActiveProcessorCount=1 -XX:+UseSerialGC -Xms512m -Xmx1g \
    -cp "reconciler/core/target/test-classes:reconciler/core/target/classes:schema/target/classes:$(cat "$cp_file")" \
    io.nvmesh.core.allocation.PackingBenchmark "${1:-target/packing-benchmark.txt}" "${2:-20}" "${3:-1}"
