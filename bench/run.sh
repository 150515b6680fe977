#!/usr/bin/env bash
# Tollgate's benchmark: every configuration of the performance issue, one after another, on loopback.
#   bench/run.sh                          full run (60 s warm-up on both cores and 20 s pinned, 5 runs of 10 s for
#                                         throughput and 3 at a fixed rate, a 5-minute soak; about 55 minutes)
#   RUNS=1 DURATION=5 WARMUP=20 SOAK=0 CONFIGS="plain full" bench/run.sh   a quick look
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java JAVA_OPTS="-XX:+UseParallelGC" bench/run.sh   another JDK or
#                                         collector (JAVA_OPTS comes after the fixed flags, so it may override them)
#   OUT_DIR (default bench/results), SKIP_BUILD=1 (use the jars already built): for bench/runtimes.sh
# The gateway is measured pinned to one core (taskset, -XX:ActiveProcessorCount=1, -Xmx256m); wrk/hey, the nginx
# upstream and Redis share the other core. Each JVM warms up first on both cores: JIT compilation on one shared core
# takes more than two minutes to settle, and throughput measured before then says more about the compiler than about
# the gateway. Pinning changes the profile the JIT sees (one load-generator thread, one core), so a short pinned
# warm-up (PIN_WARMUP) lets the recompilations that follow finish before the first measured run. Startup is timed
# from launching the JVM (still on both cores) until the URL answers. Results: bench/results/latest.md (and stdout),
# with the commit measured and the JVM's version and flags.
set -euo pipefail
export TOLLGATE_CONFIG_DIR=bench/config
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
LATENCY_RUNS=${LATENCY_RUNS:-3}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-60}
PIN_WARMUP=${PIN_WARMUP:-20}
SOAK=${SOAK:-300}
CONNECTIONS=${CONNECTIONS:-32}
GATEWAY_CPU=${GATEWAY_CPU:-1}
LOADGEN_CPU=${LOADGEN_CPU:-0}
CONFIGS=${CONFIGS-"direct nginx netty-proxy vanilla-scg plain keyauth keys-100k runtime-100k full full-batched cached cached-redis validated routes-1k routes-10k"}
JAVA=${JAVA:-java}
JAVA_OPTS=${JAVA_OPTS:-}
OUT_DIR=${OUT_DIR:-bench/results}
WORK=$(mktemp -d /tmp/tollgate-bench.XXXX)
KEY="bench-secret-key-0001"
ADMIN="bench-admin:bench-admin-password"   # bench/config/application.yml: reads /actuator/prometheus
JAVA_FLAGS="-XX:ActiveProcessorCount=1 -Xms256m -Xmx256m"
JAVA_BIN=$(command -v "$JAVA")
JCMD="$(dirname "$(readlink -f "$JAVA_BIN")")/jcmd"; [ -x "$JCMD" ] || JCMD=jcmd
# The commit measured: taken now, before this run rewrites bench/results; "-dirty" when other files differ from it.
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- . ':!bench/results' 2>/dev/null || COMMIT="$COMMIT-dirty"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need wrk || ! need hey || ! need nginx || ! need redis-server || ! need taskset; then
  echo "installing wrk, hey, nginx, redis-server from Debian packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk hey nginx redis-server util-linux >/dev/null
fi

if [ -z "${SKIP_BUILD:-}" ]; then
  echo "building Tollgate and its peers (vanilla Spring Cloud Gateway, bare Reactor Netty proxy)" >&2
  ./mvnw -q -B -DskipTests package
  ./mvnw -q -B -DskipTests -f bench/vanilla-scg/pom.xml package
  ./mvnw -q -B -DskipTests -f bench/netty-proxy/pom.xml package
fi
JAR=$(ls target/tollgate-*.jar | grep -v original | head -1)
VANILLA=$(ls bench/vanilla-scg/target/vanilla-scg-*.jar | grep -v original | head -1)
NETTY=$(ls bench/netty-proxy/target/netty-proxy-*.jar | grep -v original | head -1)

# Large configurations are generated, not committed (bench/config/generated/ is ignored by git).
mkdir -p bench/config/generated
for config in $CONFIGS; do
  case $config in
    routes-1k) python3 bench/gen-routes.py 1000 bench/config/generated/routes-1k.yml ;;
    routes-10k) python3 bench/gen-routes.py 10000 bench/config/generated/routes-10k.yml ;;
    keys-100k) python3 bench/gen-consumers.py 100000 bench/config/generated/consumers-100k.json ;;
  esac
done

cleanup() {
  [ -n "${GW_PID:-}" ] && kill "$GW_PID" 2>/dev/null || true
  nginx -c "$PWD/bench/nginx-upstream.conf" -s stop 2>/dev/null || true
  nginx -c "$PWD/bench/nginx-proxy.conf" -s stop 2>/dev/null || true
  redis-cli -p 16379 shutdown nosave >/dev/null 2>&1 || true
}
trap cleanup EXIT

taskset -c "$LOADGEN_CPU" nginx -c "$PWD/bench/nginx-upstream.conf"
taskset -c "$LOADGEN_CPU" redis-server --port 16379 --bind 127.0.0.1 --save "" --appendonly no --daemonize yes >/dev/null
# 100,000 consumers as the Admin API stores them, for runtime-100k. Every configuration that uses this Redis (full,
# full-batched, cached-redis) then starts with them loaded too, as a replica of a gateway with that many would.
case " $CONFIGS " in
  *" runtime-100k "*)
    for _ in $(seq 1 50); do redis-cli -p 16379 ping >/dev/null 2>&1 && break; sleep 0.1; done
    python3 bench/gen-runtime-consumers.py 100000 | redis-cli -p 16379 --pipe >/dev/null ;;
esac

now_ms() { date +%s%3N; }

wait_for() { # url: up to STARTUP_TIMEOUT s (default 300: 10,000 routes start slowly); any answer (401 too) counts
  for _ in $(seq 1 $(( ${STARTUP_TIMEOUT:-300} * 10 ))); do
    curl -s -o /dev/null --max-time 2 "$1" && return 0
    if [ -n "${GW_PID:-}" ] && ! kill -0 "$GW_PID" 2>/dev/null; then break; fi   # the JVM has exited
    sleep 0.1
  done
  echo "no answer from $1" >&2; return 1
}

start_java() { # name jar args...: starts on every core (startup and JIT warm-up); pin_java pins it
  local name=$1 jar=$2; shift 2
  GC_LOG="$WORK/$name-gc.log"
  START_MS=$(now_ms)
  # shellcheck disable=SC2086 # JAVA_FLAGS and JAVA_OPTS are lists of flags
  "$JAVA" $JAVA_FLAGS -Xlog:gc:file="$GC_LOG" $JAVA_OPTS -jar "$jar" "$@" >"$WORK/$name.log" 2>&1 &
  GW_PID=$!
}

startup() { # seconds since start_java, once its URL answered
  awk -v a="$START_MS" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'
}

fallbacks() { # the rate limiter's fallback count so far (tollgate_ratelimit_fallbacks_total, all labels; "-" if
  # unreadable); read after the warm-up too, to tell the fallbacks of a cold JVM from those under measurement
  if curl -s -f --max-time 10 -u "$ADMIN" http://127.0.0.1:18201/actuator/prometheus > "$WORK/prometheus.txt"; then
    python3 bench/parse.py prom-sum "$WORK/prometheus.txt" tollgate_ratelimit_fallbacks_total
  else
    echo "-"
  fi
}

pin_java() { if [ -n "${GW_PID:-}" ]; then taskset -a -p -c "$GATEWAY_CPU" "$GW_PID" >/dev/null; fi; }

stop_java() {
  if [ -n "${GW_PID:-}" ]; then kill "$GW_PID" 2>/dev/null || true; wait "$GW_PID" 2>/dev/null || true; fi
  GW_PID=
}

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
  "$JCMD" "$GW_PID" GC.run >/dev/null 2>&1 || true
  sleep 1
  heap=$(grep 'Pause Full' "$GC_LOG" 2>/dev/null | tail -1 | sed -E 's/.*->([0-9]+)M.*/\1/')
  echo "${rss:--} ${heap:--}"
}

RESULTS="$WORK/results.txt"
: > "$RESULTS"
{
  echo "meta java $("$JAVA" -version 2>&1 | head -1)"
  echo "meta java-home $(dirname "$(dirname "$(readlink -f "$JAVA_BIN")")")"
  echo "meta flags $JAVA_FLAGS${JAVA_OPTS:+ $JAVA_OPTS}"
  # shellcheck disable=SC2086
  echo "meta gc $("$JAVA" $JAVA_FLAGS $JAVA_OPTS -XX:+PrintFlagsFinal -version 2>/dev/null \
    | awk '$2 ~ /^Use(Serial|Parallel|G1|Z|Shenandoah|Epsilon)GC$/ && $4 == "true" { sub(/^Use/, "", $2); print $2; exit }')"
} >> "$RESULTS"
PLAIN_MAX=${PLAIN_RPS:-}   # set PLAIN_RPS to run the soak (or latencies) without measuring plain
for config in $CONFIGS; do
  url="http://127.0.0.1:18200/bench/item"; header="apikey: $KEY"; extra=(-H "$header"); post=()
  case $config in
    direct) url="http://127.0.0.1:18080/bench/item"; extra=(); header="" ;;
    nginx) taskset -c "$GATEWAY_CPU" nginx -c "$PWD/bench/nginx-proxy.conf"; url="http://127.0.0.1:18090/bench/item"; extra=(); header="" ;;
    netty-proxy) start_java netty-proxy "$NETTY"; url="http://127.0.0.1:18300/bench/item"; extra=(); header="" ;;
    vanilla-scg) start_java vanilla-scg "$VANILLA"; url="http://127.0.0.1:18100/bench/item"; extra=(); header="" ;;
    plain|routes-1k|routes-10k) start_java "$config" "$JAR" --spring.profiles.active=bench-"$config"; extra=(); header="" ;;
    validated) start_java "$config" "$JAR" --spring.profiles.active=bench-"$config"; extra=(-s bench/post.lua) ;;
    *) start_java "$config" "$JAR" --spring.profiles.active=bench-"$config" ;;
  esac

  if ! wait_for "$url"; then
    echo "$config failed to start; see $WORK/$config.log" >&2
    echo "$config failed" >> "$RESULTS"
    case $config in nginx) nginx -c "$PWD/bench/nginx-proxy.conf" -s stop 2>/dev/null || true ;; *) stop_java ;; esac
    continue
  fi
  case $config in direct|nginx) ;; *) echo "$config startup $(startup)" >> "$RESULTS" ;; esac
  echo "== $config: warming up" >&2
  # Warm-up load from both cores, so that the JIT's compiler threads finish; then every thread of the JVM is pinned.
  wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" "${extra[@]}" "$url" >/dev/null 2>&1 || true
  pin_java
  if [ "$PIN_WARMUP" -gt 0 ]; then wrk_once "$url" "$PIN_WARMUP" "${extra[@]}" >/dev/null; fi
  WARM_FALLBACKS=-
  case $config in direct|nginx|netty-proxy|vanilla-scg) ;; *) WARM_FALLBACKS=$(fallbacks) ;; esac
  for run in $(seq 1 "$RUNS"); do
    echo "$config throughput $(wrk_once "$url" "$DURATION" "${extra[@]}")" >> "$RESULTS"
  done
  if [ "$config" = plain ]; then
    PLAIN_MAX=$(python3 bench/parse.py median-rps "$RESULTS" plain)
  fi
  if [ -n "$PLAIN_MAX" ] && [ "$config" != validated ]; then
    rate=$(( ${PLAIN_MAX%.*} / 2 ))
    for run in $(seq 1 "$LATENCY_RUNS"); do
      echo "$config latency $rate $(hey_rate "$url" "$rate" "$header")" >> "$RESULTS"
    done
  fi
  case $config in
    direct) ;;
    nginx) nginx -c "$PWD/bench/nginx-proxy.conf" -s stop ;;
    netty-proxy|vanilla-scg) echo "$config memory $(memory)" >> "$RESULTS"; stop_java ;;
    *) echo "$config memory $(memory)" >> "$RESULTS"; echo "$config fallbacks $(fallbacks) $WARM_FALLBACKS" >> "$RESULTS"; stop_java ;;
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
    if [ "$PIN_WARMUP" -gt 0 ]; then wrk_once "$url" "$PIN_WARMUP" -H "apikey: $KEY" >/dev/null; fi
    WARM_FALLBACKS=$(fallbacks)
    rate=$(( ${PLAIN_MAX%.*} / 2 ))
    taskset -c "$LOADGEN_CPU" hey -z "${SOAK}s" -c 8 -q $(( (rate + 7) / 8 )) -H "apikey: $KEY" "$url" > "$WORK/soak.out" 2>&1 &
    LOAD_PID=$!
    for t in $(seq 0 30 "$SOAK"); do
      if [ "$t" -gt 0 ]; then sleep 30; fi
      echo "soak sample $t $(memory)" >> "$RESULTS"
    done
    wait "$LOAD_PID" || true
    echo "soak latency $rate $(python3 bench/parse.py hey "$WORK/soak.out")" >> "$RESULTS"
    echo "soak fallbacks $(fallbacks) $WARM_FALLBACKS" >> "$RESULTS"
  fi
  stop_java
fi

mkdir -p "$OUT_DIR"
python3 bench/parse.py report "$RESULTS" "$COMMIT" "$RUNS" "$DURATION" "$CONNECTIONS" "$LATENCY_RUNS" "$WARMUP" "$PIN_WARMUP" | tee "$OUT_DIR/latest.md"
cp "$RESULTS" "$OUT_DIR/raw.txt"
echo "logs: $WORK" >&2
