/**
 * An OpenAI-compatible HTTP server over the front door ({@link org.transformer4j.serve.OpenAiServer}). The server's
 * API is exported; continuous batching ({@code org.transformer4j.serve.batch}) is its implementation. Jinjava (chat
 * templates) has no module name, not even in its manifest, and a module published with {@code requires} on a name
 * derived from a jar's file name breaks when that name changes: the build compiles this module with
 * {@code --add-reads org.transformer4j.serve=ALL-UNNAMED} and reads Jinjava on the class path, where applications run
 * the server. On the module path, pass that flag and put Jinjava on the class path.
 */
module org.transformer4j.serve {
    requires transitive org.transformer4j.api;
    requires io.helidon.webserver;
    requires io.helidon.webserver.sse;
    requires com.fasterxml.jackson.databind;

    exports org.transformer4j.serve;
}
