#!/bin/bash
# Build only the client on a GitHub runner (both deploy workflow jobs).
set -euo pipefail
sudo apt-get update
sudo apt-get install -y --no-install-recommends autoconf automake libtool pkg-config \
	libsystemd-dev libjson-c-dev libcurl4-openssl-dev libcunit1-dev libssl-dev jq
autoreconf -fi
./configure
make dreichorctl
