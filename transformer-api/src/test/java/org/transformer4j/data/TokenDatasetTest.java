package org.transformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.transformer4j.tokenizer.CharTokenizer;

class TokenDatasetTest {
    private static final String TEXT = "abcdefghij"; // char ids 0..9 in order

    @Test
    void splitsTheTokensNinetyTen() {
        TokenDataset d = TokenDataset.fromText(TEXT, CharTokenizer.fromText(TEXT), 0.9);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, d.train());
        assertArrayEquals(new int[] {9}, d.validation());
        TokenDataset half = TokenDataset.fromText(TEXT, CharTokenizer.fromText(TEXT), 0.55);
        // floor(10 * 0.55) = 5
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, half.train());
        assertArrayEquals(new int[] {5, 6, 7, 8, 9}, half.validation());
    }

    @Test
    void readsFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("input.txt");
        Files.writeString(file, "h\u00E9llo w\u00F6rld");
        CharTokenizer tok = CharTokenizer.fromText("h\u00E9llo w\u00F6rld");
        TokenDataset d = TokenDataset.fromFile(file, tok, 0.5);
        assertEquals(11, d.train().length + d.validation().length);
        assertEquals("h\u00E9llo", tok.decode(d.train()));
    }

    @Test
    void clearErrors(@TempDir Path dir) throws IOException {
        CharTokenizer tok = CharTokenizer.fromText(TEXT);
        for (double f : new double[] {0, 1, -0.1, 1.5, Double.NaN}) {
            var e = assertThrows(IllegalArgumentException.class, () -> TokenDataset.fromText(TEXT, tok, f));
            assertTrue(e.getMessage().contains("trainFraction"), e.getMessage());
        }
        Path missing = dir.resolve("no-such.txt");
        var e = assertThrows(NoSuchFileException.class, () -> TokenDataset.fromFile(missing, tok, 0.9));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        Path latin1 = dir.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'a', (byte) 0xE9, 'b'});
        var e2 = assertThrows(IOException.class, () -> TokenDataset.fromFile(latin1, tok, 0.9));
        assertTrue(e2.getMessage().contains(latin1.toString()) && e2.getMessage().contains("UTF-8"), e2.getMessage());
        // the validation split has 1 token: too short to sample sequences of 1 + 1 tokens
        TokenDataset d = TokenDataset.fromText(TEXT, tok, 0.9);
        var e3 = assertThrows(IllegalArgumentException.class, () -> d.validationSampler(2, 1, 0));
        assertTrue(e3.getMessage().contains("validation split") && e3.getMessage().contains("1 tokens"),
                e3.getMessage());
        assertEquals(8, d.trainSampler(2, 8, 0).blockSize());
        assertThrows(IllegalArgumentException.class, () -> d.trainSampler(2, 9, 0));
    }
}
