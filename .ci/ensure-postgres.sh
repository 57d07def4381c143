#!/usr/bin/env bash
# Makes sure the local PostgreSQL server runs and offers the pgvector extension.
# Debian bookworm ships no pgvector binary for PostgreSQL 15, so when `vector` is missing we build
# Debian's own source package (from the trixie suite) against the installed server. Repeated runs
# find the extension present and cost nothing. The mirror address is read from the machine's apt
# sources, never written here.
set -euo pipefail

PGHOST_ADDR=${PGHOST_ADDR:-127.0.0.1}
PGPORT_NUM=${PGPORT_NUM:-5432}
psql_admin() { psql -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -Atqc "$1"; }

if ! pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q; then
  echo "ci: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start
  for _ in $(seq 1 30); do pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q && break; sleep 1; done
fi
pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM"

if [ "$(psql_admin "select count(*) from pg_available_extensions where name = 'vector'")" = "1" ]; then
  echo "ci: pgvector present"
  exit 0
fi

echo "ci: building pgvector from Debian's source package"
pg_major=$(psql_admin "show server_version_num" | cut -c1-2)
mirror=$(grep -rhoE '^URIs:\s*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n 1 || true)
if [ -z "$mirror" ]; then
  mirror=$(grep -rhoE '^deb\s+\S+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | head -n 1 || true)
fi
[ -n "$mirror" ] || { echo "ci: no apt mirror found in /etc/apt/sources.list.d" >&2; exit 1; }

list=/etc/apt/sources.list.d/infusion-rcm-pgvector-src.list
echo "deb-src [trusted=yes] $mirror trixie main" > "$list"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "postgresql-server-dev-$pg_major" make gcc dpkg-dev >/dev/null
work=$(mktemp -d)
( cd "$work" && apt-get source -qq pgvector >/dev/null 2>&1 && cd pgvector-*/ \
  && make -s PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" >/dev/null \
  && make -s install PG_CONFIG="/usr/lib/postgresql/$pg_major/bin/pg_config" >/dev/null )
rm -rf "$work" "$list"
apt-get update -qq || true
[ "$(psql_admin "select count(*) from pg_available_extensions where name = 'vector'")" = "1" ] \
  || { echo "ci: pgvector build did not install the extension" >&2; exit 1; }
echo "ci: pgvector installed"
