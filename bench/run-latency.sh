#!/usr/bin/env bash
# Open-loop latency: greenloop's StreamServer beside Netty (one event loop thread), each in a JVM of its own,
# doing the same work (RequestFraming for http, the echo servers for echo), driven at fixed rates by one
# load-generator thread that measures from each request's intended send time (io.greenloop.bench.LatencyBenchmark).
# The http rows on epoll also measure the C floor (FLOOR_SOURCE, default ../shared/floor/epoll_hello.c: one thread,
# edge-triggered epoll, the same response), with greenloop / floor ratios; it is skipped, with one line, when absent.
# Prints a markdown table (also written to bench/target/latency-summary.md).
#
# usage: bash bench/run-latency.sh [default|quick|claims] [--kinds=http,echo] [--transports=epoll,nio]
#            [--connections=64,1000] [--fractions=25,50,75,90 | --rates=10000,20000] [--warmup=S] [--seconds=S]
#            [--rounds=N] [--server-flags="JVM FLAGS FOR THE SERVERS"]
#   default: http on epoll and nio, echo on epoll; 64 and 1,000 connections; 25/50/75/90% of saturation;
#            1 s warm-up + 2 s measured per row, 1 round: about 4 minutes on 2 cores, not for claims
#   quick:   http on the best transport; 64 and 1,000 connections; 50/90%: about 30 s, a smoke run, not for claims
#   claims:  http on epoll and nio; 64 and 1,000 connections; 25/50/75%; 1 s + 3 s per row, 5 rounds: about
#            9 minutes on 2 cores; median greenloop/Netty ratios with their ranges and a verdict on the p99/p99.9
#            target. Only claims (or any run with --rounds=5 or more) is for claims; run it on a quiet machine.
#   --rounds=N: measure every greenloop/Netty pair N times, alternating the two and reversing their order every
#            round; with N > 1 the ratio table gives each ratio's median over the rounds and its range.
# env:   SKIP_BUILD=1  reuse the last build
#        FLOOR_SOURCE=path/to/epoll_hello.c  the C floor's source (compiled into bench/target/epoll_hello)
# Every server it starts is stopped when it exits (their stdin closes), and each also stops by itself after 30 min.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP
# shellcheck source=bench/peers.sh
source bench/peers.sh
FLOOR="$(floor_binary)"

# The load generator's own heap is fixed too, so that resizing does not land inside a row.
exec "$JAVA" --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m \
  -cp "$CP" io.greenloop.bench.LatencyBenchmark "$@" ${FLOOR:+--floor="$FLOOR"} --out=bench/target/latency-summary.md
