#!/usr/bin/env bash
# One LoRA training step (batch 4 x 256, rank 8 on q_proj/v_proj) at SmolLM2-135M shape, random weights:
# transformer4j's cpu backend and PyTorch, interleaved (java, python, java, python), ms/step and peak RSS each.
# Needs the reactor compiled: ./mvnw -B -ntp -q -pl backend-cpu -am test-compile (or package -DskipTests).
# Usage: scripts/bench/lora_step.sh [ROUNDS (default 2)] [STEPS per run (default 3)]
set -euo pipefail
ROUNDS=${1:-2}
STEPS=${2:-3}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
M2=${M2_REPO:-$HOME/.m2/repository}
JV=$(sed -n 's:.*<jackson.version>\(.*\)</jackson.version>.*:\1:p' pom.xml)
JACKSON="$M2/com/fasterxml/jackson/core"
CP=${CLASSES:-transformer-api/target/classes:backend-cpu/target/classes}
CP="$CP:$JACKSON/jackson-databind/$JV/jackson-databind-$JV.jar:$JACKSON/jackson-core/$JV/jackson-core-$JV.jar"
CP="$CP:$(ls "$JACKSON"/jackson-annotations/*/jackson-annotations-*.jar | sort -V | tail -1)"
lscpu | grep -m1 'Model name'; grep -o -m1 avx512f /proc/cpuinfo || echo "no avx512f"
uptime
for r in $(seq "$ROUNDS"); do
  echo "== round $r"
  "$JAVA" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx6g -cp "$CP" \
    scripts/bench/LoraStepBench.java cpu "$STEPS" 2>&1 | grep --line-buffered -v WARNING
  /usr/bin/python3 scripts/reference/lora_step_torch.py "$STEPS" --threads "$(nproc)"
done
