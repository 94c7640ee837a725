# shellcheck shell=bash
# Shared by kafka.sh and postgres.sh (sourced, not run): one server per checkout, started on demand by test runs
# that take a lease on it, and stopped by the last run to release it — never when it was started by hand.
#
# The sourcing script defines: SCRIPT and SERVER (names for messages), CACHE, LOCK_FILE, LEASES, AUTO_MARK;
# say and die; start_locked (prints "started" when it started the server), stop_locked, and server_running.

alive() {
  local pid=$1 state
  [[ -r "/proc/$pid/stat" ]] || return 1
  state="$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$state" && "$state" != Z ]]
}

with_lock() {
  mkdir -p "$CACHE"
  exec 9>"$LOCK_FILE"
  flock -w 900 9 || die "timed out waiting for $LOCK_FILE (another $SCRIPT is busy)"
}

prune_leases() {
  mkdir -p "$LEASES"
  local f
  for f in "$LEASES"/*; do
    [[ -e "$f" ]] || continue
    alive "$(basename "$f")" || rm -f "$f"
  done
}

cmd_acquire() {
  local owner=${1:?usage: $SCRIPT acquire <pid>} result
  with_lock
  result="$(start_locked)"
  [[ "$result" == started ]] && touch "$AUTO_MARK"
  prune_leases
  touch "$LEASES/$owner"
  echo "$result"
}

cmd_release() {
  local owner=${1:-}
  with_lock
  [[ -n "$owner" ]] && rm -f "$LEASES/$owner"
  prune_leases
  if ! server_running; then
    rm -f "$AUTO_MARK"
    return 0
  fi
  if [[ ! -f "$AUTO_MARK" ]]; then
    say "leaving the $SERVER running: it was started by hand ($SCRIPT start)"
  elif [[ -n "$(ls -A "$LEASES")" ]]; then
    say "leaving the $SERVER running: still used by pid(s) $(find "$LEASES" -mindepth 1 -printf '%f ')"
  else
    stop_locked
  fi
}
