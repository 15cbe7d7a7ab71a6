#!/usr/bin/env bash
# Benchmarks `nvmesh validate` over a generated repository of N manifests (default 10,000), JVM start included.
#   bench/validate.sh [N] [RUNS]
# Needs the CLI built: mvn -B -q -pl schema,cli -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-5}
DIR=bench-out/repo-$N
JAR=cli/target/nvmesh-cli.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -q -pl schema,cli -am package -DskipTests" >&2; exit 2; }
[ -d "$DIR" ] || java bench/GenerateManifests.java "$DIR" "$N"
FLAGS=${NVMESH_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto}
# The plain jar, then through the launcher: what a user runs (its flags plus the class-data archive it keeps).
for CMD in "java $FLAGS -jar $JAR validate $DIR" "./nvmesh validate $DIR"; do
  echo "command: $CMD"
  $CMD | tail -1 || true
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" "$CMD"
  else
    for i in $(seq "$RUNS"); do
      /usr/bin/time -f "%e s wall, %U s user, %M KiB max RSS" $CMD > /dev/null || true
    done
  fi
done
