# Sourced by the other scripts: finds Python >= 3.12 and uv, installing uv from PyPI if missing.
# Sets UV_PYTHON (exported, so uv uses it) and the array UV (the command that runs uv).

_python_ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }

find_python() {
  local candidate
  for candidate in "${UV_PYTHON:-}" python3.13 python3.12 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && _python_ok "$candidate"; then
      # The interpreter itself, not a shim (pyenv's): uv keys the venv on this path.
      "$candidate" -c 'import sys; print(sys.executable)'; return 0
    fi
  done
  # pyenv installs versions that its shims only run when selected: look at them directly.
  for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.13*/bin/python3.13 \
                   "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12 \
                   /usr/local/bin/python3.13 /usr/bin/python3.13 /usr/local/bin/python3.12 /usr/bin/python3.12; do
    if [ -x "$candidate" ] && _python_ok "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

if ! UV_PYTHON=$(find_python); then
  echo "error: Python 3.12 or newer is needed (python3.13 preferred); none was found." >&2
  exit 1
fi
export UV_PYTHON

if command -v uv >/dev/null 2>&1 && uv --version >/dev/null 2>&1; then
  UV=(uv)
elif "$UV_PYTHON" -m uv --version >/dev/null 2>&1; then
  UV=("$UV_PYTHON" -m uv)
else
  echo "Installing uv from PyPI..." >&2
  "$UV_PYTHON" -m pip install --quiet --disable-pip-version-check uv >&2 \
    || "$UV_PYTHON" -m pip install --quiet --user --disable-pip-version-check uv >&2
  UV=("$UV_PYTHON" -m uv)
fi
export UV_LINK_MODE=copy

# ensure_debian_packages PACKAGE... : install the Debian packages that are not installed
# (as root; otherwise say how). WeasyPrint needs Pango and fonts; the tests need Chromium
# and poppler-utils (pdftoppm).
ensure_debian_packages() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "error: missing Debian packages; run: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}
PDF_PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
