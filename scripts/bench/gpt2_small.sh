#!/usr/bin/env bash
# GPT-2 small shape (random weights, Hugging Face layout): load time, peak RSS and greedy decode rate (128-token
# prompt + 128 new tokens, KV cache) at batch 1 and 8, on cpu (float32 and bf16 weights), onnx and PyTorch, one after
# another in one run. PyTorch runs twice: HF's formulation (Conv1D [in, out] weights, addmm, cache by torch.cat) and
# --layout linear ([out, in] weights, addmv at one row, F.linear otherwise, in-place cache), faster at batch 1 here, not at batch 8.
# Needs the application directory: ./mvnw -B -ntp -q package -DskipTests
# Usage: scripts/bench/gpt2_small.sh [DIR (default /tmp/gpt2-small-random)]
# The JVM runs with the CLI launcher's memory flags (serial collector, -Xms64m, young generation <= 256 MB, max 75% of RAM: see examples/src/dist/bin/transformer4j)
# and the bench class compiled ahead, so peak RSS is the library's and not the source launcher's javac.
set -euo pipefail
DIR=${1:-/tmp/gpt2-small-random}
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
CP='examples/target/transformer4j/lib/*'
CLASSES=examples/target/bench-classes
mkdir -p "$CLASSES"
"$JDK/bin/javac" -nowarn -d "$CLASSES" --add-modules jdk.incubator.vector -cp "$CP" scripts/bench/Gpt2SmallBench.java \
  2>&1 | grep -v -e 'warning' -e '^Note' || true
run() { local heap=$1; shift; "$JDK/bin/java" --add-modules jdk.incubator.vector -XX:+UseSerialGC -Xms64m -XX:MaxNewSize=256m -XX:MaxRAMPercentage=75 -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 $heap \
  -cp "$CLASSES:$CP" Gpt2SmallBench "$@" 2>&1 | grep -v -e WARNING -e tensorflow/core; }
lscpu | grep -m1 'Model name'; grep -o -m1 avx512f /proc/cpuinfo || echo "no avx512f"
[ -f "$DIR/model.safetensors" ] || run -Xmx4g write "$DIR"
threads=$(nproc)
run "" cpu "$DIR" "$threads" 1
run "" cpu "$DIR" "$threads" 1 bf16
run "" cpu "$DIR" "$threads" 8
run "" cpu "$DIR" "$threads" 8 bf16
run "" onnx "$DIR" "$threads" 1
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for layout in hf linear; do # HF's Conv1D/addmm/torch.cat formulation, then [out, in] weights + in-place cache
    /usr/bin/python3 scripts/reference/gpt2_small_torch.py "$DIR" --threads "$threads" --layout $layout
    /usr/bin/python3 scripts/reference/gpt2_small_torch.py "$DIR" --threads "$threads" --batch 8 --layout $layout
  done
fi
