#!/usr/bin/env bash
# HTTP/1.1 hello servers that each parse HTTP fully (issue 22): greenloop-http (once it is built), Netty's
# HttpServerCodec, Helidon SE 4.5, the JDK's HttpServer on virtual threads, and the C floor (epoll_hello.c), each in
# a process of its own pinned to the server CPUs, with the load generator (wrk and the open-loop client) on others.
# Rows: wrk -c64 and -c1000 req/s and server CPU per request; pipelined depth 16 (TechEmpower plaintext: -c256,
# bench/wrk-pipeline.lua); open-loop latency p50/p99/p99.9 at fractions of Netty codec's saturation; the wrk rows
# again with one loop per core; heap per idle keep-alive connection. Runs io.greenloop.bench.HttpBenchmark, which
# prints its duration estimate first and a markdown table at the end (also bench/target/http-summary.md).
#
# usage: bash bench/run-http.sh [quick|full] [--rounds=N] [--only=netty-codec,helidon,...] [--idle-connections=N]
#   quick: one round, 1 s wrk rows, one rate, 1,000 idle connections: about a minute; a smoke run, not for claims
#   full (default): 5 rounds of every row the issue names, 5,000 idle connections; run it on a quiet machine
# env:   SERVER_CPUS=1  CLIENT_CPUS=0  the one-loop servers' CPUs and the load generator's (taskset -c lists)
#        PER_CORE_CPUS  the per-core servers' CPUs, one loop each (default: every CPU but the client's when that
#                       leaves 2 or more, else every CPU, shared with the load generator)
#        FLOOR_SOURCE   epoll_hello.c (default ../shared/floor/epoll_hello.c); the floor is skipped when it is absent
#        SKIP_BUILD=1   reuse the last build
# Every server it starts is stopped when it exits, and each also stops by itself some minutes after the estimate.
set -euo pipefail
cd "$(dirname "$0")/.."

# 1,000 connections per server for wrk and the open-loop client, 5,000 idle ones for the heap rows.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
# shellcheck source=bench/peers.sh
source bench/peers.sh
need_wrk
# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP

CPUS=$(nproc)
if [ "$CPUS" -ge 2 ]; then
  CLIENT_CPUS="${CLIENT_CPUS-0}"
  SERVER_CPUS="${SERVER_CPUS-1}"
  if [ "$CPUS" -ge 3 ]; then
    PER_CORE_CPUS="${PER_CORE_CPUS-1-$((CPUS - 1))}"
  else
    PER_CORE_CPUS="${PER_CORE_CPUS-0-$((CPUS - 1))}"
    echo "# per-core rows: $CPUS CPUs here, so their servers share CPUs $PER_CORE_CPUS with the load generator"
  fi
else
  echo "# one CPU here: servers and load generator are not pinned apart"
  CLIENT_CPUS="${CLIENT_CPUS-}" SERVER_CPUS="${SERVER_CPUS-}" PER_CORE_CPUS="${PER_CORE_CPUS-}"
fi
FLOOR="$(floor_binary)"

pin_prefix "$CLIENT_CPUS"
exec "${PIN[@]}" "$JAVA" --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m \
  -cp "$CP" io.greenloop.bench.HttpBenchmark "$@" --server-cpus="$SERVER_CPUS" --client-cpus="$CLIENT_CPUS" \
  --per-core-cpus="$PER_CORE_CPUS" --floor="$FLOOR" --lua=bench/wrk-pipeline.lua --out=bench/target/http-summary.md
