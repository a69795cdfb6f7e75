# Shared by scripts/run.sh and scripts/test.sh: find Python >= 3.12, create .venv, install when needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"

find_python() {
  local candidates=("${PYTHON:-}" python3.13 python3.12 python3 /root/.pyenv/versions/3.13*/bin/python3 /root/.pyenv/versions/3.12*/bin/python3 "$HOME"/.pyenv/versions/3.1[2-9]*/bin/python3)
  for py in "${candidates[@]}"; do
    [ -n "$py" ] || continue
    command -v "$py" >/dev/null 2>&1 || [ -x "$py" ] || continue
    if "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
      echo "$py"; return 0
    fi
  done
  echo "Spielraum needs Python 3.12 or newer (Django 6). Set PYTHON=/path/to/python3.12." >&2
  return 1
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    local py; py="$(find_python)"
    echo "Creating virtual environment with $py ..."
    "$py" -m venv "$VENV"
  fi
  # Reinstall only when pyproject.toml changed since the last install.
  local stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "Installing dependencies into .venv ..."
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -e ".[dev]"
    rm -f "$VENV"/.installed-*; touch "$stamp"
  fi
}
ensure_venv
PY="$VENV/bin/python"
