package dev.autobatch.autotune.search;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;

/**
 * One model's measured batch-size curve, as in {@code /work/shared/traces/README.md}: step time
 * and peak memory at power-of-two sizes, the smallest size that ran out of memory, and {@code
 * max_fit}. Answers for any size by the README's replay rule.
 */
final class Trace {

    final String name;
    final long totalBytes;
    private final long[] sizes;
    private final double[] steps;
    private final double[] peaks;
    private final long smallestOom;
    private final long maxFit;

    private Trace(String name, long totalBytes, List<double[]> sweep, long smallestOom, long maxFit) {
        this.name = name;
        this.totalBytes = totalBytes;
        sweep.sort((a, b) -> Double.compare(a[0], b[0]));
        sizes = new long[sweep.size()];
        steps = new double[sweep.size()];
        peaks = new double[sweep.size()];
        for (int i = 0; i < sweep.size(); i++) {
            sizes[i] = (long) sweep.get(i)[0];
            steps[i] = sweep.get(i)[1];
            peaks[i] = sweep.get(i)[2];
        }
        this.smallestOom = smallestOom;
        this.maxFit = maxFit;
    }

    /** Loads a JSONL trace from the test resources, such as {@code "traces/h100-mlp.jsonl"}. */
    static Trace load(String resource) {
        String name = resource.substring(resource.lastIndexOf('/') + 1).replace(".jsonl", "");
        long total = -1;
        long oom = Long.MAX_VALUE;
        long maxFit = -1;
        List<double[]> sweep = new ArrayList<>();
        try (InputStream in = Trace.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonObject o = JsonParser.parseString(line).getAsJsonObject();
                switch (o.get("kind").getAsString()) {
                    case "device" -> total = o.get("total_bytes").getAsLong();
                    case "sweep" -> {
                        long bs = o.get("bs").getAsLong();
                        if (o.has("oom") && o.get("oom").getAsBoolean()) {
                            oom = Math.min(oom, bs);
                        } else {
                            sweep.add(new double[] {
                                bs,
                                o.get("step_s").getAsDouble(),
                                o.get("peak_bytes").getAsDouble()
                            });
                        }
                    }
                    case "max_fit" -> maxFit = o.get("bs").getAsLong();
                    default -> {} // peer results: not needed to replay
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Trace(name, total, sweep, oom, maxFit);
    }

    /**
     * Measures a synthetic model the way the real traces were made: every power of two from 1
     * until the first that does not fit the device, and {@code max_fit} found on the curve itself.
     */
    static Trace synthetic(
            String name, long totalBytes, DoubleUnaryOperator stepSeconds, DoubleUnaryOperator peakBytes) {
        List<double[]> sweep = new ArrayList<>();
        long b = 1;
        while (peakBytes.applyAsDouble(b) <= totalBytes) {
            sweep.add(new double[] {b, stepSeconds.applyAsDouble(b), peakBytes.applyAsDouble(b)});
            b *= 2;
        }
        long lo = b / 2;
        long hi = b;
        while (hi - lo > 1) {
            long mid = (lo + hi) / 2;
            if (peakBytes.applyAsDouble(mid) <= totalBytes) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return new Trace(name, totalBytes, sweep, b, lo);
    }

    /** Replay rule 1: above {@code max_fit}, or at or above the smallest size that ran out of memory. */
    boolean outOfMemory(long b) {
        return (maxFit > 0 && b > maxFit) || b >= smallestOom;
    }

    /** Replay rule 2, step seconds. */
    double stepSeconds(long b) {
        return interpolate(steps, b);
    }

    /** Replay rule 2, peak bytes. */
    double peakBytes(long b) {
        return interpolate(peaks, b);
    }

    double samplesPerSecond(long b) {
        return b / stepSeconds(b);
    }

    /** The largest size that runs: {@code max_fit}, else the largest measured size. */
    long largestFit() {
        return maxFit > 0 ? maxFit : sizes[sizes.length - 1];
    }

    /** The largest size that runs with a true peak within the budget. */
    long largestFitWithin(long budgetBytes) {
        long lo = 0;
        long hi = largestFit();
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (peakBytes(mid) <= budgetBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /**
     * The best throughput of any size up to {@code limit}. Step time is linear between measured
     * sizes, so throughput is monotone there and the best lies on a measured size or the limit.
     */
    double bestSamplesPerSecond(long limit) {
        double best = samplesPerSecond(limit);
        for (long s : sizes) {
            if (s <= limit) {
                best = Math.max(best, samplesPerSecond(s));
            }
        }
        return best;
    }

    /**
     * The smallest power of two from 2 whose throughput is within {@code threshold} of the best of
     * any size that fits: where a careful sweep of powers of two says more batch stops paying.
     */
    long knee(double threshold) {
        double best = bestSamplesPerSecond(largestFit());
        for (long b = 2; b <= largestFit(); b *= 2) {
            if (samplesPerSecond(b) >= (1 - threshold) * best) {
                return b;
            }
        }
        return largestFit();
    }

    /** Trials plain doubling from {@code start} takes until its first out-of-memory trial, included. */
    int doublingTrials(int start) {
        int n = 1;
        for (long b = start; !outOfMemory(b); b *= 2) {
            n++;
        }
        return n;
    }

    private double interpolate(double[] ys, long b) {
        int n = sizes.length;
        int hi = 1;
        while (hi < n - 1 && sizes[hi] < b) {
            hi++;
        }
        int lo = hi - 1;
        if (b == sizes[lo]) {
            return ys[lo];
        }
        return ys[lo] + (ys[hi] - ys[lo]) * (b - sizes[lo]) / (double) (sizes[hi] - sizes[lo]);
    }

    @Override
    public String toString() {
        return name;
    }
}
