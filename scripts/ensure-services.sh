#!/usr/bin/env bash
# Make this machine ready for the full test suite: Chromium for the browser tests, and
# PostgreSQL and Redis running on 127.0.0.1. Installs only when run as root with apt-get
# (CI and the dev machines); elsewhere it reports what is missing and the suite says what it skips.
set -u

have() { command -v "$1" >/dev/null 2>&1; }
as_root() { [ "$(id -u)" = 0 ] && have apt-get; }
apt_updated=""
apt_install() {
  as_root || { echo "ensure-services: $* missing and cannot be installed here (not root with apt-get)"; return 1; }
  [ -n "$apt_updated" ] || { apt-get update -qq >/dev/null; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! have chromium && ! have chromium-browser; then
  echo "ensure-services: installing Chromium (Debian package)"
  apt_install chromium fonts-dejavu-core || true
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if ! port_open 5432; then
  if have pg_lsclusters; then
    cluster=$(pg_lsclusters -h | awk 'NR==1{print $1}')
    if [ -n "$cluster" ]; then
      echo "ensure-services: starting PostgreSQL $cluster"
      pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
    fi
  else
    echo "ensure-services: PostgreSQL is not running on 127.0.0.1:5432 and is not installed"
  fi
fi

if ! port_open 6379; then
  if have redis-server; then
    echo "ensure-services: starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  else
    echo "ensure-services: Redis is not running on 127.0.0.1:6379 and is not installed"
  fi
fi

for _ in $(seq 1 30); do
  port_open 5432 && port_open 6379 && break
  sleep 1
done

# The suite connects as postgres@127.0.0.1 without a password. Where loopback asks for one (Debian's
# default is scram), trust it: these are throwaway CI and developer databases.
if port_open 5432 && have psql && ! psql -h 127.0.0.1 -U postgres -w -tAc "select 1" >/dev/null 2>&1; then
  hba=$(ls /etc/postgresql/*/main/pg_hba.conf 2>/dev/null | head -n 1)
  if [ -n "$hba" ] && [ "$(id -u)" = 0 ]; then
    echo "ensure-services: trusting 127.0.0.1 in $hba"
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    cluster=$(pg_lsclusters -h | awk 'NR==1{print $1}')
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main reload || true
    sleep 1
  fi
fi

if [ "${CI:-}" = "true" ]; then
  port_open 5432 || { echo "ensure-services: PostgreSQL is still not reachable on 127.0.0.1:5432"; exit 1; }
  port_open 6379 || { echo "ensure-services: Redis is still not reachable on 127.0.0.1:6379"; exit 1; }
  command -v chromium >/dev/null 2>&1 || { echo "ensure-services: Chromium could not be installed"; exit 1; }
fi
exit 0
