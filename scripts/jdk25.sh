# Sourced (POSIX sh) by ./mvnw, ./transformer4j and .ci/run: finds a JDK 25 or newer and prints its home.
# Order: $JAVA_HOME, the `java` on the PATH, then the usual install folders. Prints nothing (status 1) if none.

jdk_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | awk -F'= ' '/java.specification.version/ {split($2, v, "."); print v[1]; exit}'
}

find_jdk25() {
  _t4j_path_java=""
  if command -v java >/dev/null 2>&1; then
    _t4j_path_java="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  fi
  for _t4j_c in "${JAVA_HOME:-}" "$_t4j_path_java" /usr/lib/jvm/temurin-25* /usr/lib/jvm/*25* /usr/lib/jvm/* \
      /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/*; do
    [ -n "$_t4j_c" ] && [ -x "$_t4j_c/bin/java" ] || continue
    _t4j_major="$(jdk_major "$_t4j_c")"
    if [ -n "$_t4j_major" ] && [ "$_t4j_major" -ge 25 ] 2>/dev/null; then
      echo "$_t4j_c"
      return 0
    fi
  done
  return 1
}
