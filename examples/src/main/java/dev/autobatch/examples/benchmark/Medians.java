package dev.autobatch.examples.benchmark;

import java.util.Arrays;

/** The median the benchmarks report: robust to the odd slow round a shared CPU gives. */
final class Medians {

    private Medians() {}

    /**
     * Returns the median, the mean of the middle two for an even count.
     *
     * @param values at least one value
     * @return the median
     */
    static double of(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
