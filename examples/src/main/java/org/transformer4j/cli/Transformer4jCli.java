package org.transformer4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code transformer4j} command-line tool: train, generate, translate, inspect attention, export,
 * check conformance and benchmark. Run with {@code --help} on any subcommand.
 */
@Command(name = "transformer4j", mixinStandardHelpOptions = true, version = "transformer4j 0.1.0",
        description = "Build, train, export and serve Transformer models on the JVM.",
        subcommands = {TrainCommand.class, DatesCommand.class, GenerateCommand.class, BackendsCommand.class, BenchCommand.class,
                TranslateCommand.class, AttentionCommand.class, ExportCommand.class, MergeCommand.class,
                ConformanceCommand.class, ServeCommand.class, CommandLine.HelpCommand.class})
public final class Transformer4jCli implements Runnable {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the tool and returns its exit code (for tests and embedding). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Transformer4jCli());
        cli.setExecutionExceptionHandler((ex, cmd, parse) -> {
            cmd.getErr().println("error: " + ex.getMessage());
            if (System.getenv("TRANSFORMER4J_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            } else {
                cmd.getErr().println("(set TRANSFORMER4J_DEBUG=1 for the stack trace)");
            }
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
