package org.transformer4j.train.distributed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Loopback all-reduce throughput over {@link TcpCollective}, for the transformer-spark README's step-time model. Not a
 * test. Two modes:
 * <ul>
 *   <li>{@code threads}: all ranks in this JVM, one thread each;</li>
 *   <li>{@code processes}: one JVM per rank (as Spark executors are), started by this one; they find each other
 *   through port files in a temporary directory.</li>
 * </ul>
 * Run with {@code java --add-modules jdk.incubator.vector -cp transformer-api/target/classes:transformer-api/target/test-classes
 * org.transformer4j.train.distributed.AllReduceBench processes 2,4 1 800000 124000000} (mode, rank counts, then float
 * counts). Prints, per size and rank count, the median seconds per all-reduce and the "bus bandwidth"
 * 2(N-1)/N x bytes / time (what each rank sends per second).
 */
public final class AllReduceBench {
    private static final Duration TIMEOUT = Duration.ofSeconds(300);

    private AllReduceBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("rank")) {
            rankMain(args);
            return;
        }
        if (args.length < 3) {
            throw new IllegalArgumentException("usage: AllReduceBench threads|processes RANKS,... FLOATS...");
        }
        boolean processes = args[0].equals("processes");
        int[] rankCounts = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        for (int i = 2; i < args.length; i++) {
            int floats = Integer.parseInt(args[i]);
            for (int ranks : rankCounts) {
                double[] t = processes ? inProcesses(ranks, floats) : inThreads(ranks, floats);
                report(ranks, floats, t, processes ? "processes" : "threads");
            }
        }
    }

    private static int reps(int floats) {
        return floats > 10_000_000 ? 3 : floats > 10_000 ? 20 : 200;
    }

    /** Times {@code reps} all-reduces of {@code floats} after a warm-up; each timed call starts after a barrier. */
    private static double[] time(Collective c, int floats) {
        float[] data = new float[floats];
        int reps = reps(floats);
        for (int w = 0; w < (floats > 10_000_000 ? 1 : 5); w++) {
            c.allReduce(data, Collective.Reduction.SUM);
        }
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            c.barrier();
            long t0 = System.nanoTime();
            c.allReduce(data, Collective.Reduction.SUM);
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        return t;
    }

    private static double[] inThreads(int ranks, int floats) throws Exception {
        return Groups.run(Groups.Transport.TCP, ranks, TIMEOUT, c -> time(c, floats)).getFirst();
    }

    /** Starts one JVM per rank; rank 0 writes its times to a file, which is read back here. */
    private static double[] inProcesses(int ranks, int floats) throws Exception {
        Path dir = Files.createTempDirectory("allreduce-bench");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long heapMb = 2L * floats * 4 / (1 << 20) + 256;
        List<Process> children = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            children.add(new ProcessBuilder(java, "-Xmx" + heapMb + "m", "-XX:+UseParallelGC", "-cp",
                    System.getProperty("java.class.path"), AllReduceBench.class.getName(), "rank", dir.toString(),
                    Integer.toString(r), Integer.toString(ranks), Integer.toString(floats))
                    .inheritIO().start());
        }
        for (int r = 0; r < ranks; r++) {
            Process p = children.get(r);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                children.forEach(Process::destroy);
                throw new IllegalStateException("rank " + r + " of the benchmark failed (exit "
                        + (p.isAlive() ? "none, still running" : p.exitValue()) + ")");
            }
        }
        String[] lines = Files.readString(dir.resolve("times")).trim().split("\n");
        return Arrays.stream(lines).mapToDouble(Double::parseDouble).toArray();
    }

    /** One rank of {@code processes} mode: publish the port, wait for every rank's, join the ring, time. */
    private static void rankMain(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        int rank = Integer.parseInt(args[2]);
        int ranks = Integer.parseInt(args[3]);
        int floats = Integer.parseInt(args[4]);
        InetAddress loopback = InetAddress.getLoopbackAddress();
        ServerSocketChannel listener = TcpCollective.listen(loopback);
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        writeAtomically(dir.resolve("rank-" + rank + ".port"), Integer.toString(port));
        List<InetSocketAddress> peers = new ArrayList<>();
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (int r = 0; r < ranks; r++) {
            Path f = dir.resolve("rank-" + r + ".port");
            while (!Files.exists(f)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("rank " + r + " did not publish its port in " + dir);
                }
                Thread.sleep(10);
            }
            peers.add(new InetSocketAddress(loopback, Integer.parseInt(Files.readString(f).trim())));
        }
        try (Collective c = TcpCollective.connect(rank, peers, listener, dir.hashCode(), TIMEOUT)) {
            double[] t = time(c, floats);
            if (rank == 0) {
                StringBuilder sb = new StringBuilder();
                for (double x : t) {
                    sb.append(x).append('\n');
                }
                writeAtomically(dir.resolve("times"), sb.toString());
            }
        }
    }

    private static void writeAtomically(Path file, String text) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void report(int ranks, int floats, double[] times, String mode) {
        double[] t = times.clone();
        Arrays.sort(t);
        double median = t[t.length / 2];
        double bytes = 4.0 * floats;
        double bus = 2.0 * (ranks - 1) / ranks * bytes / median / 1e9;
        System.out.printf(Locale.ROOT, "%s: %,d floats (%.1f MB), %d ranks: %.6f s per all-reduce (median of %d),"
                + " algorithm %.2f GB/s, bus %.2f GB/s%n", mode, floats, bytes / 1e6, ranks, median, t.length,
                bytes / median / 1e9, bus);
    }
}
