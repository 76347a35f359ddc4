package org.transformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.io.Safetensors;
import org.transformer4j.io.SafetensorsShards;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.testing.LlamaReferenceFixture;

/**
 * Llama-family Hugging Face directories read by {@link ModelDirectory#load}: the BF16 fixture as one file and as
 * shards with an index, and the generation settings from config.json's ids (Llama 3.1's eos list) or
 * generation_config.json.
 */
class LlamaDirectoryTest {

    @Test
    void readsOneFileOrShardsAndTheGenerationSettings(@TempDir Path tmp) throws IOException {
        Path dir = LlamaReferenceFixture.load("tiny-llama", tmp).modelDirectory();
        ModelDirectory one = ModelDirectory.load(dir);
        assertInstanceOf(LlamaConfig.class, one.config());
        assertEquals(GenerationDefaults.NONE, one.generationDefaults(), "config.json without ids, no generation_config");
        // the same weights as PyTorch's BF16 file read directly (BF16 -> float32 is exact)
        Map<String, HostTensor> raw = Safetensors.read(dir.resolve("model.safetensors")).tensors();
        assertEquals(raw.get("model.layers.1.mlp.down_proj.weight").floats().length,
                one.weights().get("model.layers.1.mlp.down_proj.weight").floats().length);

        Path sharded = Files.createDirectories(tmp.resolve("sharded"));
        for (String f : new String[] {"config.json", "tokenizer.json"}) {
            Files.copy(dir.resolve(f), sharded.resolve(f));
        }
        var files = SafetensorsShards.write(sharded, raw, Map.of("format", "pt"), 40_000);
        assertTrue(files.size() > 2, "more than one shard: " + files);
        String config = Files.readString(dir.resolve("config.json"));
        Files.writeString(sharded.resolve("config.json"), config.substring(0, config.lastIndexOf('}'))
                + ", \"bos_token_id\": 1, \"eos_token_id\": [7, 8, 9]}\n");
        ModelDirectory fromShards = ModelDirectory.load(sharded);
        assertEquals(one.weights(), fromShards.weights());
        assertEquals(Set.of(7, 8, 9), fromShards.generationDefaults().eosTokenIds(), "config.json's eos list");
        assertEquals(OptionalInt.of(1), fromShards.generationDefaults().bosTokenId());

        Files.writeString(sharded.resolve(ModelDirectory.GENERATION_CONFIG),
                "{\"eos_token_id\": [3, 4], \"max_new_tokens\": 5, \"do_sample\": true, \"temperature\": 0.6}");
        GenerationDefaults d = ModelDirectory.load(sharded).generationDefaults();
        assertEquals(Set.of(3, 4), d.eosTokenIds(), "generation_config.json wins over config.json");
        assertEquals(OptionalInt.of(1), d.bosTokenId(), "config.json fills what generation_config.json lacks");
        assertEquals(OptionalInt.of(5), d.maxNewTokens());
        assertEquals(0.6, d.temperature().getAsDouble(), 1e-12);

        Files.writeString(sharded.resolve(ModelDirectory.GENERATION_CONFIG), "{\"eos_token_id\": [3, \"x\"]}");
        String m = assertThrows(ConfigException.class, () -> ModelDirectory.load(sharded)).getMessage();
        assertTrue(m.contains("generation_config.json") && m.contains("eos_token_id"), m);
    }
}
