#!/usr/bin/env bash
# Open-loop latency: greenloop's StreamServer beside Netty (one event loop thread), each in a JVM of its own,
# doing the same work (RequestFraming for http, the echo servers for echo), driven at fixed rates by one
# load-generator thread that measures from each request's intended send time (io.greenloop.bench.LatencyBenchmark).
# The http rows on epoll also measure the C floor (FLOOR_SOURCE, default ../shared/floor/epoll_hello.c: one thread,
# edge-triggered epoll, the same response), with greenloop / floor ratios; it is skipped, with one line, when absent.
# Prints a markdown table (also written to bench/target/latency-summary.md).
#
# usage: bash bench/run-latency.sh [default|quick|claims|lowlatency] [--kinds=http,echo] [--transports=epoll,nio]
#            [--implementations=greenloop,greenloop-spin,greenloop-backoff,netty,netty-busywait]
#            [--connections=64,1000] [--fractions=25,50,75,90] [--rates=10000,20000] [--warmup=S] [--seconds=S]
#            [--rounds=N] [--server-flags="JVM FLAGS FOR THE SERVERS"]
#   default: http on epoll and nio, echo on epoll; 64 and 1,000 connections; 25/50/75/90% of saturation;
#            1 s warm-up + 2 s measured per row, 1 round: about 4 minutes on 2 cores, not for claims
#   quick:   http on the best transport; 64 and 1,000 connections; 50/90%: about 30 s, a smoke run, not for claims
#   claims:  http on epoll and nio; 64 and 1,000 connections; 25/50/75%; 1 s + 3 s per row, 5 rounds: about
#            9 minutes on 2 cores; median greenloop/Netty ratios with their ranges and a verdict on the p99/p99.9
#            target. Only claims (or any run with --rounds=5 or more) is for claims; run it on a quiet machine.
#   lowlatency: issue 25's matrix: echo and http on epoll; greenloop with each idle strategy (block, spin,
#            backoff) beside Netty's default and busy-wait select strategies; 1 and 64 connections; 1k, 5k, 25k req/s
#            and 50% of saturation; 1 s + 2 s per row, 5 rounds: about 25 minutes on 2 cores, servers on CPU 1 and
#            the load generator on CPU 0. A spinning server is frozen (SIGSTOP) while another is measured. Ratios of
#            every greenloop strategy to both Netty peers, and a verdict on the spin target. For a smoke run:
#            bash bench/run-latency.sh lowlatency --rounds=1 --warmup=0.2 --seconds=0.5
#   --rounds=N: measure every greenloop/Netty pair N times, alternating the two and reversing their order every
#            round; with N > 1 the ratio table gives each ratio's median over the rounds and its range.
#   --rates alone replaces the profile's fractions of saturation; with --fractions as well, both are measured.
# env:   SKIP_BUILD=1  reuse the last build
#        FLOOR_SOURCE=path/to/epoll_hello.c  the C floor's source (compiled into bench/target/epoll_hello)
#        SERVER_CPUS=1 CLIENT_CPUS=0  pin the servers and the load generator (this JVM) apart with taskset (taskset -c
#                      lists); lowlatency does so by default on 2 or more CPUs, the other profiles only when asked
# Every server it starts is stopped when it exits (their stdin closes), and each also stops by itself after 30 min.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=bench/java-classpath.sh
source bench/java-classpath.sh  # JAVA and CP
# shellcheck source=bench/peers.sh
source bench/peers.sh
FLOOR="$(floor_binary)"

# A spinning server holds its CPU: with the load generator on the same one it would measure the two fighting.
if [ "${1:-}" = lowlatency ] && [ "$(nproc)" -ge 2 ]; then
  SERVER_CPUS="${SERVER_CPUS-1}"
  CLIENT_CPUS="${CLIENT_CPUS-0}"
elif [ "${1:-}" = lowlatency ]; then
  echo "# one CPU here: a spinning server and the load generator share it, which measures them fighting over it" >&2
fi
pin_prefix "${CLIENT_CPUS:-}"

# The load generator's own heap is fixed too, so that resizing does not land inside a row.
exec "${PIN[@]}" "$JAVA" --add-opens java.base/java.lang=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -Xms512m -Xmx512m \
  -cp "$CP" io.greenloop.bench.LatencyBenchmark "$@" ${FLOOR:+--floor="$FLOOR"} --server-cpus="${SERVER_CPUS:-}" \
  --client-cpus="${CLIENT_CPUS:-}" --out=bench/target/latency-summary.md
