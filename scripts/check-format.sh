#!/usr/bin/env bash
# Checks that every C++ source of the project is clang-formatted (.clang-format); prints the
# offending lines and fails when one is not. `scripts/check-format.sh --fix` formats them in place.
# The Format test runs it; the format is clang-format 14's (Debian 12), which install-deps.sh --test
# installs.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check-format: clang-format is not installed" >&2; exit 2; }
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- 'src/*.cc' 'src/*.h' 'tests/*.cc' 'tests/*.h' 'fuzz/*.cc' \
    'fuzz/*.h' 'bench/*.cc' 'bench/*.h')
else
  mapfile -t files < <(find src tests fuzz bench -name '*.cc' -o -name '*.h' | grep -v node_modules)
fi
if [[ ${1:-} == --fix ]]; then
  clang-format -i "${files[@]}"
  exit 0
fi
clang-format --dry-run -Werror "${files[@]}"
echo "check-format: ${#files[@]} files formatted"
