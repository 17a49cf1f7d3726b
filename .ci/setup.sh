#!/usr/bin/env bash
# Set up everything the book needs, idempotently: Debian packages (when missing), the
# Fashion-MNIST files (when not found), a virtual environment in .venv with requirements.txt,
# and fmnist_lab installed in editable mode. Re-running is cheap: pip is skipped while
# requirements.txt and pyproject.toml are unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}

need_apt=()
command -v git >/dev/null || need_apt+=(git)
if ! command -v "$PYTHON" >/dev/null; then
  need_apt+=(python3 python3-venv)
elif ! "$PYTHON" -c "import venv, ensurepip" 2>/dev/null; then
  need_apt+=(python3-venv)
fi
data_dir=${FMNIST_DATA_DIR:-/usr/share/datasets/fashion-mnist}
if [ ! -f "$data_dir/train-images-idx3-ubyte.gz" ] && [ ! -f "$HOME/.cache/fmnist_lab/FashionMNIST/raw/train-images-idx3-ubyte.gz" ]; then
  need_apt+=(dataset-fashion-mnist)
fi
if [ "${FMNIST_PDF:-0}" = 1 ]; then
  for pkg in texlive-latex-recommended texlive-fonts-recommended texlive-latex-extra latexmk tex-gyre poppler-utils; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
  done
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "setup: these packages are missing and installing them needs root: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=$(cat requirements.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$stamp" ]; then
  echo "setup: installing Python packages into .venv (torch is large: a few minutes the first time)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  .venv/bin/python -m pip install -q --no-deps -e .
  echo "$stamp" > .venv/.setup-stamp
fi
echo "setup: ready (activate with: . .venv/bin/activate)"
