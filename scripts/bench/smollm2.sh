#!/usr/bin/env bash
# SmolLM2-135M shape (random float32 weights, Hugging Face layout): load time, peak RSS and greedy decode tokens/s
# with the key/value cache, batch 1 and 8, on transformer4j's cpu backend, on its onnx backend (the directory
# exported once to DIR-onnx by `transformer4j export`: Optimum-style graphs with the grouped-query cache), PyTorch
# (HF's formulas, scripts/reference/llama_bench_torch.py) and Jlama 0.8.4 (batch 1: it decodes one sequence per
# cache), interleaved over ROUNDS rounds in one run. Every implementation gets the same prompts and prints its first
# greedy ids. Needs: the application directory (./mvnw -B -ntp -q package -DskipTests), Jlama's jars (bench-only, not part of the
# build): ./mvnw -B -ntp -q -f scripts/bench/jlama/pom.xml dependency:copy-dependencies -DoutputDirectory=target/lib
# and Debian's python3-torch. Usage: scripts/bench/smollm2.sh [DIR (default /tmp/smollm2-random)] [THREADS] [ROUNDS]
set -euo pipefail
DIR=${1:-/tmp/smollm2-random}
THREADS=${2:-$(nproc)}
ROUNDS=${3:-2}
PROMPT=32
NEW=64
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
quiet() { grep -v -e WARNING -e SLF4J -e tensorflow/core || true; }
ours() { "$JAVA" --add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx1500m -cp 'examples/target/transformer4j/lib/*' \
  scripts/bench/SmolLm2Bench.java "$1" "$2" "$THREADS" "$PROMPT" "$NEW" "$3" 2>&1 | quiet; }
torch() { /usr/bin/python3 scripts/reference/llama_bench_torch.py run "$DIR" --batch "$1" --threads "$THREADS" \
  --prompt "$PROMPT" --new "$NEW"; }
jlama() { "$JAVA" --add-modules jdk.incubator.vector -Xmx1500m -cp 'scripts/bench/jlama/target/lib/*' \
  scripts/bench/JlamaBench.java "$DIR" "$THREADS" "$PROMPT" "$NEW" 2>&1 | quiet; }
lscpu | grep -m1 'Model name'; echo "ISA: $(grep -o -m1 -w avx512f /proc/cpuinfo || echo 'no avx512f')"; nproc
[ -f "$DIR/model.safetensors" ] || /usr/bin/python3 scripts/reference/llama_bench_torch.py write "$DIR"
if [ ! -d "$DIR-onnx" ]; then
  start=$(date +%s)
  ./transformer4j export --model "$DIR" --out "$DIR-onnx" 2>&1 | quiet
  echo "exported $DIR-onnx in $(( $(date +%s) - start )) s: $(du -sh "$DIR-onnx" | cut -f1)"
fi
for round in $(seq "$ROUNDS"); do
  echo "== round $round, $(date -u +%H:%M:%S) UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  ours "$DIR" 1 cpu; ours "$DIR-onnx" 1 onnx; torch 1; jlama
  ours "$DIR" 8 cpu; ours "$DIR-onnx" 8 onnx; torch 8
done
