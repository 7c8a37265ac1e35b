#!/usr/bin/env bash
# Installs the npm-packaged validators the tests compare against (pinned in tests/tools/package.json)
# into tests/tools/node_modules. Idempotent; skipped when already installed.
set -euo pipefail
cd "$(dirname "$0")/../tests/tools"
# A dangling or looping symlink in its place (a worktree pointed at another checkout) is no install.
if [[ -L node_modules && ! -d node_modules ]]; then rm -f node_modules; fi
if [[ -f package.json ]] && [[ ! -d node_modules || package.json -nt node_modules ]]; then
  npm ci --no-audit --no-fund --loglevel=error >&2 || npm install --no-audit --no-fund --loglevel=error >&2
  touch node_modules
fi
