#!/usr/bin/env bash
# Install PostgreSQL if missing, start the newest cluster, and give ROLE a fresh, empty
# copy of each DATABASE. Prints one postgresql:// URL per database (on 127.0.0.1).
# Needs root, as .ci/run does; .ci/run could call this instead of its own copy.
#   usage: bench/start_postgres.sh ROLE DATABASE...
set -euo pipefail
role=$1; shift

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
pg_lsclusters -h | awk '{print $1, $2}' | grep -qx "$version main" || pg_createcluster "$version" main >&2
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
psql_admin() { PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtAc "$1"; }
for _ in $(seq 30); do psql_admin "select 1" >/dev/null 2>&1 && break; sleep 1; done
[ "$(psql_admin "select 1 from pg_roles where rolname = '$role'")" = 1 ] \
  || psql_admin "create role $role login password '$role'"
for database in "$@"; do
  psql_admin "drop database if exists $database with (force)"
  psql_admin "create database $database owner $role"
  echo "postgresql://$role:$role@127.0.0.1:$port/$database"
done
