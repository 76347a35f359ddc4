package org.transformer4j.cli;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What a run cost the process, for {@code bench} and {@code train} to print: peak resident memory (Linux
 * {@code VmHWM}) and the garbage collections since a starting point (count and accumulated time of every collector,
 * as {@link GarbageCollectorMXBean} reports them; for the launcher's serial collector that time is pause time).
 *
 * @param peakRssMb peak resident set size of the process in MB (MiB), or -1 where {@code /proc} is not there
 * @param collections garbage collections, all collectors together
 * @param gcMillis milliseconds the collectors reported for those collections
 */
record ProcessStats(long peakRssMb, long collections, long gcMillis) {

    /** The process's peak RSS and its collections since it started. */
    static ProcessStats now() {
        long count = 0, millis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, gc.getCollectionCount());
            millis += Math.max(0, gc.getCollectionTime());
        }
        return new ProcessStats(readPeakRssMb(), count, millis);
    }

    /** This snapshot's peak RSS, and the collections made between {@code start} and this snapshot. */
    ProcessStats since(ProcessStats start) {
        return new ProcessStats(peakRssMb, collections - start.collections, gcMillis - start.gcMillis);
    }

    /** E.g. {@code peak RSS 201 MB, 312 GCs (151 ms)}. */
    String describe() {
        return String.format(Locale.ROOT, "peak RSS %s, %,d GCs (%,d ms)",
                peakRssMb < 0 ? "unknown" : peakRssMb + " MB", collections, gcMillis);
    }

    private static long readPeakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
