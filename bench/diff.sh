#!/usr/bin/env bash
# Benchmarks `nvmesh diff` on a desired repository of N manifests (default 10,000: ~9,600 volumes) whose recorded
# state holds all of them, on an inventory of 1,000 targets x 24 drives. JVM start included.
#   bench/diff.sh [N] [RUNS]
# Needs the CLI built: mvn -B -q -pl schema,reconciler/core,cli -am package -DskipTests
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-5}
DIR=bench-out/gitops-$N
INV=bench-out/inventory-1000x24.yaml
REPO=$PWD/bench-out/gitops-$N.git
JAR=cli/target/nvmesh-cli.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -q -pl schema,reconciler/core,cli -am package -DskipTests" >&2; exit 2; }
FLAGS=${NVMESH_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseParallelGC -Xshare:auto}   # as the launcher
nv() { java $FLAGS -jar "$JAR" --repo "$REPO" "$@"; }
[ -d "$DIR" ] || java bench/GenerateManifests.java "$DIR" "$N"
[ -f "$INV" ] || java bench/GenerateInventory.java "$INV" 1000 24
if [ ! -d "$REPO" ]; then
  echo "setting up $REPO (import, apply, reconcile once)..."
  /usr/bin/time -f "  inventory import: %e s" java $FLAGS -jar "$JAR" inventory import "$INV" --repo "$REPO" | tail -1
  /usr/bin/time -f "  apply: %e s" java $FLAGS -jar "$JAR" apply "$DIR" --repo "$REPO" | tail -1
  /usr/bin/time -f "  reconcile --once: %e s" java $FLAGS -jar "$JAR" reconcile --once --repo "$REPO" | tail -1
fi
# Through the launcher too: what a user runs (its flags plus the class-data archive it keeps beside the jar).
for CMD in "java $FLAGS -jar $JAR diff --repo $REPO $DIR" "java $FLAGS -jar $JAR diff --repo $REPO --ref main" \
           "./nvmesh diff --repo $REPO --ref main"; do
  echo "command: $CMD"
  $CMD | tail -1 || true
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs "$RUNS" -i "$CMD"
  else
    for i in $(seq "$RUNS"); do
      /usr/bin/time -f "%e s wall, %U s user, %M KiB max RSS" $CMD > /dev/null || true
    done
  fi
done
# With changes: the same manifests, where the first 10 volume files (250 volumes) grow each volume by 10x + 10 GiB,
# laid over the branch from a checkout of its own holding them at the same path: 250 extends to plan.
CHG=$PWD/bench-out/changed-$N
if [ ! -d "$CHG/$DIR" ]; then
  mkdir -p "$CHG/bench-out" && git init -q "$CHG" && cp -r "$DIR" "$CHG/$DIR"   # its own checkout root
  for f in $(find "$CHG/$DIR/volumes" -name '*.yaml' | sort | head -10); do
    sed -i 's/capacity: \([0-9]*\)GiB/capacity: 1\1GiB/' "$f"
  done
fi
CMD="$PWD/nvmesh diff --repo $REPO $DIR"
echo "command (in $CHG): $CMD"
(cd "$CHG" && { $CMD | tail -1 || true; })
for i in $(seq "$RUNS"); do
  (cd "$CHG" && /usr/bin/time -f "%e s wall, %U s user, %M KiB max RSS" $CMD > /dev/null || true)
done
