package dev.autobatch.autotune.internal;

import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.util.Collection;
import java.util.TreeMap;

/**
 * Predicts a trial's peak memory from the peaks measured so far, conservatively: the search
 * uses it to never run a trial that would exceed the memory budget.
 *
 * <p>Peak memory of a training step is close to linear in the batch size (weights and optimizer
 * state are fixed, activations grow with the batch). The prediction at a size {@code b}:
 *
 * <ul>
 *   <li>between two measured sizes: linear interpolation, never above the larger neighbour;
 *   <li>beyond the largest measured size, from two or more sizes: the larger of the least-squares
 *       line over the largest {@value #FIT_WINDOW} sizes and the line through the largest two, so
 *       that a curve whose slope grows is not underestimated;
 *   <li>beyond a single measured size: proportional to the batch, through the trial's baseline
 *       when it has one and through zero otherwise (the steepest line a non-negative fixed cost
 *       allows);
 *   <li>below the smallest measured size: that size's peak.
 * </ul>
 *
 * <p>Each prediction away from a measured size adds a safety margin: {@value #MARGIN} of the
 * predicted growth over the nearest measured size below (the error of a linear model grows with
 * the distance it extrapolates), and for host memory at least {@value #HOST_NOISE} of that
 * size's peak (measurement noise).
 */
public final class PeakMemoryModel {

    /** How many of the largest measured sizes the least-squares line is fitted on. */
    public static final int FIT_WINDOW = 4;

    /** The safety margin, as a fraction of the predicted growth over the nearest size below. */
    public static final double MARGIN = 0.10;

    /**
     * The measurement-noise allowance for host memory, as a fraction of the measured peak a
     * prediction grows from: a process's resident memory moves by a percent or so between trials
     * for reasons that have nothing to do with the batch (the JIT, the Java heap, allocator
     * caches). Seen on CPU: a trial 7 MiB above a 740 MiB straight-line prediction.
     */
    public static final double HOST_NOISE = 0.02;

    private final long[] sizes;
    private final double[] peaks;
    private final double firstBaseline;
    private final double noise;

    private PeakMemoryModel(long[] sizes, double[] peaks, double firstBaseline, double noise) {
        this.sizes = sizes;
        this.peaks = peaks;
        this.firstBaseline = firstBaseline;
        this.noise = noise;
    }

    /**
     * Builds the model from the trials that measured a peak; the others are ignored. Where one
     * size was measured twice, the larger peak counts.
     *
     * @param trials any trials
     * @return the model, possibly {@linkplain #isEmpty() empty}
     */
    public static PeakMemoryModel of(Collection<Trial> trials) {
        TreeMap<Integer, Trial> bySize = new TreeMap<>();
        for (Trial t : trials) {
            if (t.peakMemoryBytes() < 0) {
                continue;
            }
            bySize.merge(t.batchSize(), t, (a, b) -> a.peakMemoryBytes() >= b.peakMemoryBytes() ? a : b);
        }
        long[] sizes = new long[bySize.size()];
        double[] peaks = new double[bySize.size()];
        int i = 0;
        for (Trial t : bySize.values()) {
            sizes[i] = t.batchSize();
            peaks[i] = t.peakMemoryBytes();
            i++;
        }
        double baseline = Double.NaN;
        if (!bySize.isEmpty()) {
            Trial first = bySize.firstEntry().getValue();
            if (first.baselineMemoryBytes() >= 0 && first.baselineMemoryBytes() <= first.peakMemoryBytes()) {
                baseline = first.baselineMemoryBytes();
            }
        }
        boolean host = bySize.values().stream()
                .anyMatch(t -> t.memoryMeasurement() == MemoryMeasurement.HOST_PEAK_RSS
                        || t.memoryMeasurement() == MemoryMeasurement.HOST_SAMPLED_RSS);
        return new PeakMemoryModel(sizes, peaks, baseline, host ? HOST_NOISE : 0);
    }

    /**
     * Returns whether no trial measured a peak, so nothing can be predicted.
     *
     * @return {@code true} if empty
     */
    public boolean isEmpty() {
        return sizes.length == 0;
    }

    /**
     * Predicts the peak memory of a trial at a batch size.
     *
     * @param batchSize the batch size, at least 1
     * @return the predicted peak in bytes, margin included; {@code NaN} if the model is empty
     */
    public double predict(long batchSize) {
        int n = sizes.length;
        if (n == 0) {
            return Double.NaN;
        }
        if (batchSize <= sizes[0]) {
            return peaks[0];
        }
        int hi = 0;
        while (hi < n && sizes[hi] < batchSize) {
            hi++;
        }
        if (hi < n) {
            if (sizes[hi] == batchSize) {
                return peaks[hi];
            }
            int lo = hi - 1;
            double interpolated = LeastSquares.through(sizes[lo], peaks[lo], sizes[hi], peaks[hi])
                    .at(batchSize);
            return Math.min(withMargin(interpolated, peaks[lo]), Math.max(peaks[hi], peaks[lo]));
        }
        double last = peaks[n - 1];
        double predicted;
        if (n == 1) {
            double fixed = Double.isNaN(firstBaseline) ? 0 : firstBaseline;
            predicted = fixed + (last - fixed) * batchSize / sizes[0];
        } else {
            double twoPoint = LeastSquares.through(sizes[n - 2], peaks[n - 2], sizes[n - 1], last)
                    .at(batchSize);
            int from = Math.max(0, n - FIT_WINDOW);
            double[] x = new double[n - from];
            double[] y = new double[n - from];
            for (int i = from; i < n; i++) {
                x[i - from] = sizes[i];
                y[i - from] = peaks[i];
            }
            double fitted = LeastSquares.fit(x, y).at(batchSize);
            predicted = Math.max(twoPoint, fitted);
        }
        return withMargin(Math.max(predicted, last), last);
    }

    /**
     * Returns the largest batch size in {@code [from, to]} whose predicted peak is within the
     * budget, found by bisection (predictions grow with the batch size).
     *
     * @param budgetBytes the budget in bytes
     * @param from the smallest size to consider, at least 1
     * @param to the largest size to consider
     * @return the largest size predicted to fit, {@code from - 1} if none does, or {@code to} if
     *     the model is empty
     */
    public long largestWithin(long budgetBytes, long from, long to) {
        if (isEmpty() || from > to) {
            return isEmpty() ? to : from - 1;
        }
        if (!(predict(from) <= budgetBytes)) {
            return from - 1;
        }
        long lo = from;
        long hi = to;
        while (lo < hi) {
            long mid = lo + (hi - lo + 1) / 2;
            if (predict(mid) <= budgetBytes) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    private double withMargin(double predicted, double below) {
        double growth = Math.max(0, predicted - below);
        if (growth == 0) {
            return predicted;
        }
        return predicted + Math.max(MARGIN * growth, noise * below);
    }
}
