#!/usr/bin/env bash
# Install the project into the virtualenv from the lock file, visibly.
#
#   tools/install.sh runtime   # what `make plan` needs: the runtime dependencies of pyproject.toml
#   tools/install.sh dev       # what `make test` needs: runtime + the `dev` extra (pytest, ruff, ...)
#
# Installer: uv (https://docs.astral.sh/uv/), from uv.lock with `uv sync --locked`, which stops
# with "The lockfile ... needs to be updated" when pyproject.toml changed without `make lock`.
# uv is taken from $UV, else PATH, else $UV_BOOTSTRAP_DIR; when none is there it is installed
# from the package index with `$PYTHON -m pip install --target $UV_BOOTSTRAP_DIR uv==$UV_VERSION`.
# When that fails too (no pip, no index), plain pip installs the exported lock
# (requirements.txt or requirements-dev.txt: the same pins as uv.lock) into a `python -m venv`.
#
# Progress: one `setup:` line per step on stderr, and the installer's own progress bars when
# stderr is a terminal (uv draws them only then; pip gets `--progress-bar off` otherwise).
#
# Environment: PYTHON (default python3), VENV (default .venv, relative to the repository),
# UV, UV_VERSION, UV_BOOTSTRAP_DIR (default .tools/uv). Exit status: the failing step's.
set -euo pipefail

what="${1:-}"
case "$what" in
    runtime) lock_export="requirements.txt" ;;
    dev) lock_export="requirements-dev.txt" ;;
    *) echo "usage: tools/install.sh runtime|dev" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
UV_VERSION="${UV_VERSION:-0.13.9}"   # the uv that wrote uv.lock
UV_BOOTSTRAP_DIR="${UV_BOOTSTRAP_DIR:-$root/.tools/uv}"

step() { printf 'setup: %s\n' "$*" >&2; }

find_uv() {
    if [ -n "${UV:-}" ]; then
        command -v "$UV"
    elif command -v uv >/dev/null 2>&1; then
        command -v uv
    elif [ -x "$UV_BOOTSTRAP_DIR/bin/uv" ]; then
        echo "$UV_BOOTSTRAP_DIR/bin/uv"
    else
        return 1
    fi
}

bootstrap_uv() {
    step "uv not found: installing uv==$UV_VERSION from the package index into $UV_BOOTSTRAP_DIR"
    local tmp="$UV_BOOTSTRAP_DIR.partial"
    rm -rf "$tmp"
    # --target: no virtualenv needed and allowed on "externally managed" system Pythons (PEP 668).
    if "$PYTHON" -m pip install --disable-pip-version-check --target "$tmp" "uv==$UV_VERSION" >&2 \
        && [ -x "$tmp/bin/uv" ]; then
        rm -rf "$UV_BOOTSTRAP_DIR"
        mv "$tmp" "$UV_BOOTSTRAP_DIR"
        echo "$UV_BOOTSTRAP_DIR/bin/uv"
    else
        rm -rf "$tmp"
        return 1
    fi
}

install_with_uv() {
    local uv="$1"
    local args=(sync --locked --python "$PYTHON")
    if [ "$what" = dev ]; then
        args+=(--extra dev)
    else
        args+=(--inexact)  # keep the test tools an earlier `make test` installed
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        # --seed: pip inside the venv, for `pulumi install` (Pulumi.yaml: toolchain pip), which
        # runs the venv's pip on requirements.txt; uv sync leaves seed packages in place.
        step "creating $VENV with pip in it: uv venv --seed --python $PYTHON $VENV"
        "$uv" venv --seed --python "$PYTHON" "$VENV"
    fi
    step "$what dependencies from uv.lock into $VENV: uv ${args[*]}"
    UV_PROJECT_ENVIRONMENT="$VENV" "$uv" "${args[@]}"
}

install_with_pip() {
    if [ ! -x "$VENV/bin/python" ]; then
        step "creating $VENV: $PYTHON -m venv $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    if ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        step "adding pip to $VENV: python -m ensurepip"
        "$VENV/bin/python" -m ensurepip --upgrade >&2
    fi
    local progress=()
    [ -t 2 ] || progress=(--progress-bar off)
    step "$what dependencies from $lock_export (exported from uv.lock) into $VENV: pip install -r $lock_export"
    "$VENV/bin/python" -m pip install --disable-pip-version-check ${progress[@]+"${progress[@]}"} -r "$lock_export"
}

if uv="$(find_uv)"; then
    step "using $uv ($("$uv" --version))"
    install_with_uv "$uv"
elif uv="$(bootstrap_uv)"; then
    step "using $uv ($("$uv" --version))"
    install_with_uv "$uv"
else
    step "could not install uv; falling back to pip with the exported lock"
    install_with_pip
fi
step "$what dependencies installed in $VENV"
