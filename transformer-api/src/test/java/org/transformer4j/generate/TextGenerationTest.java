package org.transformer4j.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.transformer4j.model.GptModel;
import org.transformer4j.nn.NormPlacement;
import org.transformer4j.nn.PositionalEncodingType;
import org.transformer4j.tokenizer.ByteLevelBpeTokenizer;
import org.transformer4j.tokenizer.CharTokenizer;
import org.transformer4j.tokenizer.Tokenizer;

/** Text-level generation: stop strings found in the decoded text, trimmed, never streamed. */
class TextGenerationTest {
    private static final CharTokenizer CHARS = CharTokenizer.fromText("abcdefghij\n ", List.of("<br>"));

    /** Pushes each character of {@code text} (one token each) and returns the pieces streamed, "|"-separated. */
    private static String pieces(StopStringStream stream, Tokenizer tokenizer, String text) {
        List<String> out = new ArrayList<>();
        for (int id : tokenizer.encode(text)) {
            out.add(stream.push(id));
            if (stream.stopped()) {
                break;
            }
        }
        out.add(stream.finish());
        return String.join("|", out);
    }

    @Test
    void streamHoldsBackPossibleStopBeginningsAndCutsBeforeTheStop() {
        StopStringStream s = new StopStringStream(CHARS, List.of("\n\n"));
        // a, b shown at once; "\n" held (could begin "\n\n"), released with c; the second "\n\n" stops
        assertEquals("a|b||\nc|||", pieces(s, CHARS, "ab\nc\n\nij"));
        assertTrue(s.stopped());
        assertEquals("\n\n", s.matchedStop());
        assertEquals("ab\nc", s.text());
        assertThrows(IllegalStateException.class, () -> s.push(0));
    }

    @Test
    void streamWithoutAStopReleasesTheHeldTextAtTheEnd() {
        StopStringStream s = new StopStringStream(CHARS, List.of("jjj", "ceg"));
        // "c" held (begins "ceg"), "ce" held, "ceh" released; "jj" held to the end, then flushed
        assertEquals("a|||ceh|||jj", pieces(s, CHARS, "acehjj"));
        assertFalse(s.stopped());
        assertNull(s.matchedStop());
        assertEquals("acehjj", s.text());
    }

    @Test
    void aStopInsideAMultiCharacterTokenCutsInsideIt() {
        StopStringStream s = new StopStringStream(CHARS, List.of("r>b"));
        // "<br>" decodes to four characters: "<b" shown, "r>" held; then "b" completes "r>b"
        assertEquals("a|<b||", pieces(s, CHARS, "a<br>bc"));
        assertEquals("a<b", s.text());
    }

    @Test
    void anIncompleteUtf8CharacterIsHeldUntilItsLastByte() {
        ByteLevelBpeTokenizer bytes = ByteLevelBpeTokenizer.train("plain ascii", 256, List.of());
        int[] ids = bytes.encode("aé");
        assertEquals(3, ids.length, "a, then the two bytes of é");
        StopStringStream s = new StopStringStream(bytes, List.of());
        assertEquals("a", s.push(ids[0]));
        assertEquals("", s.push(ids[1]));
        assertEquals("é", s.push(ids[2]));
        assertEquals("", s.finish());
    }

    @Test
    void emptyStopStringsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new StopStringStream(CHARS, List.of("")));
    }

    @Test
    void textGeneratorStopsAtTheFirstStopStringAndTrimsIt() {
        GptModel model = TinyModels.gpt(CHARS.vocabSize(), 64, NormPlacement.PRE, PositionalEncodingType.LEARNED);
        GptGenerator gpt = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 81));
        TextGenerator text = new TextGenerator(gpt, CHARS);
        GenerationOptions options = GenerationOptions.sampling(40, 1.0f, 0, 5);
        GeneratedText free = text.generate("abc", options);
        assertEquals(40, free.tokens().length);
        assertEquals(CHARS.decode(free.tokens()), free.text());
        assertNull(free.stopString());
        // a stop string taken from the middle of that output: the text ends before its first occurrence
        String t = free.text();
        String stop = t.substring(20, 22);
        int at = t.indexOf(stop);
        StringBuilder streamed = new StringBuilder();
        GeneratedText cut = text.generate("abc", options.withStopStrings(List.of(stop, "zzzz-never")), streamed::append);
        assertEquals(t.substring(0, at), cut.text());
        assertEquals(cut.text(), streamed.toString(), "the streamed pieces are the trimmed text");
        assertEquals(stop, cut.stopString());
        assertArrayEquals(Arrays.copyOf(free.tokens(), CHARS.encode(t.substring(0, at + stop.length())).length), cut.tokens(),
                "generation stops at the token that completes the stop string");
    }

    @Test
    void aStopTokenEndsTheTextWithoutAppearingInIt() {
        GptModel model = TinyModels.gpt(CHARS.vocabSize(), 64, NormPlacement.POST, PositionalEncodingType.SINUSOIDAL);
        GptGenerator gpt = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 82));
        TextGenerator text = new TextGenerator(gpt, CHARS);
        GenerationOptions options = GenerationOptions.sampling(30, 1.0f, 0, 9);
        int[] free = text.generate("j", options).tokens();
        int stopToken = free[6];
        int first = 0;
        while (free[first] != stopToken) {
            first++;
        }
        GeneratedText r = text.generate("j", options.withStopTokens(Set.of(stopToken)));
        assertEquals(CHARS.decode(Arrays.copyOf(free, first)), r.text());
        assertArrayEquals(Arrays.copyOf(free, first + 1), r.tokens());
    }

    @Test
    void aTokenizerLargerThanTheModelIsRefused() {
        GptModel model = TinyModels.gpt(5, 16, NormPlacement.PRE, PositionalEncodingType.LEARNED);
        GptGenerator gpt = new GptGenerator(model, TinyModels.OPS, TinyModels.weights(model.parameterSpecs(), 1));
        var e = assertThrows(IllegalArgumentException.class, () -> new TextGenerator(gpt, CHARS));
        assertTrue(e.getMessage().contains("13 ids") && e.getMessage().contains("vocabulary is 5"), e.getMessage());
    }
}
