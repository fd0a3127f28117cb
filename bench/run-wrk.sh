#!/usr/bin/env bash
# Hello-world HTTP under wrk, the throughput check: greenloop's HelloHttpServer (StreamServer, a greenlet per
# connection, one loop thread), NettyHelloServer (Netty, one event loop thread) and the C floor (epoll_hello.c: one
# thread, edge-triggered epoll, the least a server can do per request here), one after the other, each under the
# same `wrk -t1 -c64 --latency` after a short warm-up; prints the request rates and p99s, and greenloop's ratios.
# Equal work: both servers frame requests with the same code (RequestFraming: count "\r\n\r\n", answer a
# fixed response); neither runs an HTTP codec. wrk's latency is closed-loop (a stalled server is sent fewer
# requests, so its stall is under-counted): for tail latency use bench/run-latency.sh, which is open-loop.
#
# usage: bench/run-wrk.sh [seconds]          (default 5; run from anywhere in the repository)
#        LOOPS=2 bench/run-wrk.sh           one loop per core: HelloGroupServer (a LoopGroup of 2 loops)
#                                           against Netty with 2 event-loop threads, under wrk -t2 (the C floor
#                                           has one thread, so it sits this one out)
# env:   TRANSPORT=epoll|nio   greenloop's transport (default: its best available here)
#        NETTY_TRANSPORT=epoll|nio  Netty's (default epoll)
#        PORT=18080            first port; the others use PORT+1 and PORT+2
#        SERVER_CPUS=1 CLIENT_CPUS=0  pin the servers and wrk apart with taskset (default: not pinned)
#        FLOOR_SOURCE=path/to/epoll_hello.c  the C floor (default ../shared/floor/epoll_hello.c; skipped when absent)
#        SKIP_BUILD=1          reuse the last build
# Every server it starts is stopped on exit, and each also stops by itself after a time limit.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_MEASURED="${1:-5}"
WARMUP_SECONDS=2
CONNECTIONS=64
PORT="${PORT:-18080}"
NETTY_TRANSPORT="${NETTY_TRANSPORT:-epoll}"
LOOPS="${LOOPS:-1}"   # loops (greenloop), event-loop threads (Netty) and wrk threads
# A server outlives a run by at most this long even if this script is killed with SIGKILL.
SERVER_LIFETIME=$((SECONDS_MEASURED + WARMUP_SECONDS + 60))
FLAGS=(--add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED)

# shellcheck source=bench/peers.sh
source bench/peers.sh
need_wrk
# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT INT TERM

declare -A RATE P99
NAMES=()
# run NAME PORT COMMAND...: starts the server (pinned to SERVER_CPUS), warms it up, measures (wrk pinned to
# CLIENT_CPUS), stops it.
run() {
  local name="$1" port="$2"
  shift 2
  pin_prefix "${SERVER_CPUS:-}"
  "${PIN[@]}" "$@" &
  local pid=$!
  PIDS+=("$pid")
  NAMES+=("$name")
  wait_for_port "$port" "$pid"
  pin_prefix "${CLIENT_CPUS:-}"
  "${PIN[@]}" wrk -t"$LOOPS" -c"$CONNECTIONS" -d"${WARMUP_SECONDS}s" "http://127.0.0.1:$port/" >/dev/null
  local out
  out="$("${PIN[@]}" wrk -t"$LOOPS" -c"$CONNECTIONS" -d"${SECONDS_MEASURED}s" --latency "http://127.0.0.1:$port/")"
  echo "== $name"
  echo "$out"
  RATE[$name]="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
  P99[$name]="$(awk '$1 == "99%" {print $2}' <<<"$out")"
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

GREENLOOP_NAME="greenloop"
if [ -f bench/target/classes/io/greenloop/bench/HelloHttpServer.class ]; then
  # greenloop's best transport here unless TRANSPORT names one.
  TRANSPORT="${TRANSPORT:-$("$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.RunBenchmarks --transports 2>/dev/null | awk '{print $1}')}"
  GREENLOOP_NAME="greenloop $TRANSPORT"
  if [ "$LOOPS" = 1 ]; then
    run "$GREENLOOP_NAME" "$PORT" "$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.HelloHttpServer "$PORT" "$TRANSPORT" "$SERVER_LIFETIME"
  else
    GREENLOOP_NAME="greenloop $TRANSPORT x$LOOPS"
    run "$GREENLOOP_NAME" "$PORT" "$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.HelloGroupServer "$PORT" "$LOOPS" "$TRANSPORT" "$SERVER_LIFETIME"
  fi
else
  echo "io.greenloop.bench.HelloHttpServer is not built (io.greenloop.net has not landed yet): greenloop skipped" >&2
fi
NETTY_NAME="netty $NETTY_TRANSPORT$([ "$LOOPS" = 1 ] || echo " x$LOOPS")"
run "$NETTY_NAME" $((PORT + 1)) "$JAVA" "${FLAGS[@]}" -cp "$CP" io.greenloop.bench.NettyHelloServer $((PORT + 1)) "$NETTY_TRANSPORT" "$SERVER_LIFETIME" "$LOOPS"
FLOOR_NAME="c-floor"
FLOOR="$(floor_binary)"
if [ "$LOOPS" != 1 ]; then
  echo "C floor skipped: it has one thread, and LOOPS=$LOOPS" >&2
elif [ -n "$FLOOR" ]; then
  run "$FLOOR_NAME" $((PORT + 2)) timeout "$SERVER_LIFETIME" "$FLOOR" $((PORT + 2))
fi

echo
echo "wrk -t$LOOPS -c$CONNECTIONS -d${SECONDS_MEASURED}s, $(nproc) CPUs${SERVER_CPUS:+, servers on CPUs $SERVER_CPUS}${CLIENT_CPUS:+, wrk on CPUs $CLIENT_CPUS}"
printf '%-28s %14s %10s\n' server requests/s p99
for name in "${NAMES[@]}"; do
  printf '%-28s %14s %10s\n' "$name" "${RATE[$name]:-n/a}" "${P99[$name]:-n/a}"
done

to_us() {  # wrk's latency (812.00us, 41.27ms, 1.02s) in microseconds
  awk -v t="$1" 'BEGIN { v = t + 0; if (t ~ /us$/) print v; else if (t ~ /ms$/) print v * 1000; else if (t ~ /s$/) print v * 1000000; else print v }'
}
# ratios PEER_NAME RATE_MIN P99_MAX: greenloop's request rate and p99 over PEER_NAME's, against the targets
# (RATE_MIN "-": none for the rate).
ratios() {
  local peer="$1" rate_min="$2" p99_max="$3"
  if [ -n "${RATE[$GREENLOOP_NAME]:-}" ] && [ -n "${RATE[$peer]:-}" ]; then
    awk -v name="$peer" -v gr="${RATE[$GREENLOOP_NAME]}" -v nr="${RATE[$peer]}" -v rmin="$rate_min" -v pmax="$p99_max" \
        -v gp="$(to_us "${P99[$GREENLOOP_NAME]}")" -v np="$(to_us "${P99[$peer]}")" 'BEGIN {
      rate = (rmin == "-") ? "" : sprintf(" (target >= %.2f: %s)", rmin, (gr >= rmin * nr ? "met" : "NOT met"))
      printf "greenloop / %s: requests/s %.2f%s, p99 %.2f (target <= %.2f: %s)\n",
        name, gr / nr, rate, gp / np, pmax, (gp <= pmax * np ? "met" : "NOT met")
    }'
  fi
}
ratios "$NETTY_NAME" 1.00 1.00
ratios "$FLOOR_NAME" - 2.00  # issue 25: p99 at most 2x the C floor's at 64 connections, at equal throughput
