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
# prometheus: promtool, and the server itself (2.x) as a remote-write receiver for plugin-remote-write.
have promtool && have prometheus || need+=(prometheus)
# VictoriaMetrics single node (Debian 1.79): the other remote-write receiver plugin-remote-write is tested with.
have victoria-metrics || need+=(victoria-metrics)
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
