#!/usr/bin/env bash
# Tests of the packaging, offline: the Helm chart rendered and linted with helm-python-sdk (Helm's
# Go SDK bundled as a library; Debian has no helm and no helm binary is downloaded), every rendered
# document validated with kubernetes-validate --strict, the controller's properties checked
# (hack/chart/check.py), the generated plain manifests compared with a fresh rendering, and the
# Dockerfile parsed with buildkit's parser (PyPI dockerfile).
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python_packages=(pip:helm-python-sdk pip:kubernetes-validate pip:PyYAML pip:dockerfile)
if ! hack/install-deps.sh "${python_packages[@]}"; then
  echo "test-chart: SKIP: could not install ${python_packages[*]#pip:} from PyPI (see above); the chart is not tested"
  [ "${CI:-}" = "true" ] && exit 1  # in CI a missing tool is an error, not a skip
  exit 0
fi
if ! probe=$(.venv/bin/python -c 'import helm_python, kubernetes_validate, dockerfile; print(helm_python.helm_sdk_version())' 2>&1); then
  echo "test-chart: SKIP: the tools are installed but do not load on this machine: $probe"
  [ "${CI:-}" = "true" ] && exit 1
  exit 0
fi

# The generated plain manifests through kubernetes-validate's own command line as well: every
# document must pass, none may go unchecked for want of a schema.
kube_version=$(.venv/bin/python -c 'import kubernetes_validate; print(kubernetes_validate.latest_version())')
output=$(.venv/bin/kubernetes-validate --strict --kubernetes-version "$kube_version" manifests/install.yaml manifests/rbac/*.yaml) || {
  echo "$output"; echo "test-chart: kubernetes-validate failed"; exit 1; }
if grep -v '^INFO ' <<<"$output"; then
  echo "test-chart: kubernetes-validate printed warnings or errors"; exit 1
fi
echo "test-chart: kubernetes-validate --strict -k $kube_version: $(grep -c '^INFO .* passed' <<<"$output") documents of manifests/install.yaml and manifests/rbac/ valid"

# Last, so that its summary ("chart: N passed, N failed") closes the output.
.venv/bin/python hack/chart/check.py
