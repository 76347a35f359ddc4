#!/usr/bin/env bash
# GPT-2-small training step (12 x 768, vocabulary 50,257, random weights, batch 4 x 256: forward, backward, clipping,
# AdamW): transformer4j (Gpt2TrainStepBench.java) and PyTorch (scripts/reference/gpt2_train_step_torch.py),
# interleaved (java, python, java, python), ms/step, tokens/s and peak RSS of each.
# Needs the application directory: ./mvnw -B -ntp -q package -DskipTests
# Usage: scripts/bench/gpt2_train_step.sh [ROUNDS (default 2)] [STEPS timed per run (default 3)] [THREADS (default 2)]
#        scripts/bench/gpt2_train_step.sh check   (both from the same weights and batch at a small shape, 2 layers x 64
#        wide, batch 4 x 64: the losses of 4 steps, i.e. at init and after 1, 2, 3 updates, must agree to 1e-4)
# The JVM runs with the CLI launcher's memory flags (serial collector, -Xms64m, young generation <= 256 MB, max 75% of RAM: see examples/src/dist/bin/transformer4j)
# and the bench class compiled ahead, so peak RSS is the library's and not the source launcher's javac.
# Each full-size run holds ~3 GB; run one at a time.
set -euo pipefail
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
CP='examples/target/transformer4j/lib/*'
CLASSES=examples/target/bench-classes
PY=/usr/bin/python3
mkdir -p "$CLASSES"
"$JDK/bin/javac" -nowarn -d "$CLASSES" --add-modules jdk.incubator.vector -cp "$CP" \
  scripts/bench/Gpt2TrainStepBench.java 2>&1 | grep -v -e 'warning' -e '^Note' || true
ours() { "$JDK/bin/java" --add-modules jdk.incubator.vector -XX:+UseSerialGC -Xms64m -XX:MaxNewSize=256m -XX:MaxRAMPercentage=75 -XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000 -cp "$CLASSES:$CP" \
  Gpt2TrainStepBench "$@" 2>&1 | grep --line-buffered -v -e WARNING -e tensorflow/core; }
lscpu | grep -m1 'Model name'; grep -o -m1 avx512f /proc/cpuinfo || echo "no avx512f"
uptime
if [ "${1:-}" = check ]; then
  DIR=$(mktemp -d /tmp/gpt2-train-check.XXXXXX)
  small=(--layers 2 --width 64 --heads 4 --context 256 --batch 4 --seq 64 --warmup 0 --steps 4)
  ours "${small[@]}" --dump "$DIR" | tee "$DIR/java.txt"
  "$PY" scripts/reference/gpt2_train_step_torch.py --heads 4 --warmup 0 --steps 4 --init "$DIR" | tee "$DIR/torch.txt"
  "$PY" - "$DIR/java.txt" "$DIR/torch.txt" <<'EOF'
import re, sys
def losses(path):
    return [float(m.group(1)) for m in re.finditer(r"loss ([0-9.]+)", open(path).read())]
j, t = losses(sys.argv[1]), losses(sys.argv[2])
if len(j) != len(t) or not j:
    sys.exit(f"different numbers of steps: java {j}, torch {t}")
worst = 0.0
for s, (a, b) in enumerate(zip(j, t)):
    rel = abs(a - b) / abs(b)
    worst = max(worst, rel)
    print(f"loss after {s} updates: transformer4j {a:.6f}, torch {b:.6f}, relative difference {rel:.2e}")
print("same computation" if worst <= 1e-4 else "DIFFERENT (relative difference above 1e-4)")
sys.exit(0 if worst <= 1e-4 else 1)
EOF
  rm -rf "$DIR"
  exit
fi
ROUNDS=${1:-2}
STEPS=${2:-3}
THREADS=${3:-2}
for r in $(seq "$ROUNDS"); do
  echo "== round $r ($(uptime | sed 's/.*load/load/'))"
  ours --warmup 2 --steps "$STEPS" --threads "$THREADS"
  "$PY" scripts/reference/gpt2_train_step_torch.py --warmup 2 --steps "$STEPS" --threads "$THREADS"
done
