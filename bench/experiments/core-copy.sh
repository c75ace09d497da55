#!/usr/bin/env bash
# Copies core's built bundle to bench/.results/core-copies/NAME (never touching packages/) and applies patches:
#   bash bench/experiments/core-copy.sh after-decode patch-decode.py
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"; shift
dir="$here/../.results/core-copies/$name"
rm -rf "$dir" && mkdir -p "$dir"
cp "$here/../../packages/core/dist/index.js" "$dir/index.js"
ln -sfn "$here/../../packages/core/node_modules" "$dir/node_modules"
for patch in "$@"; do python3 "$here/$patch" "$dir/index.js" ${PATCH_ARGS:-}; done
echo "$dir/index.js"
