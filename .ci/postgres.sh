#!/usr/bin/env bash
# Makes a PostgreSQL server from Debian's packages answer on 127.0.0.1:5432 with a superuser
# role `warta` (password `warta`) for the tests, installing and starting it when needed.
# Prints the admin URL the tests take as WARTA_TEST_POSTGRES. Loopback needs no TLS: without it
# libpq never loads OpenSSL, whose exit-time cleanup can crash a test process whose servers'
# threads still hold connections when it exits.
set -euo pipefail
need=()
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
[ -e /usr/include/postgresql/libpq-fe.h ] || need+=(libpq-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
  pg_createcluster "$version" main >&2
fi
pg_lsclusters -h | grep -q "^$version main .* online" || pg_ctlcluster "$version" main start >&2
for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not start" >&2; exit 1; }
# From /, which the postgres user may enter (psql warns when it cannot enter the caller's directory).
(cd / && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1) >&2 <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'warta') THEN
    CREATE ROLE warta LOGIN SUPERUSER PASSWORD 'warta';
  END IF;
END $$;
SQL
echo "postgres://warta:warta@127.0.0.1:5432/postgres?sslmode=disable"
