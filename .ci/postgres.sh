# Sourced by .ci/run, which installs Debian's postgresql package when missing: a throwaway
# cluster for the PostgreSQL half of the test suite. Runs initdb and the server as the
# `postgres` user (initdb refuses root), exports DRIFTLOOP_TEST_DATABASE_URL, and removes the
# cluster at exit.

pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

PG_BIN="$(pg_bin)"
[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (Debian package postgresql)" >&2; exit 1; }

# The first free port of the range set aside for these clusters.
PG_PORT=""
for port in 55432 55433 55434 55435 55436 55437 55438 55439 55440; do
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then PG_PORT=$port; break; fi
done
[ -n "$PG_PORT" ] || { echo "no free port in 55432-55440 for the test cluster" >&2; exit 1; }

PG_DIR="$(mktemp -d /tmp/driftloop-pg.XXXXXX)"
chown postgres: "$PG_DIR"
as_postgres() { su postgres -s /bin/sh -c "$*"; }

stop_postgres() {
  local rc=$?
  # A failed run shows the deadlocks the server reported (each names the statements in the cycle):
  # the cluster and its log are removed next.
  if [ "$rc" -ne 0 ] && grep -q 'deadlock detected' "$PG_DIR/server.log" 2>/dev/null; then
    echo "Deadlocks in the test cluster's log:" >&2
    grep -A 7 'deadlock detected' "$PG_DIR/server.log" | cut -c 1-400 >&2
  fi
  as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -m immediate stop" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_postgres EXIT

# C collation: text sorts byte-wise, as SQLite sorts it. fsync off: the cluster is thrown away.
as_postgres "'$PG_BIN/initdb' -D '$PG_DIR/data' -U postgres --auth=trust -E UTF8 --no-locale" >/dev/null
as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DIR/data' -l '$PG_DIR/server.log' -w -o \"-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300\" start" >/dev/null \
  || { cat "$PG_DIR/server.log" >&2; exit 1; }

export DRIFTLOOP_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') test cluster on 127.0.0.1:$PG_PORT"
