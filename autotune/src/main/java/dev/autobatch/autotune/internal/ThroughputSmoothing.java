package dev.autobatch.autotune.internal;

import java.util.Arrays;

/**
 * Throughput estimates that one noisy measurement cannot inflate, and an estimate of the timing
 * noise itself. CPU timings jitter by 10% or more from one trial to the next; choosing the raw
 * maximum would choose the luckiest trial.
 *
 * <p>What the neighbours imply for a size is its throughput interpolated between the nearest
 * measured sizes on either side, linearly in log throughput against log batch size (exact where
 * throughput follows a power of the batch, as it does while it rises in proportion); at the two
 * ends of the range, extrapolated the same way from the nearest two. Each size is credited with the
 * smaller of its own measurement and that: a spike is cut back to its neighbours' level, a dip
 * stays a dip, which only makes the search prefer a neighbour.
 */
public final class ThroughputSmoothing {

    /** How many other sizes the noise estimate fits each size's line through. */
    public static final int NOISE_NEIGHBOURS = 4;

    private ThroughputSmoothing() {}

    /**
     * Returns the estimates.
     *
     * @param batchSizes the batch sizes, strictly increasing
     * @param samplesPerSecond the measured throughputs, each positive, as many as the sizes
     * @return one estimate a size in samples per second, at most the measured value; the measured
     *     values themselves when fewer than three sizes were measured
     */
    public static double[] estimate(long[] batchSizes, double[] samplesPerSecond) {
        double[] estimates = samplesPerSecond.clone();
        double[] implied = implied(batchSizes, samplesPerSecond);
        for (int i = 0; i < implied.length; i++) {
            if (!Double.isNaN(implied[i])) {
                estimates[i] = Math.min(samplesPerSecond[i], implied[i]);
            }
        }
        return estimates;
    }

    /**
     * Estimates the timing noise: the median over sizes of how far each measured step time lies
     * from the {@linkplain LeastSquares#fitRelative relative least-squares} line through up to
     * {@value #NOISE_NEIGHBOURS} other sizes nearest in rank, as {@code |ln(measured / line)|}. A
     * straight step-time line is exact while throughput saturates ({@link StepTimeModel}), so on a
     * curve measured without noise this is near zero (a kink moves a few sizes, which the median
     * ignores: 1.8% on the H100 MLP trace); with independent jitter of up to 15% it is about 8%.
     *
     * @param batchSizes the batch sizes, strictly increasing
     * @param samplesPerSecond the measured throughputs, each positive
     * @return the relative noise; zero when fewer than five sizes were measured (too few to tell)
     */
    public static double noise(long[] batchSizes, double[] samplesPerSecond) {
        int n = batchSizes.length;
        if (samplesPerSecond.length != n) {
            throw new IllegalArgumentException(
                    "need one throughput a batch size, got " + n + " sizes and " + samplesPerSecond.length);
        }
        if (n < NOISE_NEIGHBOURS + 1) {
            return 0;
        }
        double[] steps = new double[n];
        for (int i = 0; i < n; i++) {
            steps[i] = batchSizes[i] / samplesPerSecond[i];
        }
        double[] deviations = new double[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            // The window of NOISE_NEIGHBOURS + 1 ranks around i, shifted inwards at the ends.
            int from = Math.max(0, Math.min(i - NOISE_NEIGHBOURS / 2, n - 1 - NOISE_NEIGHBOURS));
            double[] x = new double[NOISE_NEIGHBOURS];
            double[] y = new double[NOISE_NEIGHBOURS];
            int j = 0;
            for (int r = from; r <= from + NOISE_NEIGHBOURS; r++) {
                if (r != i) {
                    x[j] = batchSizes[r];
                    y[j] = steps[r];
                    j++;
                }
            }
            double line = LeastSquares.fitRelative(x, y).at(batchSizes[i]);
            if (line > 0) {
                deviations[m++] = Math.abs(Math.log(steps[i] / line));
            }
        }
        if (m == 0) {
            return 0;
        }
        double[] sorted = Arrays.copyOf(deviations, m);
        Arrays.sort(sorted);
        return m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    }

    /** Each size's throughput as its neighbours imply it; {@code NaN} with fewer than three sizes. */
    private static double[] implied(long[] batchSizes, double[] samplesPerSecond) {
        int n = batchSizes.length;
        if (samplesPerSecond.length != n) {
            throw new IllegalArgumentException(
                    "need one throughput a batch size, got " + n + " sizes and " + samplesPerSecond.length);
        }
        double[] implied = new double[n];
        Arrays.fill(implied, Double.NaN);
        if (n < 3) {
            return implied;
        }
        for (int i = 0; i < n; i++) {
            int a = i == 0 ? 1 : i == n - 1 ? n - 3 : i - 1;
            int b = i == 0 ? 2 : i == n - 1 ? n - 2 : i + 1;
            double step = LeastSquares.through(
                            batchSizes[a],
                            batchSizes[a] / samplesPerSecond[a],
                            batchSizes[b],
                            batchSizes[b] / samplesPerSecond[b])
                    .at(batchSizes[i]);
            implied[i] = step > 0 ? batchSizes[i] / step : Double.NaN;
        }
        return implied;
    }
}
