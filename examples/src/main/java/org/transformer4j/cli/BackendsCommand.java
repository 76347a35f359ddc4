package org.transformer4j.cli;

import java.util.concurrent.Callable;
import org.transformer4j.backend.Backends;
import picocli.CommandLine.Command;

/** {@code backends}: lists every backend found on the classpath, its capabilities and availability. */
@Command(name = "backends", mixinStandardHelpOptions = true, description = "List the backends found and which one is selected.")
final class BackendsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        var registry = Backends.registry(); // discovers once, for the listing and the selection
        registry.list().forEach(info -> System.out.println("  " + info.describe()));
        try {
            var choice = registry.select(null);
            System.out.println("selected: " + choice.name() + " (" + choice.source() + ")");
        } catch (RuntimeException e) {
            System.out.println("selected: none (" + e.getMessage() + ")");
        }
        return 0;
    }
}
