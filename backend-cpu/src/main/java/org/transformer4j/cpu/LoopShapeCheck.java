package org.transformer4j.cpu;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Warns, once per JVM, when HotSpot compiles counted loops without strip mining while it uses AVX2 but not AVX-512:
 * then the sgemm micro-kernel, the bulk of a training step, runs well below its speed. Strip mining is on by default
 * with G1 (the JVM's default collector) and off with the serial and parallel collectors; measured on Zen 4 under {@code
 * -XX:UseAVX=2} with the serial collector, one-thread sgemm NT 768x384x128 ran at 71 GFLOP/s without it and 91 with it
 * with the AVX2 tile (4 x 2), and 43 against 98 with the 6 x 2 tile (with AVX-512 it makes no difference). The {@code
 * transformer4j} launcher passes the flags; an application that embeds the backend with either collector gets this
 * warning instead of a silent slowdown.
 */
final class LoopShapeCheck {
    private static final System.Logger LOG = System.getLogger(LoopShapeCheck.class.getName());
    private static final AtomicBoolean CHECKED = new AtomicBoolean();
    static final String FLAGS = "-XX:+UseCountedLoopSafepoints -XX:LoopStripMiningIter=1000";

    private LoopShapeCheck() {
    }

    /** Logs the warning if this JVM needs it (the first call only; never fails). */
    static void warnOnce() {
        if (!CHECKED.compareAndSet(false, true)) {
            return;
        }
        try {
            HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            long useAvx = Long.parseLong(vm.getVMOption("UseAVX").getValue());
            long stripMining = Long.parseLong(vm.getVMOption("LoopStripMiningIter").getValue());
            advice(System.getProperty("os.arch", ""), useAvx, stripMining)
                    .ifPresent(text -> LOG.log(System.Logger.Level.WARNING, text));
        } catch (RuntimeException | LinkageError e) {
            // Not HotSpot, or no such flag (not x86): nothing to advise.
            LOG.log(System.Logger.Level.DEBUG, "loop-shape check skipped: " + e);
        }
    }

    /**
     * The warning for a JVM on {@code arch} with HotSpot's {@code UseAVX} and {@code LoopStripMiningIter} values, or
     * empty when none is due (not x86-64, AVX-512 in use, below AVX2, or strip mining on).
     */
    static Optional<String> advice(String arch, long useAvx, long stripMiningIter) {
        boolean x86 = arch.equals("amd64") || arch.equals("x86_64");
        if (!x86 || useAvx != 2 || stripMiningIter > 0) {
            return Optional.empty();
        }
        return Optional.of("backend-cpu: this JVM uses AVX2 and compiles counted loops without strip mining (the "
                + "serial and parallel collectors' default), which runs the cpu backend's matrix kernel well below its "
                + "speed; start the JVM with " + FLAGS + " (the transformer4j launcher does) or use G1");
    }
}
