package org.transformer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.transformer4j.lora.LoraAdapter;
import org.transformer4j.model.ModelDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code merge}: folds a LoRA adapter (PEFT's layout, e.g. from {@code train --lora-rank}) into its base model and
 * writes a full model directory in the base's layout ({@code W + (alpha/r)·B·A}, PEFT's {@code merge_and_unload}):
 * the result loads, generates, fine-tunes and exports like any model directory, without the adapter.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge a LoRA adapter (adapter_config.json + adapter_model.safetensors) into its base model and "
                + "write the full model directory, in the base's layout."})
final class MergeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "DIR", description = "the base model directory the "
            + "adapter was trained on") Path model;
    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "the adapter directory") Path adapter;
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "where to write the merged model "
            + "(not the base's own directory)") Path out;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && Files.exists(model) && Files.isSameFile(out, model)) {
            throw new IllegalArgumentException("--out " + out + " is the base model's directory; write the merged model"
                    + " elsewhere so that the base stays as it was");
        }
        LoraAdapter a = LoraAdapter.load(adapter);
        ModelDirectory merged = a.merge(ModelDirectory.load(model));
        merged.save(out);
        System.out.printf(java.util.Locale.ROOT, "merged LoRA r=%d alpha=%s (%d layers) into %s: %s%n",
                a.config().rank(), a.config().alpha(), a.layers().size(), model, out);
        return 0;
    }
}
