#!/usr/bin/env bash
# A Python 3.10 virtualenv at .venv-xclingo with clingo 5.5.2 and xclingo 2.0b19, for
# benchmarks/xclingo_compare.py. xclingo 2.0b19 is the newest release that runs on clingo < 5.6
# (2.0b22 and later require clingo 5.8.0); clingo 5.5.2 has no wheel for Python 3.11.
# Safe to run again: an existing environment with the right versions is left as it is.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-xclingo"
clingo_version="5.5.2"
xclingo_version="2.0b19"

python="${PYTHON310:-}"
if [[ -z "$python" ]]; then
    for candidate in python3.10 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.10.*/bin/python3.10; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
            python="$candidate"
            break
        fi
    done
fi
if [[ -z "$python" ]]; then
    echo "setup_xclingo: no python3.10 found (set PYTHON310=/path/to/python3.10)" >&2
    exit 1
fi

installed() {
    "$venv/bin/python" - "$clingo_version" "$xclingo_version" <<'EOF' 2>/dev/null
import sys
from importlib.metadata import version
sys.exit(0 if (version("clingo"), version("xclingo")) == (sys.argv[1], sys.argv[2]) else 1)
EOF
}

if [[ -x "$venv/bin/python" ]] && installed; then
    echo "setup_xclingo: $venv is up to date"
else
    if [[ ! -x "$venv/bin/python" ]]; then
        "$python" -m venv "$venv"
    fi
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
        "clingo==$clingo_version" "xclingo==$xclingo_version"
fi

"$venv/bin/python" - <<'EOF'
import platform
from importlib.metadata import version

print(f"python {platform.python_version()}")
for name in ("clingo", "xclingo", "clorm", "clingraph"):
    print(f"{name} {version(name)}")
EOF
