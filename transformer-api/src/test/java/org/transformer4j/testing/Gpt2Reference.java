package org.transformer4j.testing;

/**
 * Hugging Face's GPT-2 forward pass ({@code modeling_gpt2.py}) written out in scalar double precision over the
 * weights of a {@link HfGpt2Fixture}, as an oracle independent of the project's model and ops:
 * <pre>
 *   h = wte[ids] + wpe[0..T)
 *   per block:  a = ln_1(h);  q,k,v = split(a·W_attn + b_attn);  per head softmax(q kᵀ/√d + causal) v
 *               h = h + (concat heads)·W_proj + b_proj
 *               m = ln_2(h);  h = h + gelu_new(m·W_fc + b_fc)·W_mproj + b_mproj
 *   logits = ln_f(h) · lm_headᵀ   (lm_head = wte when tied)
 * </pre>
 * with Conv1D weights {@code [in, out]} ({@code y = x·W + b}), layer norm with the biased variance and epsilon
 * 1e-5, and {@code gelu_new(x) = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))}.
 */
public final class Gpt2Reference {
    private static final double EPS = 1e-5;
    private final HfGpt2Fixture f;

    public Gpt2Reference(HfGpt2Fixture fixture) {
        this.f = fixture;
    }

    /** Logits {@code [T][V]} of one sequence. */
    public double[][] logits(int[] ids) {
        HfGpt2Fixture.Sizes s = f.sizes();
        int t = ids.length;
        int c = s.width();
        double[][] h = new double[t][c];
        float[] wte = f.weight("wte.weight");
        float[] wpe = f.weight("wpe.weight");
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < c; j++) {
                h[i][j] = (double) wte[ids[i] * c + j] + wpe[i * c + j];
            }
        }
        int heads = s.heads();
        int hd = c / heads;
        for (int l = 0; l < s.layers(); l++) {
            String p = "h." + l + ".";
            double[][] a = layerNorm(h, p + "ln_1");
            double[][] qkv = conv1d(a, p + "attn.c_attn", 3 * c);
            double[][] att = new double[t][c];
            for (int hh = 0; hh < heads; hh++) {
                for (int i = 0; i < t; i++) {
                    double[] scores = new double[i + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double dot = 0;
                        for (int d = 0; d < hd; d++) {
                            dot += qkv[i][hh * hd + d] * qkv[j][c + hh * hd + d];
                        }
                        scores[j] = dot / Math.sqrt(hd);
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    for (int j = 0; j <= i; j++) {
                        for (int d = 0; d < hd; d++) {
                            att[i][hh * hd + d] += scores[j] / sum * qkv[j][2 * c + hh * hd + d];
                        }
                    }
                }
            }
            add(h, conv1d(att, p + "attn.c_proj", c));
            double[][] m = conv1d(layerNorm(h, p + "ln_2"), p + "mlp.c_fc", s.inner());
            for (double[] row : m) {
                for (int j = 0; j < row.length; j++) {
                    row[j] = geluNew(row[j]);
                }
            }
            add(h, conv1d(m, p + "mlp.c_proj", c));
        }
        double[][] x = layerNorm(h, "ln_f");
        float[] head = f.tied() ? wte : f.weight("lm_head.weight");
        double[][] logits = new double[t][s.vocab()];
        for (int i = 0; i < t; i++) {
            for (int v = 0; v < s.vocab(); v++) {
                double dot = 0;
                for (int j = 0; j < c; j++) {
                    dot += x[i][j] * head[v * c + j];
                }
                logits[i][v] = dot;
            }
        }
        return logits;
    }

    /** Greedy continuation of {@code prompt} by {@code n} tokens, recomputing the whole sequence each step. */
    public int[] greedy(int[] prompt, int n) {
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + n);
        for (int k = 0; k < n; k++) {
            double[][] l = logits(java.util.Arrays.copyOf(seq, prompt.length + k));
            double[] last = l[l.length - 1];
            int best = 0;
            for (int v = 1; v < last.length; v++) {
                if (last[v] > last[best]) {
                    best = v;
                }
            }
            seq[prompt.length + k] = best;
        }
        return java.util.Arrays.copyOfRange(seq, prompt.length, seq.length);
    }

    public static double geluNew(double x) {
        return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    private double[][] layerNorm(double[][] x, String name) {
        float[] g = f.weight(name + ".weight");
        float[] b = f.weight(name + ".bias");
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            int c = x[i].length;
            double mean = 0;
            for (double v : x[i]) {
                mean += v;
            }
            mean /= c;
            double var = 0;
            for (double v : x[i]) {
                var += (v - mean) * (v - mean);
            }
            var /= c;
            out[i] = new double[c];
            for (int j = 0; j < c; j++) {
                out[i][j] = (x[i][j] - mean) / Math.sqrt(var + EPS) * g[j] + b[j];
            }
        }
        return out;
    }

    /** Conv1D: {@code y = x·W + b} with {@code W [in, out]}. */
    private double[][] conv1d(double[][] x, String name, int out) {
        float[] w = f.weight(name + ".weight");
        float[] b = f.weight(name + ".bias");
        double[][] y = new double[x.length][out];
        for (int i = 0; i < x.length; i++) {
            int in = x[i].length;
            for (int o = 0; o < out; o++) {
                double sum = b[o];
                for (int k = 0; k < in; k++) {
                    sum += x[i][k] * w[k * out + o];
                }
                y[i][o] = sum;
            }
        }
        return y;
    }

    private static void add(double[][] h, double[][] d) {
        for (int i = 0; i < h.length; i++) {
            for (int j = 0; j < h[i].length; j++) {
                h[i][j] += d[i][j];
            }
        }
    }
}
