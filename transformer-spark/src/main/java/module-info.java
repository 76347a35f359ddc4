/**
 * Data-parallel training on Apache Spark ({@link org.transformer4j.spark.SparkTrainer}). Spark has no module names
 * (its jars cannot even be automatic modules: {@code spark-core_2.13} gives the invalid name {@code spark.core.2.13})
 * and runs applications on the class path, which is how this module is used; the build compiles it with
 * {@code --add-reads org.transformer4j.spark=ALL-UNNAMED} so that it reads Spark and Scala there. On the module path,
 * pass that flag and put Spark on the class path.
 */
module org.transformer4j.spark {
    requires transitive org.transformer4j.api;

    exports org.transformer4j.spark;
}
