#!/usr/bin/env bash
# Issue #20, target 4: ten times the scale. A desired repository of N manifests (default 100,000: 99,600 volumes,
# 200 policies, 100 drive and target classes) on an inventory of T targets x 24 drives (default 5,000), every command
# through the launcher with a 1 GiB heap (NVMESH_JAVA_OPTS=-Xmx1g), JVM start included. Times, RUNS times each:
#   reconcile --once   from empty (a copy of the repository as `apply` left it, made before each run)
#   diff --ref main    nothing to change
#   diff DIR           2,500 extends: the first 100 volume files (25 volumes each) grow every volume
#   fsck               the whole recorded state
# Prints a table (min / median / max of wall, user CPU, max RSS) and writes it to bench-out/scale-N.md.
#   bench/scale.sh [RUNS] [N] [TARGETS]        (needs the CLI: mvn -B -q -pl schema,reconciler/core,cli -am package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
N=${2:-100000}
T=${3:-5000}
OUT=$PWD/bench-out/scale-$N
DIR=$OUT/gitops                # the desired manifests
REPO=$OUT/repo.git             # reconciled once: what diff and fsck read
EMPTY=$OUT/applied.git         # applied, never reconciled: each reconcile run starts from a copy
INV=$OUT/inventory-${T}x24.yaml
TABLE=$PWD/bench-out/scale-$N.md
[ -f cli/target/nvmesh-cli.jar ] || { echo "build first: mvn -B -q -pl schema,reconciler/core,cli -am package -DskipTests" >&2; exit 2; }
export NVMESH_JAVA_OPTS=${NVMESH_JAVA_OPTS:--Xmx1g}
NV=$PWD/nvmesh
nv() { "$NV" "$@"; }
mkdir -p "$OUT"
# The manifests are a Git checkout of their own, applied from its root: `diff` of the changed copy (a copy of that
# checkout) then lays its files over the branch at the same paths.
if [ ! -d "$DIR" ]; then
  java bench/GenerateManifests.java "$DIR.tmp" "$N" && git init -q "$DIR.tmp" && mv "$DIR.tmp" "$DIR"
fi
[ -f "$INV" ] || java bench/GenerateInventory.java "$INV" "$T" 24
if [ ! -d "$EMPTY" ]; then
  echo "setting up $EMPTY (inventory import, apply)..."
  rm -rf "$EMPTY.tmp"
  nv inventory import "$INV" --repo "$EMPTY.tmp" | tail -1
  (cd "$DIR" && nv apply . --repo "$EMPTY.tmp" | tail -1)
  mv "$EMPTY.tmp" "$EMPTY"
fi
CHG=$OUT/changed               # a checkout of its own holding the grown files at the same path
if [ ! -d "$CHG" ]; then
  rm -rf "$CHG.tmp" && cp -r "$DIR" "$CHG.tmp"
  for f in $(find "$CHG.tmp/volumes" -name '*.yaml' | sort | head -100); do
    sed -i 's/capacity: \([0-9]*\)GiB/capacity: 1\1GiB/' "$f"
  done
  mv "$CHG.tmp" "$CHG"
fi
declare -A RESULTS
measure() { # name, directory to run in, command...
  local name=$1 where=$2; shift 2
  (cd "$where" && /usr/bin/time -o "$OUT/time" -f "%e %U %M" "$@" > "$OUT/last.out" 2> "$OUT/last.err") || true
  local line; line=$(tail -1 "$OUT/time")
  echo "  $name: $line (wall s, user s, max RSS KiB); $(tail -1 "$OUT/last.out")"
  RESULTS[$name]+="$line"$'\n'
}
echo "$(date -u '+%F %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores, heap $NVMESH_JAVA_OPTS"
for i in $(seq "$RUNS"); do
  echo "run $i"
  rm -rf "$OUT/run.git" && cp -r "$EMPTY" "$OUT/run.git"
  measure "reconcile --once (from empty)" "$OUT" "$PWD/nvmesh" reconcile --once --repo "$OUT/run.git"
  if [ ! -d "$REPO" ]; then mv "$OUT/run.git" "$REPO"; fi
  measure "diff --ref main (no changes)" "$OUT" "$PWD/nvmesh" diff --repo "$REPO" --ref main
  measure "diff (2,500 extends)" "$CHG" "$PWD/nvmesh" diff --repo "$REPO" .
  measure "fsck" "$OUT" "$PWD/nvmesh" fsck --repo "$REPO"
done
rm -rf "$OUT/run.git"
{
  echo "$(date -u '+%F %H:%M') UTC: $N manifests, $T targets x 24 drives, $RUNS runs, heap $NVMESH_JAVA_OPTS; load average after $(cut -d' ' -f1-3 /proc/loadavg); $(git rev-parse --short HEAD)"
  echo
  echo "| command | wall min / median / max | user CPU median | max RSS median |"
  echo "|---|---|---|---|"
  for name in "reconcile --once (from empty)" "diff --ref main (no changes)" "diff (2,500 extends)" "fsck"; do
    printf '%s' "${RESULTS[$name]}" | python3 -c '
import statistics, sys
rows = [list(map(float, line.split())) for line in sys.stdin if line.strip()]
wall = sorted(r[0] for r in rows)
print("| %s | %.2f / %.2f / %.2f s | %.2f s | %d MiB |" % (sys.argv[1], wall[0], statistics.median(wall), wall[-1],
      statistics.median(r[1] for r in rows), statistics.median(r[2] for r in rows) / 1024))' "$name"
  done
} | tee "$TABLE"
echo "written to $TABLE"
