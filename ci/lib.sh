# Shared helpers for the ci/ scripts (sourced, not executed).

# A python3 that has pytest and yaml: Debian's /usr/bin/python3 (what ci/bootstrap installs
# packages for) is preferred over whatever python3 comes first in PATH (pyenv, venvs).
ci_python() {
  local p
  for p in /usr/bin/python3 "$(command -v python3 2>/dev/null)"; do
    [ -n "$p" ] && [ -x "$p" ] && "$p" -c 'import pytest, yaml' 2>/dev/null && { echo "$p"; return 0; }
  done
  echo "ci: no python3 with pytest and yaml (run ci/bootstrap)" >&2
  return 1
}

# ci_step NAME CMD... : runs CMD, prints its duration, records "NAME<TAB>status<TAB>seconds"
# in $CI_STEPS_FILE. Returns CMD's status.
ci_step() {
  local name=$1; shift
  local t0 rc=0
  t0=$(date +%s)
  echo
  echo "=== ci: $name: $*"
  "$@" || rc=$?
  local dt=$(( $(date +%s) - t0 ))
  if [ "$rc" = 0 ]; then echo "=== ci: $name: OK (${dt}s)"; else echo "=== ci: $name: FAILED with exit $rc (${dt}s)"; fi
  [ -z "${CI_STEPS_FILE:-}" ] || printf '%s\t%s\t%s\n' "$name" "$rc" "$dt" >>"$CI_STEPS_FILE"
  return "$rc"
}

# apt_ensure WHO PKG... : installs the Debian packages among PKG that are not installed yet
# (apt-get update first), saying so on stderr as WHO; a machine that has them all is not touched.
apt_ensure() {
  local who=$1 p missing=() sudo_cmd=""; shift
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "$who: installing ${missing[*]}" >&2
  [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
