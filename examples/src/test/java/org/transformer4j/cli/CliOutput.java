package org.transformer4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the tool with standard output and error captured, for the command tests. */
final class CliOutput {
    /** The exit code and what the command printed. */
    record Run(int code, String out, String err) {
    }

    private CliOutput() {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = Transformer4jCli.execute(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the tool and returns its standard output, failing unless it exits with 0. */
    static String ok(String... args) {
        Run r = run(args);
        if (r.code() != 0) {
            throw new AssertionError("exit code " + r.code() + " of " + String.join(" ", args) + "\nout:\n" + r.out()
                    + "\nerr:\n" + r.err());
        }
        return r.out();
    }
}
