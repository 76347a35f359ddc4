package org.transformer4j.tensorflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.transformer4j.conformance.fixtures.TinyModels.SMALL;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.transformer4j.backend.Engine;
import org.transformer4j.backend.TrainingEngine;
import org.transformer4j.backend.EngineOptions;
import org.transformer4j.backend.LoadedWeights;
import org.transformer4j.conformance.fixtures.TinyModels;
import org.transformer4j.generate.GenerationOptions;
import org.transformer4j.generate.GptGenerator;
import org.transformer4j.model.GptModel;

/**
 * The tensorflow backend under concurrent load: 16 threads generating at once on one engine and one set of loaded
 * weights give, token for token, what the same requests give one after another.
 */
class TfConcurrencyTest {
    static final int THREADS = 16;

    /** What request {@code i} computes: greedy or seeded sampling from its own prompt. */
    private static int[] work(GptGenerator g, int i) {
        Random r = new Random(i);
        int[] prompt = new int[2 + i % 5];
        for (int j = 0; j < prompt.length; j++) {
            prompt[j] = r.nextInt(SMALL.vocab());
        }
        GenerationOptions options = i % 2 == 0 ? GenerationOptions.greedy(6)
                : GenerationOptions.sampling(6, 0.9f, 5, 1000 + i);
        return g.generate(prompt, options, t -> true);
    }

    @Test
    void sixteenThreadsOnOneEngineGiveTheSequentialResults() throws Exception {
        GptModel model = new GptModel(TinyModels.gptPreLn(SMALL).bias(false).tiedEmbeddings(true).build());
        try (TrainingEngine engine = new TensorFlowBackend().open(EngineOptions.defaults().withThreads(2));
             LoadedWeights weights = engine.load(TinyModels.gradientWeights(model.parameterSpecs(), 3))) {
            GptGenerator generator = new GptGenerator(model, engine.inferenceOps(), weights);
            List<int[]> sequential = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                sequential.add(work(generator, i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                CyclicBarrier start = new CyclicBarrier(THREADS);
                List<Future<int[]>> futures = new ArrayList<>();
                for (int i = 0; i < THREADS; i++) {
                    int id = i;
                    futures.add(pool.submit(() -> {
                        start.await();
                        return work(generator, id);
                    }));
                }
                for (int i = 0; i < THREADS; i++) {
                    assertArrayEquals(sequential.get(i), futures.get(i).get(), "thread " + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
