#!/usr/bin/env bash
# Counters benchmark: capacity query from the counters vs a full recomputation at 1,000 targets x 24 drives and
# 10,000 volumes, then 3 instances converging after a burst of 10,000 changes. Prints a table and writes it to
# reconciler/service/target/counters-benchmark.txt. The JVM flags Chronicle Map needs are read from the parent POM.
#   bench/counters.sh            (MVN_OFFLINE=-o bench/counters.sh to build offline)
#   TRACE=1 bench/counters.sh    also record every connect() with strace and list the non-loopback ones
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q ${MVN_OFFLINE:-} -pl reconciler/service -am package -DskipTests
flags=$(mvn -B -q ${MVN_OFFLINE:-} help:evaluate -Dexpression=nvmesh.jvm.flags -DforceStdout | sed "s/\x1b\[[0-9;]*m//g")
cmd=(java $flags -XX:+UseSerialGC -Xms1g -Xmx2g
     -cp 'reconciler/service/target/test-classes:reconciler/core/target/test-classes:reconciler/service/target/classes:reconciler/service/target/lib/*'
     io.nvmesh.service.CountersBenchmark reconciler/service/target/counters-benchmark.txt)
if [ -n "${TRACE:-}" ]; then
  strace -f -qq -e trace=connect -o reconciler/service/target/counters-connect.trace "${cmd[@]}"
  echo "connect() calls not to loopback or a local socket:"
  grep 'connect(' reconciler/service/target/counters-connect.trace \
    | grep -v 'sin_addr=inet_addr("127.0.0.1")' | grep -v 'AF_UNIX' | grep -v 'sa_family=AF_UNSPEC' || echo "  none"
else
  "${cmd[@]}"
fi
