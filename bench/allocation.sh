#!/usr/bin/env bash
# Allocation engine benchmark: 10,000 volumes on 1,000 targets x 24 drives, on one core (serial GC, one
# active processor). Prints a table and writes it to target/allocation-benchmark.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
cp_file="$PWD/reconciler/core/target/bench.classpath"
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/core -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$cp_file" -Dmdep.includeScope=test
java -XX:ActiveProcessorCount=1 -XX:+UseSerialGC -Xms1g -Xmx2g \
    -cp "reconciler/core/target/test-classes:reconciler/core/target/classes:schema/target/classes:$(cat "$cp_file")" \
    io.nvmesh.core.allocation.AllocationBenchmark "${1:-target/allocation-benchmark.txt}"
