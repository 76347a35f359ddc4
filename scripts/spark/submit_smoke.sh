#!/usr/bin/env bash
# Smoke test of `train --spark` through Spark's submit entry point (org.apache.spark.deploy.SparkSubmit), on
# loopback in local[2]: submits the CLI jar (examples-*.jar) with the application directory's other jars as --jars,
# trains a tiny GPT for 6 steps on 2 replicas, and checks the model directory and the last checkpoint.
#
# With SPARK_HOME set (a Spark 4.2 distribution) it runs $SPARK_HOME/bin/spark-submit, which starts the driver JVM
# with spark.driver.extraJavaOptions. Without one it runs SparkSubmit's main from spark-core's jars in the local
# Maven repository (what `bin/spark-submit` ends up calling): then this script starts the driver JVM itself, with
# the same flags.
# Needs the application directory and the module: ./mvnw -B -ntp -q -pl examples -am package -DskipTests
# Usage: [BACKEND=cpu|tensorflow] scripts/spark/submit_smoke.sh [WORK_DIR (default: a new temporary directory)]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/scripts/jdk25.sh"
jdk="$(find_jdk25)" || { echo "error: no JDK 25 or newer found; set JAVA_HOME" >&2; exit 1; }
app="$root/examples/target/transformer4j"
cli_jar="$(ls "$app"/lib/examples-*.jar 2>/dev/null | head -1)"
[ -n "$cli_jar" ] || { echo "error: no $app/lib/examples-*.jar; build it: ./mvnw -B -ntp -q -pl examples -am package -DskipTests" >&2; exit 1; }
jars="$(ls "$app"/lib/*.jar | grep -v '/examples-' | paste -sd, -)"
work="${1:-$(mktemp -d)}"
mkdir -p "$work"
# a small corpus: 400 lines of words
awk 'BEGIN { srand(7); split("to be or not that is the question whether tis nobler in mind", w, " ");
  for (i = 0; i < 400; i++) { s = ""; for (j = 0; j < 8; j++) s = s (j ? " " : "") w[int(rand() * 14) + 1]; print s } }' \
  > "$work/corpus.txt"
out="$work/run"
rm -rf "$out"

# The Vector API is an incubator module: the driver (and on a cluster every executor) needs it.
vector="--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED"
submit_args=(--master 'local[2]' --deploy-mode client
  --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false
  --conf "spark.driver.extraJavaOptions=$vector" --conf "spark.executor.extraJavaOptions=$vector"
  --class org.transformer4j.cli.Transformer4jCli --jars "$jars" "$cli_jar"
  train --spark 'local[2]' --workers 2 --data "$work/corpus.txt" --out "$out" --layers 1 --heads 2 --embd 16
  --block-size 16 --batch-size 4 --steps 6 --eval-interval 3 --eval-batches 2 --checkpoint-interval 3 --threads 1 --backend "${BACKEND:-cpu}" --quiet)

if [ -n "${SPARK_HOME:-}" ]; then
  "$SPARK_HOME/bin/spark-submit" "${submit_args[@]}" 2>&1 | grep -v -e ' INFO ' -e '^WARNING' | tee "$work/submit.log"
else
  cp_file="$work/spark-classpath.txt"
  # Spark's own jars: transformer-spark's compile + provided classpath (spark-core's tree), ours and TF's left out
  (cd "$root" && ./mvnw -B -ntp -q -o -pl transformer-spark dependency:build-classpath -DincludeScope=compile \
    -DexcludeGroupIds=org.transformer4j,org.tensorflow -Dmdep.outputFile="$cp_file" >/dev/null)
  # Spark's launcher adds these to every JVM it starts (org.apache.spark.launcher.JavaModuleOptions)
  opens="$(sed -n 's:.*<spark.jvmFlags>\(.*\)</spark.jvmFlags>.*:\1:p' "$root/transformer-spark/pom.xml")"
  # shellcheck disable=SC2086
  "$jdk/bin/java" $vector $opens -Xss4m -cp "$(cat "$cp_file")" org.apache.spark.deploy.SparkSubmit \
    "${submit_args[@]}" 2>&1 | grep -v -e ' INFO ' -e '^WARNING' | tee "$work/submit.log"
fi

for f in "$out/config.json" "$out/checkpoints/step-00000006.safetensors"; do
  [ -s "$f" ] || { echo "FAILED: $f was not written (log: $work/submit.log)" >&2; exit 1; }
done
grep -q '^done: 6 steps on 2 workers' "$work/submit.log" || { echo "FAILED: no 'done' line (log: $work/submit.log)" >&2; exit 1; }
echo "OK: spark-submit trained 6 steps on 2 ${BACKEND:-cpu} replicas; model directory $out"
