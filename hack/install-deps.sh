#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build and test hms-controller. Idempotent, and
# quiet when everything is already there.
set -o errexit -o nounset -o pipefail

apt_packages=(libyaml-dev libcurl4-openssl-dev pkg-config python3-venv)
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
