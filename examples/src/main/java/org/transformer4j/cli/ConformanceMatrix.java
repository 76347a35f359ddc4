package org.transformer4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.transformer4j.conformance.CaseStatus;
import org.transformer4j.conformance.ConformanceCase;
import org.transformer4j.conformance.ConformanceKit;
import org.transformer4j.conformance.ConformanceReport;

/**
 * Lays out the reports of several candidates as one case x backend table, the reasons for failures and
 * unsupported cases (grouped, since a serving-only backend gives the same reason for many cases), and as JSON.
 */
final class ConformanceMatrix {
    private ConformanceMatrix() {
    }

    /** One row per case: name, tolerance, then each backend's verdict with its max abs / rel error. */
    static String table(ConformanceKit kit, List<ConformanceReport> reports) {
        List<String[]> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("case", "tolerance abs / rel"));
        for (ConformanceReport r : reports) {
            header.add(r.candidate() + ": verdict, max abs / rel error");
        }
        rows.add(header.toArray(String[]::new));
        for (ConformanceCase c : kit.cases()) {
            List<String> cells = new ArrayList<>();
            cells.add(c.name());
            cells.add(String.format(Locale.ROOT, "%.0e / %.0e", c.tolerance().abs(), c.tolerance().rel()));
            for (ConformanceReport r : reports) {
                cells.add(cell(r.row(c.name())));
            }
            rows.add(cells.toArray(String[]::new));
        }
        int columns = header.size();
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int i = 0; i < columns; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            line(sb, rows.get(r), width);
            if (r == 0) {
                String[] rule = new String[columns];
                for (int i = 0; i < columns; i++) {
                    rule[i] = "-".repeat(width[i]);
                }
                line(sb, rule, width);
            }
        }
        return sb.append('\n').toString();
    }

    /** Why cases failed or are not supported, per backend; identical reasons are listed once with their cases. */
    static String notes(List<ConformanceReport> reports) {
        StringBuilder sb = new StringBuilder();
        for (ConformanceReport r : reports) {
            Map<String, List<String>> unsupported = new LinkedHashMap<>();
            for (ConformanceReport.Row row : r.rows()) {
                if (row.status() == CaseStatus.FAIL) {
                    sb.append("FAIL ").append(r.candidate()).append(' ').append(row.name()).append(": ")
                            .append(row.detail()).append(" (tolerance ").append(row.tolerance()).append(")\n");
                } else if (row.status() == CaseStatus.NOT_SUPPORTED) {
                    unsupported.computeIfAbsent(row.detail(), k -> new ArrayList<>()).add(row.name());
                }
            }
            unsupported.forEach((reason, cases) -> sb.append("not supported by ").append(r.candidate()).append(" (")
                    .append(cases.size() == r.rows().size() ? "every case"
                            : cases.size() == 1 ? cases.getFirst() : cases.size() + " cases: " + String.join(", ", cases))
                    .append("): ").append(reason).append('\n'));
        }
        return sb.length() == 0 ? "" : sb.append('\n').toString();
    }

    /** Everything as one JSON document: the reference, the verdict, each candidate's report, skips and errors. */
    static String json(String reference, ConformanceKit kit, List<ConformanceReport> reports,
            Map<String, String> skipped, Map<String, String> errors) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("reference", reference);
        root.put("cases", kit.cases().size());
        root.put("passed", errors.isEmpty() && reports.stream().allMatch(ConformanceReport::passed));
        ArrayNode array = root.putArray("reports");
        try {
            for (ConformanceReport r : reports) {
                array.add(mapper.readTree(r.toJson()));
            }
            ArrayNode skips = root.putArray("skipped");
            skipped.forEach((name, why) -> skips.addObject().put("backend", name).put("reason", why));
            ArrayNode errs = root.putArray("errors");
            errors.forEach((name, why) -> errs.addObject().put("backend", name).put("error", why));
            return mapper.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write the conformance reports as JSON: " + e.getMessage(), e);
        }
    }

    private static String cell(ConformanceReport.Row row) {
        return switch (row.status()) {
            case NOT_SUPPORTED -> "not supported";
            case PASS, FAIL -> row.maxAbsError() == null
                    ? row.status() + (row.status() == CaseStatus.PASS ? " (refused as required)" : " (see below)")
                    : String.format(Locale.ROOT, "%s %.2e / %.2e", row.status(), row.maxAbsError(), row.maxRelError());
        };
    }

    private static void line(StringBuilder sb, String[] cells, int[] width) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i > 0) {
                line.append("  ");
            }
            line.append(cells[i]).append(" ".repeat(width[i] - cells[i].length()));
        }
        sb.append(line.toString().stripTrailing()).append('\n');
    }
}
