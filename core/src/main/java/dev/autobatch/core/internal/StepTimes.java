package dev.autobatch.core.internal;

import java.util.Arrays;

/**
 * The measured step times of one trial, in seconds, and the statistics a trial reports of them:
 * median, interquartile range and the relative standard error of the median.
 *
 * <p>Quantiles interpolate linearly between order statistics (Hyndman and Fan's type 7, the
 * default of R and NumPy): of {@code n} sorted times {@code x[0..n-1]}, the {@code p} quantile
 * lies at position {@code h = (n - 1) p} and is {@code x[floor(h)] + (h - floor(h)) (x[floor(h) +
 * 1] - x[floor(h)])}. The median is the 0.5 quantile, the interquartile range the 0.75 quantile
 * less the 0.25 quantile.
 *
 * <p>Each statistic sorts a copy of the times, {@code O(n log n)}: ask for them when they are
 * needed, not after every one of many thousand steps. Not thread-safe.
 */
public final class StepTimes {

    /** The interquartile range of a normal distribution in standard deviations. */
    private static final double IQR_PER_STANDARD_DEVIATION = 1.349;

    /**
     * The standard error of the median of a normal sample over that of its mean, {@code sqrt(pi /
     * 2)}.
     */
    private static final double MEDIAN_EFFICIENCY = 1.2533;

    private double[] seconds = new double[16];
    private int count;
    private double total;

    /** An empty record of step times. */
    public StepTimes() {}

    /**
     * Adds one step's time.
     *
     * @param stepSeconds the step's time in seconds, finite and not negative
     * @throws IllegalArgumentException if the time is negative, infinite or {@code NaN}
     */
    public void add(double stepSeconds) {
        if (!(stepSeconds >= 0) || Double.isInfinite(stepSeconds)) {
            throw new IllegalArgumentException(
                    "a step time must be finite and not negative, got " + stepSeconds + " seconds");
        }
        if (count == seconds.length) {
            seconds = Arrays.copyOf(seconds, count * 2);
        }
        seconds[count++] = stepSeconds;
        total += stepSeconds;
    }

    /**
     * Returns how many step times were added.
     *
     * @return the count, 0 or more
     */
    public int count() {
        return count;
    }

    /**
     * Returns the sum of the step times.
     *
     * @return seconds, 0 when empty
     */
    public double totalSeconds() {
        return total;
    }

    /**
     * Returns the {@code p} quantile of the step times, interpolated linearly between order
     * statistics (see the class description).
     *
     * @param p the probability, in [0, 1]
     * @return seconds, {@code NaN} when empty
     * @throws IllegalArgumentException if {@code p} is outside [0, 1]
     */
    public double quantile(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("a quantile's probability must be in [0, 1], got " + p);
        }
        return count == 0 ? Double.NaN : quantile(sorted(), p);
    }

    /**
     * Returns the median step time.
     *
     * @return seconds, {@code NaN} when empty
     */
    public double median() {
        return quantile(0.5);
    }

    /**
     * Returns the interquartile range of the step times: the 0.75 quantile less the 0.25 quantile.
     *
     * @return seconds, not negative; {@code NaN} for fewer than two times
     */
    public double interquartileRange() {
        if (count < 2) {
            return Double.NaN;
        }
        double[] sorted = sorted();
        return quantile(sorted, 0.75) - quantile(sorted, 0.25);
    }

    /**
     * Returns the standard error of the median relative to the median: {@code 1.2533 * (IQR /
     * 1.349) / sqrt(n) / median}. The interquartile range over 1.349 estimates the standard
     * deviation robustly (one slow outlier moves it little), and the median's standard error is
     * 1.2533 times the mean's for a normal sample. A value of 0.02 says the median is known to
     * about 2%.
     *
     * @return the relative standard error, 0 or more; {@code NaN} for fewer than two times or a
     *     median of 0
     */
    public double relativeStandardErrorOfMedian() {
        if (count < 2) {
            return Double.NaN;
        }
        double[] sorted = sorted();
        double median = quantile(sorted, 0.5);
        if (!(median > 0)) {
            return Double.NaN;
        }
        double iqr = quantile(sorted, 0.75) - quantile(sorted, 0.25);
        return MEDIAN_EFFICIENCY * (iqr / IQR_PER_STANDARD_DEVIATION) / Math.sqrt(count) / median;
    }

    private double[] sorted() {
        double[] sorted = Arrays.copyOf(seconds, count);
        Arrays.sort(sorted);
        return sorted;
    }

    private static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int low = (int) Math.floor(h);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (h - low) * (sorted[high] - sorted[low]);
    }
}
