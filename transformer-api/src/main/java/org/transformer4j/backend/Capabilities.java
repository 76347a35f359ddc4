package org.transformer4j.backend;

import java.util.List;

/**
 * What a backend can do: train (gradients and optimizer), infer (forward and generation), and on which
 * devices ({@code cpu}, {@code gpu:0}...).
 */
public record Capabilities(boolean trains, boolean infers, List<String> devices) {
    public Capabilities {
        devices = List.copyOf(devices);
    }

    @Override
    public String toString() {
        return (trains ? "trains" : "no training") + ", " + (infers ? "infers" : "no inference") + ", devices " + devices;
    }
}
