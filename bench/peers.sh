# Sourced by the bench scripts (run-wrk.sh, run-tail.sh, run-latency.sh, run-http.sh) from the repository root: the pieces every
# runner shares besides the JDK and class path (java-classpath.sh).
#   need_wrk                  installs wrk when missing (as root), or says how and fails
#   floor_binary              compiles the C floor, epoll_hello.c (FLOOR_SOURCE; default ../shared/floor/epoll_hello.c,
#                             outside the repository, never copied into it), into bench/target/epoll_hello and prints
#                             that path; when the source or gcc is absent it prints nothing and says so in one line
#   pin_prefix CPUS           sets the array PIN to `taskset -c CPUS` (empty when CPUS is empty: not pinned)
#   wait_for_port PORT PID    waits up to 15 s for a server (process PID) to accept on 127.0.0.1:PORT; fails, saying
#                             which, when the process exits first or nothing listens in time
FLOOR_SOURCE="${FLOOR_SOURCE:-../shared/floor/epoll_hello.c}"

need_wrk() {
  command -v wrk >/dev/null && return 0
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  else
    echo "wrk is missing: sudo apt-get install -y wrk" >&2
    return 1
  fi
}

floor_binary() {
  if [ ! -f "$FLOOR_SOURCE" ]; then
    echo "C floor skipped: no $FLOOR_SOURCE here (FLOOR_SOURCE=path/to/epoll_hello.c to give it)" >&2
    return 0
  fi
  if ! command -v gcc >/dev/null; then
    echo "C floor skipped: gcc is missing (apt-get install -y gcc)" >&2
    return 0
  fi
  mkdir -p bench/target
  if [ ! bench/target/epoll_hello -nt "$FLOOR_SOURCE" ]; then
    gcc -O2 -o bench/target/epoll_hello "$FLOOR_SOURCE"
  fi
  echo bench/target/epoll_hello
}

pin_prefix() {
  PIN=()
  if [ -n "${1:-}" ]; then
    PIN=(taskset -c "$1")
  fi
}

wait_for_port() {  # port pid
  for _ in $(seq 1 150); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "the server exited before it listened on port $1" >&2
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  echo "nothing listened on port $1 within 15 s" >&2
  return 1
}
