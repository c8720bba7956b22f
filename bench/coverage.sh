#!/usr/bin/env bash
# Issue 11: coverage of peizi_guard/ by the test suite, child processes included
# (pyproject.toml [tool.coverage.run] patch = subprocess). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f .coverage .coverage.*
python -m coverage run -m pytest -q -p no:cacheprovider "$@"
python -m coverage combine -q
python -m coverage report --sort=cover > .coverage-report.txt  # lowest first
head -n 25 .coverage-report.txt && tail -n 1 .coverage-report.txt
