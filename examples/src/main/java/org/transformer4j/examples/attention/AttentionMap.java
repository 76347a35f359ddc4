package org.transformer4j.examples.attention;

import java.util.List;

/**
 * The attention weights of one head of one layer for one input, ready to plot with
 * {@link org.transformer4j.examples.plot.AttentionHeatmap}: {@code weights[query][key]}, one label per query
 * (row) and per key (column), and a title saying what it is.
 */
public record AttentionMap(float[][] weights, List<String> rowLabels, List<String> colLabels, String title) {
    public AttentionMap {
        rowLabels = List.copyOf(rowLabels);
        colLabels = List.copyOf(colLabels);
    }
}
