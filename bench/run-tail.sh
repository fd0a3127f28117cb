#!/usr/bin/env bash
# The tail at saturation (issue 25): closed-loop `wrk -t1 -cN` against greenloop's HelloHttpServer, Netty's
# NettyHelloServer (one event loop) and the C floor (epoll_hello.c), each server started fresh, alone on the server
# CPU, wrk on the client CPU; a warm-up run, then the measured one; the servers' order is reversed every round, so
# that no server always runs first. Prints one line per server and round: req/s and wrk's p50/p90/p99/p99.9.
# The tables in bench/README.md ("The tail at saturation") come from `bash bench/run-tail.sh 1000 3 10` and
# `bash bench/run-tail.sh 64 3 10`.
#
# usage: bash bench/run-tail.sh [connections] [rounds] [seconds]      (defaults: 1000 3 10)
# env:   WARMUP=3              seconds of warm-up per server and round
#        SERVER_CPUS=1 CLIENT_CPUS=0   where the servers and wrk run (taskset -c lists)
#        SERVER_FLAGS="..."    extra JVM flags for the two JVM servers (-Xlog:gc, -Xmn2g, ...)
#        FLOOR_SOURCE=path/to/epoll_hello.c  the C floor (default ../shared/floor/epoll_hello.c; skipped when absent)
#        SKIP_BUILD=1          reuse the last build
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/peers.sh
source bench/peers.sh
need_wrk
# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP
FLOOR="$(floor_binary)"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

CONNECTIONS="${1:-1000}"
ROUNDS="${2:-3}"
MEASURED="${3:-10}"
WARMUP="${WARMUP:-3}"
SERVER_CPUS="${SERVER_CPUS:-1}"
CLIENT_CPUS="${CLIENT_CPUS:-0}"
FLAGS=(--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED ${SERVER_FLAGS:-})
SERVERS=(greenloop netty)
[ -n "$FLOOR" ] && SERVERS+=(floor)
SERVER_PID=

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
}
trap stop_server EXIT

# Starts one server on $2 (each stops by itself after 10 minutes too) and waits until it accepts (wait_for_port).
start_server() {
  local lifetime=600
  case "$1" in
    greenloop) taskset -c "$SERVER_CPUS" "$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.HelloHttpServer "$2" epoll "$lifetime" ;;
    netty) taskset -c "$SERVER_CPUS" "$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.NettyHelloServer "$2" epoll "$lifetime" 1 ;;
    floor) taskset -c "$SERVER_CPUS" timeout "$lifetime" "$FLOOR" "$2" ;;
  esac >/dev/null 2>&1 &
  SERVER_PID=$!
  wait_for_port "$2" "$SERVER_PID"
}

for round in $(seq "$ROUNDS"); do
  order=("${SERVERS[@]}")
  if [ $((round % 2)) = 0 ]; then
    order=()
    for ((k = ${#SERVERS[@]} - 1; k >= 0; k--)); do order+=("${SERVERS[$k]}"); done
  fi
  for server in "${order[@]}"; do
    port=$((19000 + RANDOM % 1000))
    start_server "$server" "$port"
    taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$port/" >/dev/null
    out=$(taskset -c "$CLIENT_CPUS" wrk -t1 -c"$CONNECTIONS" -d"${MEASURED}s" -s bench/wrk-percentiles.lua "http://127.0.0.1:$port/")
    echo "round $round $server c$CONNECTIONS: $(awk '/^Requests\/sec:/ {print $2}' <<<"$out") req/s $(grep '^p50' <<<"$out")"
    stop_server
  done
done
