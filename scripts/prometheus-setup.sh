#!/usr/bin/env bash
# prometheus-setup.sh: install Debian's prometheus and prometheus-alertmanager
# (promtool and amtool come with them) when any of the four binaries is
# missing. Used by scripts/test.sh for the incident e2e against a real
# Prometheus and Alertmanager. The packages' services are not started: a
# policy-rc.d that denies every start is in place for the install (Debian's
# invoke-rc.d and deb-systemd-invoke honour it), so nothing listens on the
# default ports 9090/9093/9094; the tests start their own on free
# 127.0.0.1 ports.
set -euo pipefail
missing=0
for b in prometheus promtool prometheus-alertmanager amtool; do
  command -v "$b" >/dev/null 2>&1 || missing=1
done
[ "$missing" = 0 ] && exit 0

sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo="sudo -n"
  else
    echo "prometheus-setup: prometheus/alertmanager missing and not root (no passwordless sudo); install them with:" >&2
    echo "  apt-get install -y --no-install-recommends prometheus prometheus-alertmanager" >&2
    exit 1
  fi
fi
echo "prometheus-setup: installing prometheus and prometheus-alertmanager (apt)" >&2
start=$(date +%s)
policy=/usr/sbin/policy-rc.d
placed=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# bsai scripts/prometheus-setup.sh: no service starts during the install\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  placed=1
fi
cleanup() { [ "$placed" = 1 ] && $sudo rm -f "$policy"; return 0; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
for b in prometheus promtool prometheus-alertmanager amtool; do
  command -v "$b" >/dev/null 2>&1 || { echo "prometheus-setup: $b still missing after the install" >&2; exit 1; }
done
echo "prometheus-setup: installed in $(( $(date +%s) - start ))s" >&2
