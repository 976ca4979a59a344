#!/usr/bin/env bash
# Fresh-clone `make plan` wall time, cold caches, one run per variant, all in one go:
#   before      the Makefile of commit $BEFORE (python -m venv + pip install -e '.[dev]')
#   uv          this branch, uv on PATH
#   uv-bootstrap this branch, no uv on PATH: the Makefile installs uv from the package index
#   pip-fallback this branch, uv cannot be had (UV_VERSION that does not exist): pip + requirements.txt
# Every variant: a new `git clone` under a fresh temporary folder, fresh UV_CACHE_DIR,
# PIP_NO_CACHE_DIR=1. Needs network access to the package index. Not part of `make bench`
# (python -m benchmarks), which stays offline.
#
#   benchmarks/fresh_clone_setup.sh [BEFORE_COMMIT] [AFTER_COMMIT]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
before="${1:-9d2d374}"
after="${2:-HEAD}"
work="$(mktemp -d /tmp/setup-bench.XXXXXX)"
python3_real="$(python3 -c 'import sys; print(sys.executable)')"
mkdir -p "$work/nouv-bin"
ln -s "$python3_real" "$work/nouv-bin/python3"
nouv_path="$work/nouv-bin:/usr/local/bin:/usr/bin:/bin"
for d in /usr/local/bin /usr/bin /bin; do
    if [ -x "$d/uv" ]; then echo "uv found in $d: the uv-bootstrap variant would not bootstrap" >&2; exit 1; fi
done

echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')  cpus: $(nproc)  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "python: $("$python3_real" --version)  uv on PATH: $(uv --version 2>/dev/null || echo none)"
printf '| variant | commit | wall_s | exit | log |\n|---|---|---|---|---|\n'
run() {
    local label="$1" commit="$2"; shift 2
    local dir="$work/$label"
    git clone -q "$repo" "$dir"
    git -C "$dir" checkout -q "$commit"
    local sha; sha="$(git -C "$dir" rev-parse --short HEAD)"
    local start end rc=0
    start="$(date +%s.%N)"
    (cd "$dir" && env UV_CACHE_DIR="$work/uv-cache-$label" PIP_NO_CACHE_DIR=1 "$@" \
        make plan >"$work/$label.log" 2>&1) || rc=$?
    end="$(date +%s.%N)"
    printf '| %s | %s | %.1f | %s | %s |\n' "$label" "$sha" "$(echo "$end - $start" | bc)" "$rc" "$work/$label.log"
}
run before "$before"
run uv "$after"
run uv-bootstrap "$after" PATH="$nouv_path"
run pip-fallback "$after" PATH="$nouv_path" UV_VERSION=0.0.0
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
