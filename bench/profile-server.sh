#!/usr/bin/env bash
# One hello server (io.greenloop.bench.LatencyServer, greenloop or Netty) under `wrk -t1 -cN` (closed loop), with
# `perf` attached to the server for 5 s in the middle of a 9 s run: what a request costs the server (CPU time,
# system calls, context switches) or where its cycles go. Needs wrk and perf; Linux only.
#
# usage: bash bench/profile-server.sh greenloop|netty epoll|nio CONNECTIONS [stat|record]
#   stat:   perf stat -e task-clock,context-switches,raw_syscalls:sys_enter; divide by wrk's requests in those 5 s
#   record: perf record -F 1999 into bench/target/perf-IMPL-TRANSPORT.data; JIT frames are named through the
#           server's /tmp/perf-PID.map (-XX:+DumpPerfMapAtExit). Read it with
#           perf report -i bench/target/perf-IMPL-TRANSPORT.data --no-children --sort dso,symbol -g none
#           Do not add -XX:+PreserveFramePointer: it turns off the JDK's fast thaw path for virtual threads.
# env:   SKIP_BUILD=1 reuse the last build; SERVER_FLAGS="..." more JVM flags for the server
set -euo pipefail
cd "$(dirname "$0")/.."
IMPL="${1:?greenloop or netty}"; TRANSPORT="${2:?epoll or nio}"; CONNECTIONS="${3:?connections}"; MODE="${4:-stat}"

for tool in wrk perf; do
  command -v "$tool" >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP

OUT=$(mktemp)
# The server stops when its standard input ends (this script's sleep) or after 60 s.
# shellcheck disable=SC2086
(sleep 40 | "$JAVA" --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m \
    -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit ${SERVER_FLAGS:-} \
    -cp "$CP" io.greenloop.bench.LatencyServer http "$IMPL" "$TRANSPORT" 60 > "$OUT") &
for _ in $(seq 1 150); do grep -q PORT "$OUT" && break; sleep 0.1; done
PORT=$(awk '/PORT/ {print $2}' "$OUT")
PID=$(pgrep -f "LatencyServer http $IMPL $TRANSPORT" | head -1)
trap 'kill "$PID" 2>/dev/null || true; rm -f "$OUT"' EXIT

wrk -t1 -c"$CONNECTIONS" -d4s "http://127.0.0.1:$PORT/" > /dev/null   # warm-up, on connections of its own
wrk -t1 -c"$CONNECTIONS" -d9s "http://127.0.0.1:$PORT/" | grep -E "Requests/sec|Latency" &
sleep 2
if [ "$MODE" = stat ]; then
  perf stat -e task-clock,context-switches,raw_syscalls:sys_enter -p "$PID" -- sleep 5
else
  perf record -F 1999 -p "$PID" -o "bench/target/perf-$IMPL-$TRANSPORT.data" -- sleep 5 2>/dev/null
fi
wait %2 2>/dev/null || true
