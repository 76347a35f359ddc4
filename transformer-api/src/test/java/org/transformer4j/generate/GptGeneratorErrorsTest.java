package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;

/** Prompts that cannot be generated from: clear errors; a long prompt is cropped only when asked. */
class GptGeneratorErrorsTest {
    private final GptModel model = TinyModels.gpt(6, 8, NormPlacement.PRE, PositionalEncodingType.LEARNED);
    private final GptGenerator generator = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 3));

    private String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void emptyPromptIsRefused() {
        assertTrue(error(() -> generator.generate(new int[0], GenerationOptions.greedy(2), t -> true))
                .contains("the prompt is empty"));
        assertTrue(error(() -> generator.beamSearch(new int[0], BeamSearchOptions.of(2, 2, java.util.Set.of())))
                .contains("the prompt is empty"));
    }

    @Test
    void idsOutsideTheVocabularyAreRefusedWithTheirPosition() {
        String high = error(() -> generator.generate(new int[] {1, 2, 6}, GenerationOptions.greedy(2), t -> true));
        assertTrue(high.contains("token 6 at position 2") && high.contains("[0, 6)"), high);
        String negative = error(() -> generator.generate(new int[] {-1}, GenerationOptions.greedy(2), t -> true));
        assertTrue(negative.contains("token -1 at position 0"), negative);
        String batched = error(() -> generator.generate(List.of(new int[] {1}, new int[] {0, 7}), GenerationOptions.greedy(2)));
        assertTrue(batched.startsWith("prompt 1: token 7 at position 1"), batched);
    }

    @Test
    void promptLongerThanTheContextIsRefusedUnlessCropped() {
        int[] prompt = {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4};
        String refused = error(() -> generator.generate(prompt, GenerationOptions.greedy(3), t -> true));
        assertTrue(refused.contains("has 11 tokens but the model's context is 8") && refused.contains("cropping"), refused);
        int[] cropped = generator.generate(prompt, GenerationOptions.greedy(3).withCropPrompt(true), t -> true);
        int[] lastEight = Arrays.copyOfRange(prompt, 3, 11);
        assertArrayEquals(generator.generate(lastEight, GenerationOptions.greedy(3), t -> true), cropped);
        assertEquals(3, cropped.length);
        assertTrue(error(() -> generator.beamSearch(prompt, BeamSearchOptions.of(2, 1, java.util.Set.of())))
                .contains("has 11 tokens"));
        assertEquals(1, generator.beamSearch(prompt, BeamSearchOptions.of(2, 1, java.util.Set.of()), true).get(0).tokens().length);
    }

    @Test
    void batchArgumentsAreChecked() {
        assertTrue(error(() -> generator.generate(List.of(), GenerationOptions.greedy(2))).contains("no prompts"));
        assertTrue(error(() -> generator.generate(List.of(new int[] {1}), List.of(), (r, t) -> true))
                .contains("1 prompts but 0 generation options"));
        List<int[]> out = generator.generate(List.of(new int[] {1}, new int[] {2, 3}),
                List.of(GenerationOptions.greedy(0), GenerationOptions.greedy(2)), (r, t) -> true);
        assertEquals(0, out.get(0).length);
        assertEquals(2, out.get(1).length);
    }
}
