#!/usr/bin/env bash
# Regenerates manifests/install.yaml and manifests/rbac/ from charts/hms-controller rendered with
# its default values, so that the plain manifests cannot drift from the chart (hack/test-chart.sh
# fails when they are stale).
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."
hack/install-deps.sh pip:helm-python-sdk pip:PyYAML
.venv/bin/python hack/chart/render.py generate
