package org.transformer4j.lora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.io.CheckpointFormatException;
import org.transformer4j.io.Safetensors;
import org.transformer4j.tensor.HostTensor;
import org.transformer4j.tensor.Shape;

/**
 * The PEFT adapter files: what is written reads back equal; the merge is {@code W + (alpha/r)·B·A} computed here by
 * hand on a 2 x 3 layer; adapter configs that would change the function in ways not implemented (DoRA, rsLoRA,
 * trained biases, another PEFT method, per-layer ranks) and broken tensor files are refused, naming the field or
 * tensor.
 */
class LoraAdapterTest {
    private static final String LAYER = "model.layers.0.self_attn.q_proj";

    private static LoraAdapter adapter() {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put(LoraModel.loraA(LAYER), HostTensor.ofFloats(Shape.of(1, 3), new float[] {1, 2, 3}));
        t.put(LoraModel.loraB(LAYER), HostTensor.ofFloats(Shape.of(2, 1), new float[] {0.5f, -1}));
        return new LoraAdapter(new LoraConfig(1, 4f, List.of("q_proj"), 0.1f), "base", LoraAdapter.CAUSAL_LM, false, t);
    }

    @Test
    void mergeAddsTheScaledProductAndLeavesOtherWeightsAlone() {
        HostTensor w = HostTensor.ofFloats(Shape.of(2, 3), new float[] {1, 1, 1, 0, 0, 0});
        HostTensor other = HostTensor.ofFloats(Shape.of(3), new float[] {7, 8, 9});
        Map<String, HostTensor> merged = adapter().merge(Map.of(LAYER + ".weight", w, "model.norm.weight", other));
        // scale 4: row 0 = 1 + 4*0.5*[1,2,3] = [3,5,7]; row 1 = 0 + 4*(-1)*[1,2,3] = [-4,-8,-12]
        assertThat(merged.get(LAYER + ".weight").floats()).containsExactly(3, 5, 7, -4, -8, -12);
        assertThat(merged.get("model.norm.weight")).isSameAs(other);
        assertThatThrownBy(() -> adapter().merge(Map.of("model.norm.weight", other)))
                .hasMessageContaining("no linear layer '" + LAYER + "'").hasMessageContaining("trained on base");
    }

    @Test
    void writtenFilesReadBackEqualWithPeftsFields(@TempDir Path dir) throws Exception {
        adapter().save(dir);
        assertThat(LoraAdapter.load(dir)).isEqualTo(adapter());
        String json = Files.readString(dir.resolve(LoraAdapter.CONFIG));
        assertThat(json).contains("\"peft_type\" : \"LORA\"", "\"r\" : 1", "\"lora_alpha\" : 4", "\"bias\" : \"none\"",
                "\"task_type\" : \"CAUSAL_LM\"", "\"fan_in_fan_out\" : false", "\"base_model_name_or_path\" : \"base\"",
                "\"target_modules\" : [ \"q_proj\" ]", "\"lora_dropout\" : 0.1");
    }

    @Test
    void configsAskingForWhatIsNotImplementedAreRefusedByField(@TempDir Path dir) throws Exception {
        adapter().save(dir);
        String good = Files.readString(dir.resolve(LoraAdapter.CONFIG));
        String[][] cases = {
            {"\"use_dora\" : false", "\"use_dora\" : true", "use_dora"},
            {"\"use_rslora\" : false", "\"use_rslora\" : true", "use_rslora"},
            {"\"bias\" : \"none\"", "\"bias\" : \"all\"", "bias is 'all'"},
            {"\"peft_type\" : \"LORA\"", "\"peft_type\" : \"IA3\"", "peft_type is 'IA3'"},
            {"\"rank_pattern\" : { }", "\"rank_pattern\" : {\"q_proj\": 4}", "rank_pattern"},
            {"\"r\" : 1", "\"r\" : 2", "r = 2"},
        };
        for (String[] c : cases) {
            assertThat(good).contains(c[0]);
            Files.writeString(dir.resolve(LoraAdapter.CONFIG), good.replace(c[0], c[1]));
            assertThatThrownBy(() -> LoraAdapter.load(dir)).as(c[1]).isInstanceOf(CheckpointFormatException.class)
                    .hasMessageContaining(c[2]);
        }
        Files.writeString(dir.resolve(LoraAdapter.CONFIG), good);
        Safetensors.write(dir.resolve(LoraAdapter.WEIGHTS), Map.of(LoraModel.loraA(LAYER),
                HostTensor.ofFloats(Shape.of(1, 3), new float[3])), Map.of());
        assertThatThrownBy(() -> LoraAdapter.load(dir)).hasMessageContaining("has no partner");
        Files.delete(dir.resolve(LoraAdapter.WEIGHTS));
        Files.writeString(dir.resolve("adapter_model.bin"), "pickle");
        assertThatThrownBy(() -> LoraAdapter.load(dir)).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("safe_serialization=True");
    }
}
