package org.transformer4j.tensorflow;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.summary.CloseSummaryWriter;
import org.tensorflow.op.summary.CreateSummaryFileWriter;
import org.tensorflow.op.summary.FlushSummaryWriter;
import org.tensorflow.op.summary.SummaryWriter;
import org.tensorflow.op.summary.WriteScalarSummary;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.transformer4j.train.TrainingListener;

/**
 * A {@link TrainingListener} that writes training metrics as TensorBoard event files, using TensorFlow's
 * own summary ops ({@code CreateSummaryFileWriter}, {@code WriteScalarSummary}, {@code FlushSummaryWriter},
 * {@code CloseSummaryWriter}) run in a small private graph, so the files are exactly what {@code tf.summary}
 * writes and TensorBoard reads them as usual ({@code tensorboard --logdir DIR}).
 *
 * <p>Scalars written: {@code train/loss}, {@code train/lr}, {@code train/tokens_per_second} on every step and
 * {@code eval/train_loss}, {@code eval/val_loss} on every evaluation. It only needs TensorFlow's native
 * library, so it can observe training on any backend. Calls are serialized; {@link #close()} flushes and
 * closes the event file and releases every native object.
 */
public final class TensorBoardWriter implements TrainingListener, AutoCloseable {

    private static final AtomicLong INSTANCES = new AtomicLong();

    private final Path logDir;
    private final Graph graph;
    private final Session session;
    private final Placeholder<TInt64> stepIn;
    private final Placeholder<TString> tagIn;
    private final Placeholder<TFloat32> valueIn;
    private final WriteScalarSummary write;
    private final FlushSummaryWriter flush;
    private final CloseSummaryWriter closeWriter;
    private boolean closed;

    /**
     * Opens a new event file in {@code logDir}, creating the directory if needed.
     *
     * @param logDir TensorBoard log directory (one run per directory)
     * @throws UncheckedIOException if the directory cannot be created or is not a directory
     */
    public TensorBoardWriter(Path logDir) {
        this.logDir = logDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.logDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the TensorBoard log directory " + this.logDir
                    + " (" + e + "); pass a writable directory to --tensorboard", e);
        }
        if (!Files.isDirectory(this.logDir) || !Files.isWritable(this.logDir)) {
            throw new UncheckedIOException(new IOException("the TensorBoard log directory " + this.logDir
                    + " is not a writable directory; pass a writable directory to --tensorboard"));
        }
        Graph g = new Graph();
        Session s = null;
        try {
            Ops tf = Ops.create(g);
            SummaryWriter writer = tf.summary.summaryWriter(
                    SummaryWriter.sharedName("transformer4j_tensorboard_" + INSTANCES.incrementAndGet()));
            CreateSummaryFileWriter create = tf.summary.createSummaryFileWriter(writer,
                    tf.constant(this.logDir.toString()), tf.constant(10), tf.constant(10_000),
                    tf.constant(".transformer4j"));
            stepIn = tf.placeholder(TInt64.class);
            tagIn = tf.placeholder(TString.class);
            valueIn = tf.placeholder(TFloat32.class);
            write = tf.summary.writeScalarSummary(writer, stepIn, tagIn, valueIn);
            flush = tf.summary.flushSummaryWriter(writer);
            closeWriter = tf.summary.closeSummaryWriter(writer);
            s = new Session(g);
            try (Result ignored = s.runner().addTarget(create).run()) {
                // the writer resource now owns an open event file
            }
        } catch (RuntimeException e) {
            if (s != null) {
                s.close();
            }
            g.close();
            throw new IllegalStateException("cannot open a TensorBoard event file in " + this.logDir + ": "
                    + e.getMessage(), e);
        }
        graph = g;
        session = s;
    }

    /** The absolute log directory the event file is written to. */
    public Path logDir() {
        return logDir;
    }

    @Override
    public synchronized void onStep(StepMetrics m) {
        scalar("train/loss", m.step(), m.loss());
        scalar("train/lr", m.step(), m.lr());
        scalar("train/tokens_per_second", m.step(), (float) m.tokensPerSecond());
    }

    @Override
    public synchronized void onEvaluation(EvalMetrics m) {
        scalar("eval/train_loss", m.step(), m.trainLoss());
        scalar("eval/val_loss", m.step(), m.valLoss());
        flush();
    }

    /**
     * Writes one scalar (any tag) at a step.
     *
     * @throws IllegalStateException if the writer was closed
     */
    public synchronized void scalar(String tag, long step, float value) {
        ensureOpen();
        try (TInt64 s = TInt64.scalarOf(step);
             TString t = TString.scalarOf(tag);
             TFloat32 v = TFloat32.scalarOf(value);
             Result ignored = session.runner().feed(stepIn, s).feed(tagIn, t).feed(valueIn, v)
                     .addTarget(write).run()) {
            // written (buffered by the writer until the next flush)
        }
    }

    /** Forces buffered events to disk, so a running TensorBoard sees them. */
    public synchronized void flush() {
        ensureOpen();
        try (Result ignored = session.runner().addTarget(flush).run()) {
            // flushed
        }
    }

    /** Flushes and closes the event file and releases the native graph and session; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Graph g = graph; Session s = session; Result ignored = s.runner().addTarget(closeWriter).run()) {
            // closing the writer resource flushes and closes the event file
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("TensorBoardWriter for " + logDir + " is closed");
        }
    }
}
