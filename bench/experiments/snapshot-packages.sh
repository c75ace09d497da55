#!/usr/bin/env bash
# Copies the built core, express and nestjs packages to bench/.results/variants/NAME (never touching packages/),
# so a later build can be measured against this one with variant-hook.mjs:
#   bash bench/experiments/snapshot-packages.sh before
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
name="$1"
dir="$here/../.results/variants/$name"
rm -rf "$dir" && mkdir -p "$dir"
for pkg in core express nestjs; do
  mkdir -p "$dir/$pkg"
  cp -r "$here/../../packages/$pkg/dist" "$here/../../packages/$pkg/package.json" "$dir/$pkg/"
  ln -sfn "$here/../../packages/$pkg/node_modules" "$dir/$pkg/node_modules"
done
echo "$dir"
