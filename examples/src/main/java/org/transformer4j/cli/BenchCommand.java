package org.transformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.backend.BackendInfo;
import org.transformer4j.backend.Backends;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.data.BatchSampler;
import org.transformer4j.data.TokenDataset;
import org.transformer4j.model.GptConfig;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.Initializer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.train.Trainer;
import org.transformer4j.train.TrainingConfig;
import org.transformer4j.train.TrainingData;
import org.transformer4j.train.TrainingListener;
import org.transformer4j.train.TrainingProgram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: runs nanoGPT's shakespeare-char recipe end to end on each training backend and prints
 * ms/iteration, tokens/s, wall time, final train/val loss and peak resident memory, side by side. With
 * {@code --inference}, instead times inference of the same model size on backend-cpu and on ONNX Runtime
 * ({@link InferenceBench}): cached generation and a full forward of 8 x 64 tokens.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Train nanoGPT's shakespeare-char recipe on each backend and report speed and loss.",
                "--inference: time cached generation and a forward of 8 x 64 tokens on backend-cpu and ONNX Runtime instead."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--backend", description = "benchmark only this backend (repeatable; default: every available one that trains)")
    List<String> backends;

    @Option(names = "--steps", defaultValue = "2000", description = "iterations (the recipe: ${DEFAULT-VALUE})") int steps;
    @Option(names = "--eval-interval", defaultValue = "250",
            description = "steps between train/val loss estimates (default: ${DEFAULT-VALUE})") int evalInterval;
    @Option(names = "--eval-batches", defaultValue = "200",
            description = "fixed batches per loss estimate (default: ${DEFAULT-VALUE}; nanoGPT uses 20, a noisier estimate)")
    int evalBatches;
    @Option(names = "--threads", defaultValue = "0",
            description = "compute threads of every backend (default: 0 = every core)") int threads;
    @Option(names = "--device", description = "device for every backend: cpu (default) or gpu:N") String device;
    @Option(names = "--seed", defaultValue = "1337", description = "seed of weights and batches (default: ${DEFAULT-VALUE})")
    long seed;
    @Option(names = "--data", description = "text file (default: the bundled tiny Shakespeare)") Path data;
    @Option(names = "--inference", description = "time inference (backend-cpu and ONNX Runtime, random weights) instead of training")
    boolean inference;
    @Option(names = "--runs", defaultValue = "5", description = "with --inference: timed runs per measurement, best kept (default: ${DEFAULT-VALUE})")
    int runs;
    @Option(names = "--warm-up", defaultValue = "5", paramLabel = "SECONDS",
            description = "with --inference: least warm-up time per measurement, for the JIT compiler (default: ${DEFAULT-VALUE})")
    double warmUpSeconds;

    private record Row(String backend, double msPerIter, double cpuMsPerIter, double tokensPerSecond, double wallSeconds,
                       float trainLoss, float valLoss, ProcessStats cost) {
    }

    @Override
    public Integer call() throws Exception {
        List<String> names = new ArrayList<>();
        if (backends != null && !backends.isEmpty()) {
            names.addAll(backends);
        } else {
            for (BackendInfo info : Backends.list()) {
                if (info.availability().available() && info.capabilities().trains()) {
                    names.add(info.name());
                }
            }
        }
        String text = TrainCommand.readText(data);
        CharTokenizer tokenizer = CharTokenizer.fromText(text);
        // nanoGPT config/train_shakespeare_char.py, CPU variant: n_layer=4, n_head=4, n_embd=128, block_size=64,
        // batch_size=12, dropout=0, bias=False; lr 1e-3 (warm-up 100, cosine to 1e-4 over 2000), betas (0.9, 0.99), wd 0.1.
        GptConfig config = GptConfig.builder().vocabSize(tokenizer.vocabSize()).contextLength(64).layers(4).heads(4)
                .embeddingDim(128).dropout(0f).bias(false).tiedEmbeddings(true).build();
        if (inference) {
            if (runs < 1) {
                throw new IllegalArgumentException("--runs must be at least 1, was " + runs);
            }
            if (!(warmUpSeconds >= 0)) {
                throw new IllegalArgumentException("--warm-up must be 0 or more seconds, was " + warmUpSeconds);
            }
            InferenceBench.run(config, threads, seed, runs, warmUpSeconds, System.out);
            return 0;
        }
        TokenDataset dataset = TokenDataset.fromText(text, tokenizer, 0.9);
        TrainingConfig training = TrainingConfig.builder().maxSteps(steps).learningRate(1e-3f).minLearningRate(1e-4f)
                .warmupSteps(100).decaySteps(2000).betas(0.9f, 0.99f).weightDecay(0.1f).gradClip(1f)
                .evalInterval(evalInterval).evalBatches(evalBatches).build();
        List<Row> rows = new ArrayList<>();
        for (String name : names) {
            GptModel model = new GptModel(config);
            TrainingData batches = new TrainingData(new BatchSampler(dataset.train(), 12, 64, seed),
                    new BatchSampler(dataset.train(), 12, 64, seed + 1), new BatchSampler(dataset.validation(), 12, 64, seed + 2));
            try (TrainingEngine engine = Backends.openTraining(name, new EngineOptions(threads, device, seed));
                 TrainingProgram program = engine.compileTraining(model, Initializer.initialize(model.parameterSpecs(), seed))) {
                double[] stepMillis = new double[1];
                long[] timedSteps = new long[1];
                // CPU time of this thread: with --threads 1 all compute runs here, so this stays meaningful on a busy machine.
                var threadMx = java.lang.management.ManagementFactory.getThreadMXBean();
                long[] cpuNanos = new long[2];
                Trainer trainer = new Trainer(program, training, batches).listener(new TrainingListener() {
                    @Override
                    public void onStep(StepMetrics m) {
                        long now = threadMx.getCurrentThreadCpuTime();
                        if (m.step() > 10) { // skip JIT warm-up
                            stepMillis[0] += m.millis();
                            timedSteps[0]++;
                            cpuNanos[1] += now - cpuNanos[0];
                        }
                        cpuNanos[0] = now;
                    }

                    @Override
                    public void onEvaluation(EvalMetrics m) {
                        cpuNanos[0] = threadMx.getCurrentThreadCpuTime(); // evaluation is not part of an iteration
                        System.out.printf(Locale.ROOT, "[%s] step %d: train loss %.4f, val loss %.4f%n", name, m.step(),
                                m.trainLoss(), m.valLoss());
                    }
                });
                ProcessStats start = ProcessStats.now();
                long t0 = System.nanoTime();
                var last = trainer.run();
                double wall = (System.nanoTime() - t0) / 1e9;
                double ms = timedSteps[0] == 0 ? Double.NaN : stepMillis[0] / timedSteps[0];
                double cpuMs = timedSteps[0] == 0 ? Double.NaN : cpuNanos[1] / 1e6 / timedSteps[0];
                rows.add(new Row(name, ms, cpuMs, 12 * 64 / (ms / 1000), wall, last.trainLoss(), last.valLoss(),
                        ProcessStats.now().since(start)));
            }
        }
        System.out.println();
        System.out.println("shakespeare-char (4 layers, 4 heads, 128 wide, block 64, batch 12), " + steps + " iterations");
        System.out.printf(Locale.ROOT, "%-12s %10s %16s %12s %10s %11s %9s %12s %8s %7s%n", "backend", "ms/iter",
                "main-thread cpu", "tokens/s", "wall s", "train loss", "val loss", "peak RSS MB", "GCs", "GC ms");
        for (Row r : rows) {
            System.out.printf(Locale.ROOT, "%-12s %10.2f %16.2f %12.0f %10.1f %11.4f %9.4f %12d %8d %7d%n", r.backend,
                    r.msPerIter, r.cpuMsPerIter, r.tokensPerSecond, r.wallSeconds, r.trainLoss, r.valLoss,
                    r.cost.peakRssMb(), r.cost.collections(), r.cost.gcMillis());
        }
        System.out.println("(ms/iter and tokens/s are wall clock, JIT warm-up steps excluded; main-thread cpu is the CPU time"
                + " of the training thread per iteration, which equals the work per iteration when --threads 1;"
                + " peak RSS is the process's so far, GCs and GC ms count the garbage collections of that backend's run,"
                + " warm-up and evaluation included)");
        return 0;
    }
}
