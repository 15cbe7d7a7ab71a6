
# --- nvmesh: names from the manifests under the current folder ---------------------------------------------------
# Appended to picocli's script by `nvmesh completion`. Reads *.yaml/*.yml below the current folder (not .git, target,
# node_modules; at most 6 levels and 2000 files) with awk, so that Tab costs no JVM start. Documents are
# Kubernetes-shaped: a top-level `kind:` and `metadata:` with an indented `name:`.

# Prints the metadata.name of every document of kind $1.
function _nvmesh_manifest_names() {
  find . -maxdepth 6 \( -name .git -o -name target -o -name node_modules \) -prune -o -type f \
      \( -name '*.yaml' -o -name '*.yml' \) -print 2>/dev/null | head -n 2000 | tr '\n' '\0' |
    xargs -0 -r awk -v want="$1" '
      function emit() { if (kind == want && name != "") print name; kind = ""; name = ""; meta = 0 }
      function value(s) { sub(/^[^:]*:[ \t]*/, "", s); sub(/[ \t]+#.*$/, "", s); gsub(/["\047]/, "", s); return s }
      FNR == 1 || /^---/ { emit() }
      /^kind:/ { kind = value($0); next }
      /^metadata:/ { meta = 1; next }
      /^[^ \t#]/ { meta = 0 }
      meta && /^[ \t]+name:/ { name = value($0) }
      END { emit() }' 2>/dev/null | sort -u
}

# Sets COMPREPLY to the lines of $1 that start with the word being completed ($2).
function _nvmesh_reply() {
  local IFS=$'\n'
  COMPREPLY=( $(compgen -W "$1" -- "$2") )
}

# Policy and volume names where a command takes them; everything else goes to picocli's function.
function _nvmesh_complete() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=""
  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD-1]}
  if [[ "$prev" == "--policy" ]]; then
    _nvmesh_reply "$(_nvmesh_manifest_names VolumePolicy)" "$cur"
    return 0
  fi
  if [[ "${COMP_WORDS[1]}" == "describe" && COMP_CWORD -ge 3 && "$prev" =~ ^(volume|volumes|vol)$ ]]; then
    _nvmesh_reply "$(_nvmesh_manifest_names Volume)" "$cur"
    return 0
  fi
  if [[ "${COMP_WORDS[1]}" == "watch" && "$cur" == volume/* ]]; then
    _nvmesh_reply "$(_nvmesh_manifest_names Volume | sed 's|^|volume/|')" "$cur"
    return 0
  fi
  _complete_nvmesh "$@"
}

complete -F _nvmesh_complete -o default nvmesh
