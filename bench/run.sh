#!/usr/bin/env bash
# Tollgate's benchmark: every configuration of the performance issue, one after another, on loopback.
#   bench/run.sh                          full run (60 s warm-up, 3 runs of 10 s per measurement, a 5-minute soak;
#                                         about 25 minutes)
#   RUNS=1 DURATION=5 WARMUP=20 SOAK=0 CONFIGS="plain full" bench/run.sh   a quick look
# The gateway is measured pinned to one core (taskset, -XX:ActiveProcessorCount=1, -Xmx256m); wrk/hey, the nginx
# upstream and Redis share the other core. Each JVM warms up first on both cores: JIT compilation on one shared core
# takes more than two minutes to settle, and throughput measured before then says more about the compiler than about
# the gateway. Results: bench/results/latest.md (and stdout).
set -euo pipefail
export TOLLGATE_CONFIG_DIR=bench/config
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-60}
SOAK=${SOAK:-300}
CONNECTIONS=${CONNECTIONS:-32}
GATEWAY_CPU=${GATEWAY_CPU:-1}
LOADGEN_CPU=${LOADGEN_CPU:-0}
CONFIGS=${CONFIGS-"direct nginx vanilla-scg plain keyauth full cached cached-redis validated"}
WORK=$(mktemp -d /tmp/tollgate-bench.XXXX)
KEY="bench-secret-key-0001"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need hey || ! need nginx || ! need redis-server || ! need taskset; then
  echo "installing wrk, hey, nginx, redis-server from Debian packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hey nginx redis-server util-linux >/dev/null
fi

echo "building Tollgate and the vanilla Spring Cloud Gateway peer" >&2
./mvnw -q -B -DskipTests package
./mvnw -q -B -DskipTests -f bench/vanilla-scg/pom.xml package
JAR=$(ls target/tollgate-*.jar | grep -v original | head -1)
VANILLA=$(ls bench/vanilla-scg/target/vanilla-scg-*.jar | grep -v original | head -1)

cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  nginx -c "$PWD/bench/nginx-upstream.conf" -s stop 2>/dev/null || true
  nginx -c "$PWD/bench/nginx-proxy.conf" -s stop 2>/dev/null || true
  redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT

taskset -c "$LOADGEN_CPU" nginx -c "$PWD/bench/nginx-upstream.conf"
taskset -c "$LOADGEN_CPU" redis-server --port 16379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null

wait_for() { for _ in $(seq 1 120); do curl -s -o /dev/null "$1" && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }

start_java() { # name jar args...: starts on every core (startup and JIT warm-up); pin_java pins it
  local name=$1 jar=$2; shift 2
  GC_LOG="$WORK/$name-gc.log"
  java -XX:ActiveProcessorCount=1 -Xms256m -Xmx256m -Xlog:gc:file="$GC_LOG" -jar "$jar" "$@" >"$WORK/$name.log" 2>&1 &
  GW_PID=$!
}

pin_java() { if [ -n "${GW_PID:-}" ]; then taskset -a -p -c "$GATEWAY_CPU" "$GW_PID" >/dev/null; fi; }

stop_java() { kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; GW_PID=; }

# wrk once: prints "rps p50_ms p99_ms errors"
wrk_once() { # url seconds extra...
  local url=$1 secs=$2; shift 2
  taskset -c "$LOADGEN_CPU" wrk -t1 -c"$CONNECTIONS" -d"${secs}s" --latency "$@" "$url" > "$WORK/wrk.out" 2>&1 || true
  python3 bench/parse.py wrk "$WORK/wrk.out"
}

# hey at a fixed rate: prints "p50_ms p99_ms errors"
hey_rate() { # url rate extra-header
  local url=$1 rate=$2 header=${3:-}
  local workers=8 per=$(( ($2 + 7) / 8 ))
  if [ -n "$header" ]; then
    taskset -c "$LOADGEN_CPU" hey -z "${DURATION}s" -c $workers -q $per -H "$header" "$url" > "$WORK/hey.out" 2>&1 || true
  else
    taskset -c "$LOADGEN_CPU" hey -z "${DURATION}s" -c $workers -q $per "$url" > "$WORK/hey.out" 2>&1 || true
  fi
  python3 bench/parse.py hey "$WORK/hey.out"
}

memory() { # "rss_mb heap_after_gc_mb": the heap a forced full GC leaves, from the GC log (not sampled afterwards,
  # when the running load has already allocated again)
  local rss heap
  rss=$(awk '/VmRSS/ {printf "%.0f", $2/1024}' /proc/"$GW_PID"/status 2>/dev/null || echo "")
  jcmd "$GW_PID" GC.run >/dev/null 2>&1 || true
  sleep 1
  heap=$(grep 'Pause Full' "$GC_LOG" 2>/dev/null | tail -1 | sed -E 's/.*->([0-9]+)M.*/\1/')
  echo "${rss:--} ${heap:--}"
}

RESULTS="$WORK/results.txt"
: > "$RESULTS"
PLAIN_MAX=${PLAIN_RPS:-}   # set PLAIN_RPS to run the soak (or latencies) without measuring plain
for config in $CONFIGS; do
  url="http://127.0.0.1:18200/bench/item"; header="apikey: $KEY"; extra=(-H "$header"); post=()
  case $config in
    direct) url="http://127.0.0.1:18080/bench/item"; extra=(); header="" ;;
    nginx) taskset -c "$GATEWAY_CPU" nginx -c "$PWD/bench/nginx-proxy.conf"; url="http://127.0.0.1:18090/bench/item"; extra=(); header="" ;;
    vanilla-scg) start_java vanilla "$VANILLA"; url="http://127.0.0.1:18100/bench/item"; extra=(); header="" ;;
    plain) start_java plain "$JAR" --spring.profiles.active=bench-plain; extra=(); header="" ;;
    validated) start_java "$config" "$JAR" --spring.profiles.active=bench-"$config"; extra=(-s bench/post.lua) ;;
    *) start_java "$config" "$JAR" --spring.profiles.active=bench-"$config" ;;
  esac

  wait_for "$url" || { echo "$config failed to start; see $WORK" >&2; stop_java; continue; }
  echo "== $config: warming up" >&2
  # Warm-up load from both cores, so that the JIT's compiler threads finish; then every thread of the JVM is pinned.
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "${extra[@]}" "$url" >/dev/null 2>&1 || true
  pin_java
  for run in $(seq 1 "$RUNS"); do
    echo "$config throughput $(wrk_once "$url" "$DURATION" "${extra[@]}")" >> "$RESULTS"
  done
  if [ "$config" = plain ]; then
    PLAIN_MAX=$(python3 bench/parse.py median-rps "$RESULTS" plain)
  fi
  if [ -n "$PLAIN_MAX" ] && [ "$config" != validated ]; then
    rate=$(( ${PLAIN_MAX%.*} / 2 ))
    for run in $(seq 1 "$RUNS"); do
      echo "$config latency $rate $(hey_rate "$url" "$rate" "$header")" >> "$RESULTS"
    done
  fi
  case $config in
    direct) ;;
    nginx) nginx -c "$PWD/bench/nginx-proxy.conf" -s stop ;;
    *) echo "$config memory $(memory)" >> "$RESULTS"; stop_java ;;
  esac
done

# Soak: `full` at half the plain maximum for SOAK seconds; heap after a forced GC and RSS every 30 s (no leak: flat).
if [ "$SOAK" -gt 0 ] && [ -n "$PLAIN_MAX" ]; then
  echo "== soak: full for ${SOAK}s" >&2
  start_java soak "$JAR" --spring.profiles.active=bench-full
  url="http://127.0.0.1:18200/bench/item"
  if wait_for "$url"; then
    wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -H "apikey: $KEY" "$url" >/dev/null 2>&1 || true
    pin_java
    rate=$(( ${PLAIN_MAX%.*} / 2 ))
    taskset -c "$LOADGEN_CPU" hey -z "${SOAK}s" -c 8 -q $(( (rate + 7) / 8 )) -H "apikey: $KEY" "$url" > "$WORK/soak.out" 2>&1 &
    LOAD_PID=$!
    for t in $(seq 0 30 "$SOAK"); do
      if [ "$t" -gt 0 ]; then sleep 30; fi
      echo "soak sample $t $(memory)" >> "$RESULTS"
    done
    wait "$LOAD_PID" || true
    echo "soak latency $rate $(python3 bench/parse.py hey "$WORK/soak.out")" >> "$RESULTS"
  fi
  stop_java
fi

COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
python3 bench/parse.py report "$RESULTS" "$COMMIT" "$RUNS" "$DURATION" "$CONNECTIONS" | tee bench/results/latest.md
cp "$RESULTS" bench/results/raw.txt
echo "logs: $WORK" >&2
