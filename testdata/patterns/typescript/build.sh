#!/bin/sh
# Compiles src/*.ts to dist/*.js with source maps (CommonJS), with the
# TypeScript release (and Node.js typings) the committed dist/ was made
# with. npm exec installs both into its cache, outside the repository;
# tsc finds the typings there through --typeRoots.
set -eu
cd "$(dirname "$0")"
rm -rf dist
npm exec --yes --package typescript@5.9.3 --package @types/node@24.19.4 -- \
	sh -c 'tsc -p . --typeRoots "$(dirname "$(command -v tsc)")/../@types"'
