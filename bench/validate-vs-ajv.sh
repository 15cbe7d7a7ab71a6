#!/usr/bin/env bash
# `nvmesh validate` side by side with a schema-only peer, ajv-cli 5, on N single-volume files (default 10,000):
# the same files, the same machine, the two tools run alternately (ajv first in odd runs, nvmesh first in even
# ones), so that the load of the machine falls on both alike. Prints every run, min/median/max of wall and CPU
# (user + sys) per tool, the ratio of the medians and the load average before and after, and replaces the table
# between the validate-vs-ajv markers in docs/BENCHMARKS.md.
#   bench/validate-vs-ajv.sh [N] [RUNS] [BASE_REV]
# RUNS defaults to 7 (at least 5 is the rule). With BASE_REV (e.g. main~3), that revision's launcher is built in a
# temporary folder (offline Maven, no install) and timed as a third tool in the same rotation: before and after in
# one run.
#
# ajv-cli 5 and ajv-formats are installed with npm into bench-out/ajv (never globally), from the registry npm is
# configured with. The peer's command, as timed (from the repository root):
#   bench-out/ajv/node_modules/.bin/ajv validate --spec=draft2020 -c ajv-formats \
#       -s bench-out/ajv/volume.schema.json -d "bench-out/single-10000/volumes/*.yaml"
# ajv-cli expands the quoted glob itself; it reads YAML data files (js-yaml), one document per file, which is why the
# files hold one Volume each. Its schema is what `nvmesh schema Volume` prints. nvmesh's command is
#   ./nvmesh validate bench-out/single-10000
# which also reads the one file of policies and classes the volumes refer to, checks the references, names and
# meaning, and keeps line:column for every field: more work than ajv's, on the same 10,000 volume files.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-10000}
RUNS=${2:-7}
BASE_REV=${3:-}
DIR=bench-out/single-$N
AJV_HOME=bench-out/ajv
AJV=$AJV_HOME/node_modules/.bin/ajv
AJV_CLI_VERSION=5.0.0
AJV_FORMATS_VERSION=3.0.1
DOC=docs/BENCHMARKS.md

command -v npm >/dev/null || { echo "error: npm is needed to install ajv-cli (apt-get install npm)" >&2; exit 2; }
if [ ! -x "$AJV" ] || ! grep -q "\"version\": \"$AJV_CLI_VERSION\"" "$AJV_HOME/node_modules/ajv-cli/package.json"; then
  mkdir -p "$AJV_HOME"
  npm install --prefix "$AJV_HOME" --no-save --no-audit --no-fund --loglevel=error \
    "ajv-cli@$AJV_CLI_VERSION" "ajv-formats@$AJV_FORMATS_VERSION" >/dev/null
fi
[ -d "$DIR/volumes" ] || java bench/GenerateManifests.java "$DIR" "$N" --single-volume
./nvmesh schema Volume > "$AJV_HOME/volume.schema.json"   # builds the CLI and its class-data archive if needed

AJV_CMD=("$AJV" validate --spec=draft2020 -c ajv-formats -s "$AJV_HOME/volume.schema.json" -d "$DIR/volumes/*.yaml")
NVMESH_CMD=(./nvmesh validate "$DIR")
TOOLS=(ajv nvmesh)

BASE=""
if [ -n "$BASE_REV" ]; then
  BASE=$(mktemp -d "${TMPDIR:-/tmp}/nvmesh-base.XXXXXX")
  trap 'rm -rf "$BASE"' EXIT
  git archive "$BASE_REV" | tar -x -C "$BASE"
  (cd "$BASE" && mvn -B -q -o -Dstyle.color=never -pl cli,reconciler/service -am package -DskipTests >"$BASE/build.log" 2>&1 \
    && touch cli/target/.nvmesh-built) || { tail -n 30 "$BASE/build.log" >&2; exit 2; }
  "$BASE/nvmesh" --version >/dev/null   # trains its class-data archive
  TOOLS=(ajv base nvmesh)
fi

run() { # tool
  case $1 in
    ajv) "${AJV_CMD[@]}" ;;
    nvmesh) "${NVMESH_CMD[@]}" ;;
    base) "$BASE/nvmesh" validate "$DIR" ;;
  esac
}

# Both must find every file valid, or the race is not the same race.
for tool in "${TOOLS[@]}"; do
  out=$(run "$tool" 2>/dev/null) || { echo "error: $tool did not find $DIR valid" >&2; exit 1; }
  [ "$tool" = ajv ] && { [ "$(grep -c ' valid$' <<<"$out")" -eq "$N" ] || { echo "error: ajv did not check $N files" >&2; exit 1; }; }
  [ "$tool" != ajv ] && { grep -q "^$((N + 8)) manifests in $((N + 1)) files: valid" <<<"$out" || { echo "error: $tool: $out" >&2; exit 1; }; }
done

LOG=$(mktemp)
TIMEFORMAT='%R %U %S'
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_before=$(uptime)
for i in $(seq "$RUNS"); do
  order=("${TOOLS[@]}")
  if (( i % 2 == 0 )); then   # reverse the order every other run
    order=(); for ((k = ${#TOOLS[@]} - 1; k >= 0; k--)); do order+=("${TOOLS[k]}"); done
  fi
  for tool in "${order[@]}"; do
    t=$( { time run "$tool" >/dev/null 2>&1; } 2>&1 )
    echo "$tool $i $t" | tee -a "$LOG" | awk '{printf "run %s %-6s %6.2f s wall %6.2f s cpu\n", $2, $1, $3, $4 + $5}'
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_after=$(uptime)
echo "uptime before: $uptime_before"
echo "uptime after:  $uptime_after"

stats() { # tool column -> "min median max"
  grep "^$1 " "$LOG" | awk -v c="$2" '{ if (c == "cpu") print $4 + $5; else print $3 }' | sort -n \
    | awk '{v[NR] = $1} END {printf "%.2f %.2f %.2f", v[1], (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR]}'
}
median_of() { stats "$1" "$2" | cut -d' ' -f2; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

label() {
  case $1 in
    ajv) echo "ajv-cli $AJV_CLI_VERSION (ajv-formats $AJV_FORMATS_VERSION)" ;;
    nvmesh) echo "nvmesh validate ($(git rev-parse --short HEAD)$(git diff --quiet HEAD -- schema cli packaging || echo '+changes'))" ;;
    base) b=$(git rev-parse --short "$BASE_REV"); echo "nvmesh validate ($BASE_REV$([ "$b" = "$BASE_REV" ] || echo ", $b"))" ;;
  esac
}
TABLE=$(mktemp)
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'): $N single-volume files, $RUNS runs per tool, alternated;" \
       "$(nproc) cores, $(java -version 2>&1 | head -1 | cut -d'"' -f2) Java, node $(node --version);" \
       "load average $load_before before, $load_after after."
  echo
  echo "| tool | wall min / median / max | CPU (user+sys) min / median / max | wall ratio to ajv (medians) |"
  echo "|---|---|---|---|"
  for tool in "${TOOLS[@]}"; do
    read -r wmin wmed wmax <<<"$(stats "$tool" wall)"
    read -r cmin cmed cmax <<<"$(stats "$tool" cpu)"
    echo "| $(label "$tool") | $wmin / $wmed / $wmax s | $cmin / $cmed / $cmax s | $(ratio "$wmed" "$(median_of ajv wall)") |"
  done
} > "$TABLE"
echo
cat "$TABLE"
echo
for tool in "${TOOLS[@]}"; do
  [ "$tool" = ajv ] || echo "ratio $tool / ajv (median wall): $(ratio "$(median_of "$tool" wall)" "$(median_of ajv wall)")"
done

# Replace the table between the markers (kept as they are, with the text around them).
BEGIN='<!-- validate-vs-ajv:begin -->'
END='<!-- validate-vs-ajv:end -->'
if grep -qF "$BEGIN" "$DOC" && grep -qF "$END" "$DOC"; then
  awk -v b="$BEGIN" -v e="$END" -v t="$TABLE" '
    $0 == b {print; while ((getline line < t) > 0) print line; skip = 1; next}
    $0 == e {skip = 0}
    !skip {print}' "$DOC" > "$DOC.tmp" && mv "$DOC.tmp" "$DOC"
  echo "table written to $DOC"
else
  echo "no $BEGIN ... $END markers in $DOC: table not written" >&2
fi
rm -f "$LOG" "$TABLE"
