#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test hms-controller. Idempotent, and
# quiet when everything is already there.
#   hack/install-deps.sh [PACKAGE | pip:PACKAGE ...]
# Extra arguments add Debian packages, or (pip:NAME) Python packages in the repository's .venv.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

# python3 and openssl serve the live HTTP and TLS tests (local servers, throwaway certificates).
apt_packages=(libyaml-dev libcurl4-openssl-dev pkg-config python3 python3-venv openssl)
pip_packages=()
for extra in "$@"; do
  case "$extra" in
    pip:*) pip_packages+=("${extra#pip:}") ;;
    *) apt_packages+=("$extra") ;;
  esac
done

missing=()
for package in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ${#pip_packages[@]} -gt 0 ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  missing=()
  for package in "${pip_packages[@]}"; do
    .venv/bin/python -m pip show --quiet "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]} into .venv"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check "${missing[@]}"
  fi
fi
