#!/usr/bin/env bash
# A real PostgreSQL server from Debian's packages, for development and the SQL adapter's integration tests.
#
#   bash deploy/local/postgres.sh start     install when missing, initialise once, start (no-op when running)
#   bash deploy/local/postgres.sh stop      fast shutdown (no-op when stopped)
#   bash deploy/local/postgres.sh status    exit 0 when running and answering, 3 when stopped, 1 when not answering
#   bash deploy/local/postgres.sh url       the connection URL (postgres://postgres@127.0.0.1:15432/postgres)
#
# Used by the test harness (test/setup/postgres.ts), like deploy/local/kafka.sh:
#   acquire <pid>    start when needed and take a lease for process <pid>
#   release [<pid>]  drop that lease (and leases of dead processes); stop the server only when the harness
#                    started it and no live lease remains. A server started by hand (`start`) is never stopped
#                    by the harness, and a run cannot stop the server under another engineer's running tests.
#
# Installs `postgresql` with apt-get when no /usr/lib/postgresql/<version>/bin/initdb exists (needs root; CI
# machines start clean). initdb refuses to run as root, so as root the server runs as the `postgres` user on
# folders it owns. Listens on 127.0.0.1:$PG_PORT (15432) only, trust authentication (a loopback test server,
# never a deployment), fsync off. Everything lives in the git-ignored .cache/postgres/ ($PG_CACHE_DIR overrides it):
#   data/  the cluster      run/  the Unix socket      postgres.log      leases/, auto-started, .lock, server-dir
# When the `postgres` user cannot traverse to that folder (a clone under a 0700 `mktemp -d` or root's home),
# data/, run/ and postgres.log go to a folder it can reach that belongs to this checkout instead:
# /var/tmp/firewall-postgres-<hash of the cache path>/, mode 0700, owned by postgres ($PG_SERVER_DIR overrides
# it). The choice is written to server-dir, so stop, status and the leases find the cluster again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="${PG_CACHE_DIR:-$ROOT/.cache/postgres}"
SERVER_DIR_FILE="$CACHE/server-dir" # where data/, run/ and postgres.log live (see server_dir)
LEASES="$CACHE/leases"
AUTO_MARK="$CACHE/auto-started"
LOCK_FILE="$CACHE/.lock"
HOST=127.0.0.1
PORT="${PG_PORT:-15432}"
READY_TIMEOUT="${PG_READY_TIMEOUT:-60}"

say() { echo "[postgres.sh] $*" >&2; }
die() {
  say "ERROR: $*"
  exit 1
}

# Where the cluster lives: the remembered choice, else the cache when the user that runs the server can reach
# it, else a folder of this checkout's own outside it. Decided once (start writes server-dir), so a later
# chmod of a parent does not lose a running cluster.
server_dir() {
  if [[ -s "$SERVER_DIR_FILE" ]]; then
    cat "$SERVER_DIR_FILE"
  elif [[ -n "${PG_SERVER_DIR:-}" ]]; then
    echo "$PG_SERVER_DIR"
  elif [[ "$(id -u)" != 0 ]] || ! id postgres >/dev/null 2>&1 || postgres_reaches "$CACHE"; then
    echo "$CACHE"
  else
    local base=/var/tmp hash
    [[ -d "$base" && -w "$base" ]] || base=/tmp
    hash="$(realpath -m "$CACHE" | sha256sum | cut -c1-16)"
    echo "$base/firewall-postgres-$hash"
  fi
}

# True when the postgres user can traverse every folder down to $1 (or to the folder $1 would be made in).
postgres_reaches() {
  local dir=$1
  while [[ ! -e "$dir" ]]; do dir="$(dirname "$dir")"; done
  (cd / && runuser -u postgres -- test -x "$dir")
}

locate() {
  SERVER_DIR="$(server_dir)"
  DATA="$SERVER_DIR/data"
  RUN="$SERVER_DIR/run"
  LOG_FILE="$SERVER_DIR/postgres.log"
}
locate

SCRIPT=postgres.sh
SERVER=server
# shellcheck source=deploy/local/leases.sh
source "$ROOT/deploy/local/leases.sh"
server_running() { running; }

# The newest installed server's bin folder, or nothing.
bin_dir() {
  local dir
  dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] && echo "$dir"
}

install_server() {
  bin_dir >/dev/null && return 0
  [[ "$(id -u)" == 0 ]] || die "PostgreSQL is not installed and only root can install it: apt-get install -y postgresql"
  command -v apt-get >/dev/null || die "PostgreSQL is not installed and there is no apt-get to install it"
  say "installing PostgreSQL from Debian's packages (apt-get install -y postgresql) ..."
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q postgresql >"$CACHE/apt.log" 2>&1; then
    say "install failed; updating the package lists and trying again"
    apt-get update -q >>"$CACHE/apt.log" 2>&1 || true
    apt-get install -y -q postgresql >>"$CACHE/apt.log" 2>&1 || { tail -n 30 "$CACHE/apt.log" >&2; die "apt-get install postgresql failed"; }
  fi
  bin_dir >/dev/null || die "postgresql installed but no /usr/lib/postgresql/<version>/bin/initdb was found"
  say "installed $("$(bin_dir)/postgres" --version)"
}

# Runs a server binary as the user that owns the cluster: `postgres` when we are root, else ourselves.
as_owner() {
  if [[ "$(id -u)" == 0 ]]; then
    # From /: the caller's folder may be one the postgres user cannot enter.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# A folder outside the checkout, in a world-writable parent: made here, or refused unless it is a real folder
# (no symlink) owned by postgres and closed to everyone else, so no other user can plant or read a cluster.
prepare_server_dir() {
  [[ "$SERVER_DIR" == "$CACHE" ]] && return 0
  if [[ ! -e "$SERVER_DIR" && ! -L "$SERVER_DIR" ]]; then
    mkdir -p "$(dirname "$SERVER_DIR")"
    mkdir -m 700 "$SERVER_DIR"
    [[ "$(id -u)" == 0 ]] && chown postgres:postgres "$SERVER_DIR"
  fi
  [[ -d "$SERVER_DIR" && ! -L "$SERVER_DIR" ]] || die "$SERVER_DIR is not a folder (a symlink?): remove it"
  local owner mode
  owner="$(stat -c %U "$SERVER_DIR")"
  mode="$(stat -c %a "$SERVER_DIR")"
  [[ "$owner" == "$(if [[ "$(id -u)" == 0 ]]; then echo postgres; else id -un; fi)" && "$mode" == 700 ]] ||
    die "$SERVER_DIR is owned by $owner with mode $mode, not a private folder of the server's user: remove it"
}

prepare_dirs() {
  if [[ ! -s "$SERVER_DIR_FILE" ]]; then
    [[ "$SERVER_DIR" == "$CACHE" ]] ||
      say "the postgres user cannot reach ${CACHE}: the cluster lives in $SERVER_DIR (remembered in $SERVER_DIR_FILE)"
    echo "$SERVER_DIR" >"$SERVER_DIR_FILE"
  fi
  prepare_server_dir
  mkdir -p "$DATA" "$RUN"
  if [[ "$(id -u)" == 0 ]]; then
    id postgres >/dev/null 2>&1 || die "there is no postgres user (the postgresql package creates it)"
    chown postgres:postgres "$DATA" "$RUN"
    chmod 700 "$DATA"
    runuser -u postgres -- test -w "$DATA" ||
      die "the postgres user cannot reach ${DATA}: a parent folder is not traversable; set PG_SERVER_DIR to a folder it can reach"
  fi
}

init_cluster() {
  local bin=$1 version
  version="$(basename "$(dirname "$bin")")"
  if [[ -f "$DATA/PG_VERSION" ]]; then
    [[ "$(<"$DATA/PG_VERSION")" == "$version" ]] && return 0
    die "${DATA} holds a PostgreSQL $(<"$DATA/PG_VERSION") cluster but the installed server is $version: remove the folder"
  fi
  say "initialising a PostgreSQL $version cluster in ${DATA#"$ROOT"/}"
  as_owner "$bin/initdb" -D "$DATA" -U postgres --auth=trust --no-sync -E UTF8 --locale=C >"$CACHE/initdb.log" 2>&1 ||
    { tail -n 20 "$CACHE/initdb.log" >&2; die "initdb failed"; }
}

running() {
  local bin
  bin="$(bin_dir)" || return 1
  [[ -f "$DATA/postmaster.pid" ]] || return 1
  as_owner "$bin/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

answering() {
  "$(bin_dir)/pg_isready" -q -h "$HOST" -p "$PORT" -t 2
}

port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$PORT" 2>/dev/null
}

# Caller holds the lock. Prints "started" or "running" on stdout.
start_locked() {
  if running; then
    answering || die "a server runs on ${DATA#"$ROOT"/} but does not answer on $HOST:$PORT (see $LOG_FILE)"
    say "already running on $HOST:$PORT"
    echo running
    return 0
  fi
  if port_open; then
    ss -ltnp "sport = :$PORT" >&2 2>/dev/null || true
    die "$HOST:$PORT is already in use by a server postgres.sh did not start (see above); set PG_PORT"
  fi
  install_server
  locate # again: installing may just have created the postgres user
  local bin
  bin="$(bin_dir)"
  prepare_dirs
  init_cluster "$bin"
  [[ "$(id -u)" == 0 ]] && { touch "$LOG_FILE"; chown postgres:postgres "$LOG_FILE"; }
  # setsid: the server does not share the caller's process group (Ctrl-C reaches the test runner, whose
  # teardown releases the lease). 9>&-: the server must not inherit the lock.
  local runner=()
  [[ "$(id -u)" == 0 ]] && runner=(runuser -u postgres --)
  if ! (cd / && exec setsid "${runner[@]}" "$bin/pg_ctl" -D "$DATA" -l "$LOG_FILE" -w -t "$READY_TIMEOUT" \
    -o "-p $PORT -k $RUN -c listen_addresses=$HOST -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start \
    </dev/null >"$CACHE/pg_ctl.out" 2>&1 9>&-); then
    tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
    die "the server did not start (log: $LOG_FILE)"
  fi
  local deadline=$(($(date +%s) + READY_TIMEOUT))
  until answering; do
    (($(date +%s) < deadline)) || die "the server started but does not answer on $HOST:$PORT"
    sleep 0.2
  done
  say "PostgreSQL $(basename "$(dirname "$bin")") ready on $HOST:$PORT (data $DATA)"
  echo started
}

stop_locked() {
  if running; then
    as_owner "$(bin_dir)/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null
    say "stopped"
  else
    say "not running"
  fi
  rm -f "$AUTO_MARK"
  rm -rf "$LEASES"
}

cmd_status() {
  if ! running; then
    echo stopped
    return 3
  fi
  if answering; then
    echo "running on $HOST:$PORT (data ${DATA}$([[ -f "$AUTO_MARK" ]] && echo ', started by the test harness'))"
    return 0
  fi
  echo "running but not answering on $HOST:$PORT"
  return 1
}

case "${1:-}" in
  start) with_lock && start_locked >/dev/null && rm -f "$AUTO_MARK" ;;
  stop) with_lock && stop_locked ;;
  status) cmd_status ;;
  url) echo "postgres://postgres@$HOST:$PORT/postgres" ;;
  acquire) cmd_acquire "${2:-}" ;;
  release) cmd_release "${2:-}" ;;
  *)
    echo "usage: $0 start|stop|status|url   (harness: acquire <pid> | release [<pid>])" >&2
    exit 2
    ;;
esac
