#!/usr/bin/env bash
# `plain` and `full` under each JDK x collector, one bench/run.sh run each, in one table:
#   bench/runtimes.sh                      (2 JDKs x 3 collectors; about 6 x 5 minutes with run.sh's defaults)
#   RUNS=1 DURATION=5 WARMUP=20 bench/runtimes.sh      a quick look
# JDKS and GCS override the lists (JDKS: "name=/path/to/java ..."; GCS: "Serial Parallel G1").
# Results: bench/results/runtimes.md; each run's raw.txt and latest.md under bench/results/runtimes/<jdk>-<gc>/.
set -euo pipefail
cd "$(dirname "$0")/.."
JDKS=${JDKS:-"java17=/usr/lib/jvm/java-17-openjdk-amd64/bin/java java25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java"}
GCS=${GCS:-"Serial Parallel G1"}
OUT=bench/results/runtimes
dirs=()
build=""
for jdk in $JDKS; do
  name=${jdk%%=*} java=${jdk#*=}
  if [ ! -x "$java" ]; then echo "skipping $name: no $java" >&2; continue; fi
  for gc in $GCS; do
    dir="$OUT/$name-$gc"
    echo "=== $name $gc" >&2
    # The first run builds; the others reuse its jars. SOAK=0: the soak belongs to bench/run.sh's full run.
    SKIP_BUILD=$build JAVA="$java" JAVA_OPTS="-XX:+Use${gc}GC ${JAVA_OPTS:-}" CONFIGS="plain full" SOAK=0 OUT_DIR="$dir" \
      bench/run.sh >/dev/null || echo "$name $gc: run.sh failed" >&2
    build=1
    dirs+=("$dir")
  done
done
python3 bench/parse.py runtimes bench/results/runtimes.md "${dirs[@]}"
