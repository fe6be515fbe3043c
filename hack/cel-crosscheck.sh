#!/usr/bin/env bash
# Our CEL interpreter gives the verdicts of cel-python (`celpy`), an implementation not ours, on the
# corpus Tests/CELTests/corpus.json and on every CRD rule applied to the examples and golden
# manifests (hack/cel-crosscheck.py says how they are compared).
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

python_packages=(pip:cel-python pip:PyYAML)
if ! hack/install-deps.sh "${python_packages[@]}" || ! .venv/bin/python -c 'import celpy, re2, yaml' 2>/dev/null; then
  if [ "${CI:-}" = true ]; then
    echo "cel-crosscheck: could not install ${python_packages[*]#pip:} from PyPI"; exit 1
  fi
  echo "cel-crosscheck: SKIP: could not install ${python_packages[*]#pip:} from PyPI (see above)"
  exit 0
fi
swift build --product hms-cel-eval
# google-re2 logs each pattern it refuses through absl; the corpus has such patterns on purpose.
.venv/bin/python hack/cel-crosscheck.py "$(swift build --show-bin-path)/hms-cel-eval" 2> >(grep -v -e 're2.cc' -e 'absl::InitializeLog' >&2)
