# Sourced by scripts/serve, scripts/test and the benchmarks: make sure .venv exists and
# holds this project (editable) with the requested extras. Reinstalls only when setup.cfg changes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${DHR_VENV:-$ROOT/.venv}"
PYTHON_BIN="${PYTHON:-python3}"
extras="${1:-}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "setting up a virtual environment in $VENV ..." >&2
  "$PYTHON_BIN" -m venv "$VENV"
fi
stamp="$VENV/.dhr-installed${extras:+-$extras}"
want="$(cat "$ROOT/setup.cfg" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "installing dhr-search${extras:+[$extras]} into $VENV ..." >&2
  # pip's and setuptools' chatter (build warnings) goes to a log, shown only if it fails.
  log="$VENV/install.log"
  if ! { "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
         "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT${extras:+[$extras]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    echo "installing dhr-search failed (the output above is in $log)" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
export PATH="$VENV/bin:$PATH"
