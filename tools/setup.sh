#!/usr/bin/env bash
# Installs what darkfleet needs to build and test on Debian 12 (bookworm):
# the compiler and libraries, gpsd-clients (the decoder's oracle), chromium
# (the report's browser tests), the npm packages of package-lock.json; then
# builds it.  Run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    build-essential cmake ninja-build pkg-config clang \
    libclang-rt-14-dev libarchive-dev libcmocka-dev libsqlite3-dev \
    libjansson-dev libcurl4-openssl-dev libmicrohttpd-dev libnats-dev \
    nats-server sqlite3 \
    gpsd-clients python3 gzip zstd xz-utils bzip2 time chromium >/dev/null
# Node.js builds the coastline and the report's map bundle from npm
# packages; the machine's own Node.js is used when there is one.
command -v npm >/dev/null || $SUDO apt-get install -y -qq nodejs npm >/dev/null
[ -f package-lock.json ] && npm ci --no-audit --no-fund --loglevel=error
make
