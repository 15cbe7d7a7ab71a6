#!/usr/bin/env bash
# Times `nvmesh diff --ref main` on the 10,000-volume benchmark repository through the launcher (what a user runs),
# for an older revision and for this tree, interleaved, so both see the same machine load. Prints every run and the
# min/median of wall and CPU (user + sys) per side, plus the load average before and after.
#   bench/diff-ab.sh BASE_REV [RUNS]       e.g. bench/diff-ab.sh 4ae37d7 5
# Needs bench-out/gitops-10000.git (run bench/diff.sh once). The base is built from `git archive BASE_REV` in a
# temporary folder (offline Maven, no install).
set -euo pipefail
cd "$(dirname "$0")/.."
BASE_REV=${1:?usage: bench/diff-ab.sh BASE_REV [RUNS]}
RUNS=${2:-5}
REPO=$PWD/bench-out/gitops-10000.git
[ -d "$REPO" ] || { echo "run bench/diff.sh first (it sets up $REPO)" >&2; exit 2; }
BASE=$(mktemp -d "${TMPDIR:-/tmp}/nvmesh-base.XXXXXX")
trap 'rm -rf "$BASE"' EXIT
git archive "$BASE_REV" | tar -x -C "$BASE"
(cd "$BASE" && mvn -B -q -o -pl schema,reconciler/core,cli -am package -DskipTests >/dev/null && touch cli/target/.nvmesh-built)
"$BASE/nvmesh" --version >/dev/null   # trains its class-data archive
./nvmesh --version >/dev/null
LOG=$(mktemp)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$RUNS"); do
  for side in base this; do
    launcher=./nvmesh
    [ "$side" = base ] && launcher="$BASE/nvmesh"
    /usr/bin/time -f "$side %e %U %S" "$launcher" diff --repo "$REPO" --ref main >/dev/null 2>>"$LOG" || true
  done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
grep -E '^(base|this) ' "$LOG" | awk '{printf "%s %5.2f s wall %5.2f s cpu\n", $1, $2, $3 + $4}'
median() { sort -n | awk '{v[NR] = $1} END {printf "min %.2f median %.2f", v[1], v[int((NR + 1) / 2)]}'; }
for side in base this; do
  echo "$side: wall $(grep "^$side " "$LOG" | awk '{print $2}' | median) s;" \
       "cpu $(grep "^$side " "$LOG" | awk '{print $3 + $4}' | median) s ($RUNS runs)"
done
rm -f "$LOG"
