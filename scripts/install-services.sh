#!/usr/bin/env bash
# Installs the real peers the tests talk to (Debian packages). Each test starts its own instance
# on a free loopback port in a temp directory, so nothing is started here.
set -euo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1 || [ -x "$1" ]; }
have /usr/lib/postgresql/15/bin/initdb || need+=(postgresql)
have snmpd || [ -x /usr/sbin/snmpd ] || need+=(snmpd)
have snmpbulkwalk || need+=(snmp)
have snmpsimd || need+=(snmpsim)
have promtool || need+=(prometheus)
have prometheus-alertmanager || [ -x /usr/bin/prometheus-alertmanager ] || need+=(prometheus-alertmanager)
have prometheus-snmp-exporter || need+=(prometheus-snmp-exporter)
have chromium || need+=(chromium)
have openssl || need+=(openssl)
have pg_dump || need+=(postgresql-client)
[ -x /usr/bin/time ] || need+=(time)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-services: all test peers are installed"
  exit 0
fi

echo "install-services: installing ${need[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "install-services: done"
