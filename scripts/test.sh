#!/bin/sh
# Installs the test dependencies, builds husk and runs every test.
set -eu
cd "$(dirname "$0")/.."
scripts/deps.sh test
exec tests/run.sh "$@"
