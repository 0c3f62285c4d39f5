# Sourced by scripts/dev and scripts/test: installs what Tessera needs and is missing, and nothing else.
# A second run finds everything in place and costs a few hundred milliseconds.

# System packages (Debian/Ubuntu). As root they are installed; otherwise the one command to run is printed.
ensure_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || return 0  # not Debian: tessera itself says what is missing
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "tessera: missing system packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 2
  fi
  echo "installing system packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

_find_python() {
  local candidate
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

# The project's virtualenv in .venv, reinstalled only when pyproject.toml changed.
ensure_python_env() {
  local python stamp want
  if [ ! -x .venv/bin/python ]; then
    python=$(_find_python) || { echo "tessera: Python 3.11 or newer is needed; install python3 (>= 3.11)" >&2; exit 2; }
    if ! "$python" -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      ensure_system_packages python3-venv
      "$python" -m venv .venv
    fi
  fi
  want=$(sha1sum pyproject.toml | cut -d' ' -f1)
  stamp=.venv/.tessera-installed
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "installing the Python environment in .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
    .venv/bin/python -c 'import tessera.cli, api.app' || { echo "tessera: the Python install failed; see the output above" >&2; exit 2; }
    echo "$want" >"$stamp"
  fi
}

# npm tools, pinned exactly, in the project-local .tools/ (never global). The Supabase CLI: newer releases' builds
# for some platforms are not served by every registry mirror, so the pin is one that installs here.
SUPABASE_CLI_VERSION=2.117.0
ensure_npm_tools() {
  local have
  have=$(.tools/node_modules/.bin/supabase --version 2>/dev/null || true)
  [ "$have" = "$SUPABASE_CLI_VERSION" ] && return 0
  command -v npm >/dev/null 2>&1 || ensure_system_packages nodejs npm
  echo "installing the Supabase CLI $SUPABASE_CLI_VERSION in .tools"
  mkdir -p .tools
  [ -f .tools/package.json ] || echo '{"private": true}' >.tools/package.json
  npm install --prefix .tools -E --no-audit --no-fund --loglevel=error "supabase@$SUPABASE_CLI_VERSION" >/dev/null ||
    { echo "tessera: installing the Supabase CLI failed; see the npm output above" >&2; exit 2; }
}
