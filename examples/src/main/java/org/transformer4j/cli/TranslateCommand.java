package org.transformer4j.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.transformer4j.examples.dates.DatePairsTsv;
import org.transformer4j.examples.dates.Pair;
import org.transformer4j.examples.translate.ExactMatch;
import org.transformer4j.examples.translate.Translator;
import org.transformer4j.generate.Seq2SeqGenerator;
import org.transformer4j.generate.Seq2SeqRuntime;
import org.transformer4j.inference.LanguageModel;
import org.transformer4j.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code translate}: translates input lines (a file or standard input) with an encoder-decoder model directory,
 * one output line per input line; or, with {@code --eval}, measures the exact-match accuracy on
 * {@code source<TAB>target} pairs. Greedy decoding (batched), or beam search with {@code --beam N}. The model opens
 * through {@link LanguageModel}: a model directory runs from its weights, a directory holding {@code encoder.onnx} and
 * {@code decoder.onnx} (written by {@code export}) on a backend that serves exported graphs; both translate one source
 * at a time through the library's decoding loops.
 */
@Command(name = "translate", mixinStandardHelpOptions = true,
        description = {"Translate lines with an encoder-decoder model directory (greedy, or beam search with --beam N), or measure its "
                + "exact-match accuracy on source<TAB>target pairs with --eval.",
                "Example: echo '22 November 2026' | transformer4j translate --model runs/dates"})
final class TranslateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true,
            description = "model directory written by 'train --task seq2seq', or a directory holding encoder.onnx and decoder.onnx (export)")
    Path model;

    @Option(names = "--input", description = "file of lines to translate (default: standard input)")
    Path input;

    @Option(names = "--eval", description = "source<TAB>target file: print the exact-match accuracy instead of translations")
    Path eval;

    @Option(names = "--beam", defaultValue = "1", description = "beam width; 1 = greedy (default: ${DEFAULT-VALUE})")
    int beam;

    @Option(names = "--length-penalty", defaultValue = "0.6", description = "beam search: rank by logProb / length^this (default: ${DEFAULT-VALUE}, GNMT's)")
    double lengthPenalty;

    @Option(names = "--batch-size", defaultValue = "100", description = "sources decoded together (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--show-mistakes", defaultValue = "5", description = "with --eval: print up to this many wrong translations (default: ${DEFAULT-VALUE})")
    int showMistakes;

    @Option(names = "--backend", description = "backend name (default: the selection rules, among the backends that can run what the directory holds)")
    String backend;
    @Option(names = "--threads", defaultValue = "0") int threads;

    @Override
    public Integer call() throws Exception {
        if (beam < 1) {
            throw new IllegalArgumentException("--beam must be at least 1 (1 = greedy), was " + beam);
        }
        if (eval != null && input != null) {
            throw new IllegalArgumentException("give --input (translate lines) or --eval (measure accuracy), not both");
        }
        try (LanguageModel lm = LanguageModel.builder(model).backend(backend).threads(threads).seed(0).open()) {
            Seq2SeqRuntime runtime = lm.seq2seqRuntime().orElseThrow(() -> new IllegalArgumentException(model
                    + " holds a " + lm.config().modelType() + " model; translate needs an encoder-decoder (train --task "
                    + "seq2seq); use 'generate' for a GPT"));
            Tokenizer tokenizer = lm.tokenizer();
            int bos = tokenizer.bosId().getAsInt(); // LanguageModel checked that <bos> and <eos> exist
            int eos = tokenizer.eosId().getAsInt();
            return run(new SessionTranslator(new Seq2SeqGenerator(runtime, bos, eos), tokenizer, lm.contextLength(),
                    beam, lengthPenalty));
        }
    }

    /** Translates the input lines, or evaluates on the --eval pairs. */
    private int run(Translator translator) throws IOException {
        if (eval != null) {
            return evaluate(translator);
        }
        if (input != null) {
            if (!Files.isRegularFile(input)) {
                throw new IllegalArgumentException("--input: " + input + " is not a readable file");
            }
            List<String> lines = Files.readAllLines(input, StandardCharsets.UTF_8);
            for (int from = 0; from < lines.size(); from += batchSize) {
                print(translator, lines.subList(from, Math.min(lines.size(), from + batchSize)));
            }
        } else {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                print(translator, List.of(line));
            }
        }
        return 0;
    }

    private int evaluate(Translator translator) {
        if (!Files.isRegularFile(eval)) {
            throw new IllegalArgumentException("--eval: " + eval + " is not a readable file (expected source<TAB>target lines)");
        }
        List<Pair> pairs = DatePairsTsv.read(eval);
        long t0 = System.nanoTime();
        ExactMatch m = ExactMatch.evaluate(translator, pairs.stream().map(Pair::source).toList(),
                pairs.stream().map(Pair::target).toList(), batchSize);
        double seconds = (System.nanoTime() - t0) / 1e9;
        for (ExactMatch.Mistake x : m.mistakes().subList(0, Math.min(showMistakes, m.mistakes().size()))) {
            System.out.printf(Locale.ROOT, "wrong: %-40s -> %s (expected %s)%n", x.source(), x.got(), x.expected());
        }
        System.out.printf(Locale.ROOT, "%s on %s (%s, %.1f s)%n", m, eval, beam == 1 ? "greedy" : "beam " + beam, seconds);
        return 0;
    }

    private void print(Translator translator, List<String> lines) {
        List<String> nonEmpty = new ArrayList<>();
        for (String l : lines) {
            if (!l.isEmpty()) {
                nonEmpty.add(l);
            }
        }
        List<String> got = translator.translate(nonEmpty, batchSize);
        int k = 0;
        for (String l : lines) {
            System.out.println(l.isEmpty() ? "" : got.get(k++));
        }
        System.out.flush();
    }
}
