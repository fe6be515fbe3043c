#!/usr/bin/env bash
# Every object the mock stored during the e2e suite validates against real Kubernetes schemas
# (PyPI kubernetes-validate, strict) or, for custom resources, against its stored CRD.
#   hack/check-stored-objects.sh DIRECTORY     (the snapshots hack/test.sh collected)
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python_packages=(pip:kubernetes-validate pip:cel-python pip:PyYAML)
if ! hack/install-deps.sh "${python_packages[@]}" || ! .venv/bin/python -c 'import kubernetes_validate, celpy, yaml' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "check-stored-objects: could not install ${python_packages[*]#pip:} from PyPI"; exit 1
  fi
  echo "check-stored-objects: SKIP: could not install ${python_packages[*]#pip:} from PyPI (see above)"
  exit 0
fi
.venv/bin/python hack/check-stored-objects.py "$1"
