#!/usr/bin/env bash
# GPT-2 small shape (random weights, Hugging Face layout): load time, peak RSS and batch-1 greedy decode rate
# (128-token prompt + 128 new tokens, KV cache) on cpu, onnx and PyTorch, one after another in one run.
# Needs the shaded jar: ./mvnw -B -ntp -q -pl examples -am package -DskipTests
# Usage: scripts/bench/gpt2_small.sh [DIR (default /tmp/gpt2-small-random)]
set -euo pipefail
DIR=${1:-/tmp/gpt2-small-random}
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=examples/target/transformer4j.jar
run() { "$JAVA" --add-modules jdk.incubator.vector -XX:+UseParallelGC "$@" -cp "$JAR" scripts/bench/Gpt2SmallBench.java 2>&1 | grep -v -e WARNING -e tensorflow/core; }
lscpu | grep -m1 'Model name'; grep -o -m1 avx512f /proc/cpuinfo || echo "no avx512f"
[ -f "$DIR/model.safetensors" ] || run -Xmx4g write "$DIR"
run -Xmx900m cpu "$DIR"
run -Xmx900m onnx "$DIR"
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  /usr/bin/python3 scripts/reference/gpt2_small_torch.py "$DIR" --threads "$(nproc)"
fi
