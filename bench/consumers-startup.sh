#!/usr/bin/env bash
# Startup time and memory of Tollgate with a large tollgate.consumers-file.
#   bench/consumers-startup.sh [N] [FORMAT] [--sha256]    N consumers (default 100000), FORMAT yml (default) or json
# Builds nothing: run `./mvnw -B -q -DskipTests package` first. Prints the JVM's own startup time ("Started ... in
# X seconds"), the wall time to that line, VmRSS/VmHWM after startup, and checks that the last consumer's key
# authenticates. The gateway runs with -Xmx256m, as in bench/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
FORMAT=${2:-yml}
WORK=$(mktemp -d /tmp/tollgate-consumers.XXXX)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
python3 bench/gen-consumers.py "$N" "$WORK/consumers.$FORMAT" ${3:-}
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
MPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$WORK/application.yml" <<YAML
server:
  port: $PORT
management:
  server:
    port: $MPORT
logging:
  level:
    tollgate.access: OFF
tollgate:
  consumers-file: $WORK/consumers.$FORMAT
spring:
  cloud:
    gateway:
      server:
        webflux:
          routes:
            - id: keyauth
              uri: http://127.0.0.1:9
              predicates: [ Path=/keyauth/** ]
              filters: [ KeyAuth ]
YAML
JAR=$(ls target/tollgate-*.jar | grep -v original | head -1)
START=$(date +%s.%N)
TOLLGATE_CONFIG_DIR=$WORK java -Xmx256m -jar "$JAR" >"$WORK/out.log" 2>&1 &
PID=$!
until grep -q "Started \|APPLICATION FAILED" "$WORK/out.log"; do
  kill -0 "$PID" 2>/dev/null || { cat "$WORK/out.log"; exit 1; }
  sleep 0.1
done
WALL=$(echo "$(date +%s.%N) - $START" | bc)
grep -q "APPLICATION FAILED" "$WORK/out.log" && { cat "$WORK/out.log"; exit 1; }
sleep 1
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "apikey: bench-key-$((N - 1))" "http://127.0.0.1:$PORT/keyauth/x")
REFUSED=$(curl -s -o /dev/null -w '%{http_code}' -H "apikey: bench-key-$N" "http://127.0.0.1:$PORT/keyauth/x")
echo "consumers=$N format=$FORMAT $(grep -o 'Started [A-Za-z]* in [0-9.]* seconds' "$WORK/out.log") wall_to_started=${WALL}s"
echo "$(grep -h 'VmRSS\|VmHWM' /proc/$PID/status | tr -s ' \t' ' ' | tr '\n' ' ')"
echo "last consumer's key -> $STATUS (upstream is a closed port: 502/503 means authenticated, 401 refused), unknown key -> $REFUSED"
grep -o "Tollgate ready: [^,]*, [^,]*\|[0-9]* consumers from .* in [0-9]* ms" "$WORK/out.log" || true
