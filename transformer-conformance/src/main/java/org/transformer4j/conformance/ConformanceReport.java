package org.transformer4j.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The outcome of a {@link ConformanceKit} run: one row per case, in catalogue order. The run
 * {@link #passed()} when no case FAILed; NOT_SUPPORTED rows do not fail it (a serving backend need not
 * train), but they are listed and counted.
 *
 * @param reference the reference engine's backend name
 * @param candidate the candidate engine's backend name
 * @param rows      one row per case
 */
public record ConformanceReport(String reference, String candidate, List<Row> rows) {

    /**
     * Checks the engine names and copies the rows.
     *
     * @throws NullPointerException when an engine name or the rows are null
     */
    public ConformanceReport {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(candidate, "candidate");
        rows = List.copyOf(rows);
    }

    /**
     * One case's outcome.
     *
     * @param name        the case name
     * @param description what the case checks
     * @param status      the verdict
     * @param maxAbsError the largest absolute error, or null when no numbers were compared
     * @param maxRelError the largest relative error, or null when no numbers were compared
     * @param worstIndex  the flat index of the worst element, or -1
     * @param tolerance   the case's tolerance
     * @param detail      the explanation (comparison summary, error, or why not supported)
     */
    public record Row(String name, String description, CaseStatus status, Double maxAbsError, Double maxRelError,
            int worstIndex, Tolerance tolerance, String detail) {

        /**
         * Checks that name, verdict, tolerance and detail are present.
         *
         * @throws NullPointerException when one of them is null
         */
        public Row {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(tolerance, "tolerance");
            Objects.requireNonNull(detail, "detail");
        }

        /**
         * The row of one case's result; the error maxima only when numbers were compared.
         *
         * @param c      the case
         * @param result what it found
         * @return the row
         */
        public static Row of(ConformanceCase c, CaseResult result) {
            Comparison cmp = result.comparison();
            boolean numbers = cmp != null && cmp.problem() == null;
            return new Row(c.name(), c.description(), result.status(), numbers ? cmp.maxAbsError() : null,
                    numbers ? cmp.maxRelError() : null, numbers ? cmp.worstIndex() : -1, c.tolerance(),
                    result.detail());
        }
    }

    /** {@return true when no case failed} NOT_SUPPORTED rows are allowed. */
    public boolean passed() {
        return count(CaseStatus.FAIL) == 0;
    }

    /**
     * How many rows have a verdict.
     *
     * @param status the verdict
     * @return the number of rows with it
     */
    public long count(CaseStatus status) {
        return rows.stream().filter(r -> r.status() == status).count();
    }

    /**
     * The row of one case.
     *
     * @param name the case's name
     * @return its row
     * @throws IllegalArgumentException naming the cases when there is none called {@code name}
     */
    public Row row(String name) {
        return rows.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("no case named '" + name + "' in this report; cases: "
                        + rows.stream().map(Row::name).toList()));
    }

    /** {@return a one-line summary: the engines and the counts per verdict} */
    public String summary() {
        return "candidate '" + candidate + "' vs reference '" + reference + "': " + count(CaseStatus.PASS)
                + " passed, " + count(CaseStatus.FAIL) + " failed, " + count(CaseStatus.NOT_SUPPORTED)
                + " not supported" + (passed() ? "" : " -> FAILED");
    }

    /** {@return a plain-text table, columns aligned, one row per case, then the summary} */
    public String toTable() {
        String[] header = {"case", "status", "max abs", "max rel", "tol abs", "tol rel", "detail"};
        String[][] cells = new String[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            cells[i] = new String[] {r.name(), r.status().name(), number(r.maxAbsError()), number(r.maxRelError()),
                number(r.tolerance().abs()), number(r.tolerance().rel()),
                r.status() == CaseStatus.PASS ? "" : r.detail()};
        }
        int[] width = new int[header.length];
        for (int c = 0; c < header.length; c++) {
            width[c] = header[c].length();
            for (String[] row : cells) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        StringBuilder rule = new StringBuilder();
        for (int c = 0; c < header.length; c++) {
            rule.append(c == 0 ? "" : "  ").append("-".repeat(c == header.length - 1 ? header[c].length() : width[c]));
        }
        sb.append(rule).append('\n');
        for (String[] row : cells) {
            line(sb, row, width);
        }
        sb.append(summary()).append('\n');
        return sb.toString();
    }

    /**
     * {@return the report as pretty-printed JSON} Engines, verdict, counts and rows (tolerance with its reason); a
     * missing error is null, a non-finite one its text, as JSON has no NaN.
     */
    public String toJson() {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("reference", reference);
        root.put("candidate", candidate);
        root.put("passed", passed());
        ObjectNode counts = root.putObject("counts");
        for (CaseStatus s : CaseStatus.values()) {
            counts.put(s.name(), count(s));
        }
        ArrayNode array = root.putArray("rows");
        for (Row r : rows) {
            ObjectNode o = array.addObject();
            o.put("case", r.name());
            o.put("description", r.description());
            o.put("status", r.status().name());
            putNumber(o, "maxAbsError", r.maxAbsError());
            putNumber(o, "maxRelError", r.maxRelError());
            o.put("worstIndex", r.worstIndex());
            ObjectNode tol = o.putObject("tolerance");
            tol.put("abs", r.tolerance().abs());
            tol.put("rel", r.tolerance().rel());
            tol.put("reason", r.tolerance().reason());
            o.put("detail", r.detail());
        }
        try {
            return mapper.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("could not write the conformance report as JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return summary();
    }

    private static void putNumber(ObjectNode o, String field, Double value) {
        if (value == null || !Double.isFinite(value)) {
            // JSON has no NaN: a missing comparison is null, a non-finite error is written as text.
            if (value == null) {
                o.putNull(field);
            } else {
                o.put(field, value.toString());
            }
        } else {
            o.put(field, value);
        }
    }

    private static String number(Double d) {
        if (d == null) {
            return "-";
        }
        return String.format(Locale.ROOT, "%.2e", d);
    }

    private static void line(StringBuilder sb, String[] cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) {
                line.append("  ");
            }
            line.append(c == cells.length - 1 ? cells[c] : pad(cells[c], width[c]));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(w - s.length());
    }
}
