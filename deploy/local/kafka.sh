#!/usr/bin/env bash
# A real Apache Kafka broker for development and integration tests, without Docker.
#
#   bash deploy/local/kafka.sh start          start (no-op when running); waits until a client gets metadata
#   bash deploy/local/kafka.sh stop           SIGTERM, wait, SIGKILL after KAFKA_STOP_TIMEOUT s (no-op when stopped)
#   bash deploy/local/kafka.sh status         exit 0 when running and answering, 3 when stopped, 1 when not answering
#   bash deploy/local/kafka.sh logs [-f|N]    last N (200) lines of the broker log, or follow it
#   bash deploy/local/kafka.sh bootstrap      the bootstrap address (127.0.0.1:19092, or $KAFKA_LOCAL_PORT)
#
# Used by the test harness (test/setup/kafka-global-setup.ts, scripts/test-all.sh):
#   acquire <pid>    start when needed and take a lease for process <pid>
#   release [<pid>]  drop that lease (and leases of dead processes); stop the broker only when the harness
#                    started it and no live lease remains. A broker started by hand (`start`) is never stopped
#                    by the harness, and a run cannot stop the broker under another engineer's running tests.
#
# One KRaft node (broker + controller) on 127.0.0.1:19092, controller on 127.0.0.1:19093 (KAFKA_LOCAL_PORT and
# KAFKA_LOCAL_CONTROLLER_PORT move them, so two checkouts can each run their own broker), configured by
# deploy/kafka/server.properties (auto topic creation is OFF) and deploy/kafka/log4j2.properties.
# Everything lives in the git-ignored .cache/kafka/:
#   libs/            jars resolved from Maven Central through a generated throwaway pom (resolve/pom.xml)
#   data/            log.dirs, formatted once ($KAFKA_DATA_DIR overrides the folder)
#   cluster-id       the cluster id the data folder was formatted with
#   server.log       the broker's log (log4j2);  kafka.out: JVM stdout/stderr (crashes, bad flags)
#   kafka.pid, leases/, auto-started, .lock
#
# Environment: KAFKA_VERSION (4.1.1), KAFKA_DATA_DIR, KAFKA_LOCAL_PORT (19092), KAFKA_LOCAL_CONTROLLER_PORT
# (19093), KAFKA_HEAP_OPTS (-Xms256m -Xmx512m), KAFKA_READY_STALL (60 s), KAFKA_READY_TIMEOUT (600 s),
# KAFKA_STOP_TIMEOUT (30 s), JAVA (java on PATH; Java 17+).
# The start waits while the broker makes progress (see wait_ready): it gives up after KAFKA_READY_STALL s in
# which nothing moved, or after KAFKA_READY_TIMEOUT s in all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache/kafka"
LIBS="$CACHE/libs"
DATA_DIR="${KAFKA_DATA_DIR:-$CACHE/data}"
PROPS="$CACHE/server.properties"
PID_FILE="$CACHE/kafka.pid"
LOG_FILE="$CACHE/server.log"
OUT_FILE="$CACHE/kafka.out"
CLUSTER_ID_FILE="$CACHE/cluster-id"
AUTO_MARK="$CACHE/auto-started"
LEASES="$CACHE/leases"
LOCK_FILE="$CACHE/.lock"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION=2.25.5
SLF4J_VERSION=2.0.17            # explicit: Kafka pulls slf4j-api 1.7.x, which ignores the slf4j2 binding
DEPENDENCY_PLUGIN_VERSION=3.8.1

HOST=127.0.0.1
PORT="${KAFKA_LOCAL_PORT:-19092}"
CONTROLLER_PORT="${KAFKA_LOCAL_CONTROLLER_PORT:-19093}"
BROKER="$HOST:$PORT"
JAVA="${JAVA:-java}"
read -r -a HEAP_OPTS <<<"${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
READY_STALL="${KAFKA_READY_STALL:-60}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-600}"
STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"

say() { echo "[kafka.sh] $*" >&2; }

die() {
  say "ERROR: $*"
  exit 1
}

SCRIPT=kafka.sh
SERVER=broker
# shellcheck source=deploy/local/leases.sh
source "$ROOT/deploy/local/leases.sh"
server_running() { broker_pid >/dev/null; }

LOG_START_BYTES=0 # size of server.log when this start began: older lines belong to earlier runs

show_log_tail() {
  if [[ -s "$OUT_FILE" ]]; then
    echo "----- last 40 lines of ${OUT_FILE#"$ROOT"/} -----" >&2
    tail -n 40 "$OUT_FILE" >&2
  fi
  if [[ -f "$LOG_FILE" ]] && (($(stat -c %s "$LOG_FILE") > LOG_START_BYTES)); then
    echo "----- last 40 lines of ${LOG_FILE#"$ROOT"/} (this start) -----" >&2
    tail -c +$((LOG_START_BYTES + 1)) "$LOG_FILE" | tail -n 40 >&2
  fi
  echo "----- (bash deploy/local/kafka.sh logs: the whole log) -----" >&2
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# A process that exited but was not reaped yet (zombie) counts as dead.
# The broker pid when our broker runs (the pid file names a live kafka.Kafka process), else nothing.
broker_pid() {
  local pid
  [[ -s "$PID_FILE" ]] || return 1
  pid="$(<"$PID_FILE")"
  if alive "$pid" && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka'; then
    echo "$pid"
    return 0
  fi
  rm -f "$PID_FILE"
  return 1
}

port_open() {
  timeout 1 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

probe() {
  node "$ROOT/deploy/local/kafka-probe.mjs" "$BROKER" "${1:-5000}"
}

resolve_jars() {
  local stamp="kafka_2.13=$KAFKA_VERSION log4j=$LOG4J_VERSION slf4j=$SLF4J_VERSION"
  if [[ -f "$LIBS/.stamp" && "$(<"$LIBS/.stamp")" == "$stamp" ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn (Maven) is not installed; it resolves the Kafka jars from Maven Central"
  local started resolve="$CACHE/resolve"
  started="$(now)"
  say "resolving Kafka $KAFKA_VERSION jars from Maven Central into ${LIBS#"$ROOT"/} ..."
  rm -rf "$resolve" "$LIBS.tmp"
  mkdir -p "$resolve"
  cat >"$resolve/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Generated by deploy/local/kafka.sh: only used to resolve the broker's runtime jars. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.firewall</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>0</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin>
          <groupId>org.apache.maven.plugins</groupId>
          <artifactId>maven-dependency-plugin</artifactId>
          <version>$DEPENDENCY_PLUGIN_VERSION</version>
        </plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
EOF
  if ! mvn -q -B -f "$resolve/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >"$resolve/mvn.log" 2>&1; then
    tail -n 40 "$resolve/mvn.log" >&2
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (log: ${resolve#"$ROOT"/}/mvn.log)"
  fi
  ls "$LIBS.tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "Maven finished but no kafka_2.13 jar was copied"
  [[ -f "$LIBS.tmp/slf4j-api-$SLF4J_VERSION.jar" ]] ||
    die "slf4j-api $SLF4J_VERSION missing from the resolved jars: the broker would log nothing"
  echo "$stamp" >"$LIBS.tmp/.stamp"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  say "resolved $(find "$LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$LIBS" | cut -f1), in $(since "$started") s"
}

write_config() {
  local template="$ROOT/deploy/kafka/server.properties"
  [[ -f "$template" ]] || die "missing $template"
  mkdir -p "$DATA_DIR"
  DATA_DIR="$(cd "$DATA_DIR" && pwd)"
  local content
  content="$(<"$template")"
  content="${content//@KAFKA_DATA_DIR@/$DATA_DIR}"
  content="${content//@KAFKA_CONTROLLER_PORT@/$CONTROLLER_PORT}"
  printf '%s\n' "${content//@KAFKA_PORT@/$PORT}" >"$PROPS"
}

java_tool() {
  "$JAVA" -Xmx256m -Dkafka.logs.dir="$CACHE" -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" \
    -cp "$LIBS/*" "$@"
}

# --standalone writes the controller's address into the metadata log: a data folder formatted for one
# controller port cannot serve another (data formatted before the port was recorded used 19093).
CONTROLLER_PORT_FILE=firewall-controller-port

format_storage() {
  if [[ -f "$DATA_DIR/meta.properties" ]]; then
    local formatted=19093
    [[ -s "$DATA_DIR/$CONTROLLER_PORT_FILE" ]] && formatted="$(<"$DATA_DIR/$CONTROLLER_PORT_FILE")"
    [[ "$formatted" == "$CONTROLLER_PORT" ]] ||
      die "$DATA_DIR was formatted for controller port $formatted, not $CONTROLLER_PORT: remove it or set KAFKA_DATA_DIR"
    return 0
  fi
  local cluster_id
  if [[ -s "$CLUSTER_ID_FILE" ]]; then
    cluster_id="$(<"$CLUSTER_ID_FILE")"
  else
    cluster_id="$(java_tool kafka.tools.StorageTool random-uuid 2>>"$OUT_FILE" | tail -n 1)"
    [[ "$cluster_id" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "could not generate a cluster id (got '$cluster_id')"
    echo "$cluster_id" >"$CLUSTER_ID_FILE"
  fi
  say "formatting ${DATA_DIR#"$ROOT"/} (cluster id $cluster_id)"
  if ! java_tool kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS" --standalone >>"$OUT_FILE" 2>&1; then
    show_log_tail
    die "formatting the storage failed"
  fi
  echo "$CONTROLLER_PORT" >"$DATA_DIR/$CONTROLLER_PORT_FILE"
}

# Bytes the broker has written in its two logs: they grow while it works through its start.
log_bytes() {
  echo $(($(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0) + $(stat -c %s "$OUT_FILE" 2>/dev/null || echo 0)))
}

# The broker log's last line written since this start began (older lines belong to earlier runs).
last_log_line() {
  local line=""
  if [[ -f "$LOG_FILE" ]] && (($(stat -c %s "$LOG_FILE") > LOG_START_BYTES)); then
    line="$(tail -c +$((LOG_START_BYTES + 1)) "$LOG_FILE" | tail -n 1)"
  fi
  echo "${line:-(none yet)}" | cut -c1-300
}

# CPU time (clock ticks) the process has used.
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}

# Wait until the broker answers a metadata request. Progress, not a fixed deadline, decides: on a loaded
# machine a start can take minutes (a controller event once took 6.9 s), so keep waiting while the JVM lives
# and something moves: its logs grow, the port opens, the probe's answer changes — and, only until its first
# log line, its CPU time grows (a starved JVM boots silently; later, CPU alone would hide a broker that spins).
# Give up after READY_STALL s in which nothing moved, or READY_TIMEOUT s in all; fail at once when the JVM exits.
wait_ready() {
  local pid=$1 begun now last_move signal="" last_signal="" reason="" why="" rc probe_ms=5000 next_note
  begun=$(date +%s)
  last_move=$begun
  next_note=$((begun + 30))
  while :; do
    if ! alive "$pid"; then
      rm -f "$PID_FILE"
      show_log_tail
      die "the broker (pid $pid) exited during startup"
    fi
    reason="port $PORT closed"
    if port_open "$PORT"; then
      rc=0
      reason="$(probe "$probe_ms" 2>&1)" || rc=$?
      ((rc == 0)) && return 0
      ((rc == 2)) && die "$reason"
      # A busy broker may answer after the probe gave up: give the next one longer (up to 40 s).
      [[ "$reason" == "no metadata answer within"* ]] && ((probe_ms < 40000)) && probe_ms=$((probe_ms * 2))
    fi
    now=$(date +%s)
    # Digits out: a changed timeout in the probe's message is not the broker moving.
    signal="$(log_bytes) ${reason//[0-9]/}"
    (($(log_bytes) > LOG_START_BYTES)) || signal+=" cpu $(cpu_ticks "$pid")"
    if [[ "$signal" != "$last_signal" ]]; then
      last_signal=$signal
      last_move=$now
    fi
    if ((now - last_move >= READY_STALL)); then
      why="no progress for $((now - last_move)) s (KAFKA_READY_STALL=$READY_STALL)"
      break
    fi
    if ((now - begun >= READY_TIMEOUT)); then
      why="still not ready after $((now - begun)) s although it kept making progress (KAFKA_READY_TIMEOUT=$READY_TIMEOUT)"
      break
    fi
    if ((now >= next_note)); then
      say "still starting after $((now - begun)) s, last progress $((now - last_move)) s ago (probe: $reason; log: $(last_log_line))"
      next_note=$((now + 30))
    fi
    sleep 0.5
  done
  show_log_tail
  say "the broker did not answer a metadata request: $why; last probe: $reason; last log line: $(last_log_line)"
  say "stopping it"
  stop_broker "$pid"
  exit 1
}

# Caller holds the lock. Prints "started" or "running" on stdout.
start_locked() {
  local pid started
  started="$(now)"
  if pid="$(broker_pid)"; then
    wait_ready "$pid"
    say "already running (pid $pid) on $BROKER"
    echo running
    return 0
  fi
  local port
  for port in "$PORT" "$CONTROLLER_PORT"; do
    if port_open "$port"; then
      ss -ltnp "sport = :$port" >&2 2>/dev/null || true
      die "127.0.0.1:$port is already in use by a process kafka.sh did not start (see above); set KAFKA_LOCAL_PORT and KAFKA_LOCAL_CONTROLLER_PORT"
    fi
  done
  command -v "$JAVA" >/dev/null || die "java is not installed (Java 17+ is needed)"
  resolve_jars
  write_config
  format_storage
  rm -f "$AUTO_MARK"
  : >"$OUT_FILE"
  LOG_START_BYTES=$(stat -c %s "$LOG_FILE" 2>/dev/null || echo 0)
  # setsid: the broker does not share the caller's process group (Ctrl-C in a test run reaches the test
  # runner, whose teardown stops the broker). 9>&-: the broker must not inherit the lock.
  # The inner shell writes its own pid and execs java, so the pid file names the JVM.
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    "$JAVA" "${HEAP_OPTS[@]}" -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$CACHE" -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$PROPS" </dev/null >>"$OUT_FILE" 2>&1 9>&- &
  local _
  for _ in $(seq 1 50); do
    [[ -s "$PID_FILE" ]] && break
    sleep 0.1
  done
  [[ -s "$PID_FILE" ]] || die "the broker process did not start"
  pid="$(<"$PID_FILE")"
  say "started Kafka $KAFKA_VERSION (pid $pid), waiting until it answers on $BROKER ..."
  wait_ready "$pid"
  say "ready on $BROKER (pid $pid) in $(since "$started") s"
  echo started
}

stop_broker() {
  local pid=$1 deadline
  say "stopping the broker (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  while alive "$pid" && (($(date +%s) < deadline)); do
    sleep 0.2
  done
  if alive "$pid"; then
    say "still running after ${STOP_TIMEOUT} s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE" "$AUTO_MARK"
  say "stopped"
}

stop_locked() {
  local pid
  if pid="$(broker_pid)"; then
    stop_broker "$pid"
  else
    rm -f "$AUTO_MARK"
    say "not running"
  fi
  rm -rf "$LEASES"
}

cmd_start() {
  with_lock
  start_locked >/dev/null
  # Started or adopted by hand: the harness must leave it running.
  rm -f "$AUTO_MARK"
}

cmd_status() {
  local pid reason
  if ! pid="$(broker_pid)"; then
    echo "stopped"
    return 3
  fi
  if reason="$(probe 5000 2>&1)"; then
    echo "running: pid $pid on $BROKER (Kafka $(sed -n 's/^kafka_2.13=\([^ ]*\).*/\1/p' "$LIBS/.stamp" 2>/dev/null), data ${DATA_DIR}$([[ -f "$AUTO_MARK" ]] && echo ', started by the test harness'))"
    return 0
  fi
  echo "running: pid $pid but not answering on $BROKER: $reason"
  return 1
}

cmd_logs() {
  [[ -f "$LOG_FILE" ]] || die "no log yet (${LOG_FILE#"$ROOT"/})"
  if [[ "${1:-}" == "-f" ]]; then
    exec tail -n 50 -F "$LOG_FILE"
  fi
  tail -n "${1:-200}" "$LOG_FILE"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) with_lock && stop_locked ;;
  status) cmd_status ;;
  logs) cmd_logs "${2:-}" ;;
  bootstrap) echo "$BROKER" ;;
  acquire) cmd_acquire "${2:-}" ;;
  release) cmd_release "${2:-}" ;;
  *)
    echo "usage: $0 start|stop|status|logs [-f|N]|bootstrap   (harness: acquire <pid> | release [<pid>])" >&2
    exit 2
    ;;
esac
