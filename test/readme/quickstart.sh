#!/usr/bin/env bash
# Runs the README's "Or from a shell" block exactly as written, in a fresh clone,
# inside private mount and network namespaces (unshare -mn, see the test):
# localhost:8080 and /tmp/hello are this run's own, whatever else the machine runs.
# Usage (as root, inside the namespaces): quickstart.sh <clone>
set -euo pipefail
clone=$1
mount -t tmpfs tmpfs /tmp
ip link set lo up
export HOME=/tmp/home XDG_CONFIG_HOME=/tmp/home/.config
mkdir -p "$HOME"
cd "$clone"
# The README's first step: npm start, from the clone's root.
npm start >/tmp/server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sf localhost:8080/readyz >/dev/null && break
  kill -0 $server 2>/dev/null || { cat /tmp/server.log; exit 1; }
  sleep 0.3
done
curl -sf localhost:8080/readyz >/dev/null || { echo "server not ready"; cat /tmp/server.log; exit 1; }
# The block itself, from the README of this clone, every line as written.
awk '/^Or from a shell/{found=1} found && /^```sh$/{inside=1; next} inside && /^```$/{exit} inside{print}' README.md >/tmp/quickstart-block.sh
test -s /tmp/quickstart-block.sh
echo "--- README block:"; cat /tmp/quickstart-block.sh; echo "--- output:"
bash -euo pipefail -x /tmp/quickstart-block.sh
