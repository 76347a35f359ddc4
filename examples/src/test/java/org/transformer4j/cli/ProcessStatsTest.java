package org.transformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@link ProcessStats}: collections counted from a starting point, the peak RSS from /proc. */
class ProcessStatsTest {

    @Test
    void countsTheCollectionsSinceTheStartAndReadsThePeakRss() {
        ProcessStats start = ProcessStats.now();
        System.gc(); // a full collection, counted by every collector's MXBean
        ProcessStats cost = ProcessStats.now().since(start);
        assertTrue(cost.collections() >= 1, "System.gc() not counted: " + cost);
        assertTrue(cost.gcMillis() >= 0, cost.toString());
        if (Files.isReadable(Path.of("/proc/self/status"))) {
            // a JVM that has run the test framework holds far more than 10 MB, and far less than a terabyte
            assertTrue(cost.peakRssMb() > 10 && cost.peakRssMb() < 1 << 20, cost.toString());
        } else {
            assertEquals(-1, cost.peakRssMb());
        }
        assertTrue(cost.describe().matches("peak RSS ([0-9]+ MB|unknown), [0-9,]+ GCs \\([0-9,]+ ms\\)"), cost.describe());
    }
}
