package dev.autobatch.autotune.advice;

import dev.autobatch.autotune.internal.LeastSquares;
import dev.autobatch.autotune.internal.LineFit;
import dev.autobatch.core.Trial;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The simple gradient noise scale {@code B_simple = tr(Σ) / |G|²} of McCandlish et al., "An
 * Empirical Model of Large-Batch Training" (2018): the batch size at which the noise of a batch's
 * gradient is as large as the gradient itself. Far below it, doubling the batch nearly halves the
 * steps training needs; far above it, a larger batch only costs more work a step. It is estimated
 * from the squared global gradient norms the trials recorded ({@link Trial#gradientNormSquared()}).
 *
 * <h2>Estimator</h2>
 *
 * The gradient of a batch of {@code B} samples drawn at random has {@code E|G_B|² = |G|² +
 * tr(Σ)/B}, with {@code G} the true gradient and {@code Σ} the per-sample covariance. So the
 * measured {@code |G_B|²} lie on a straight line in {@code 1/B} whose intercept is {@code |G|²}
 * and whose slope is {@code tr(Σ)}. With two batch sizes, the line through them gives exactly the
 * paper's unbiased estimates (its Appendix A.1): {@code |G|² ≈ (B_big |G_big|² - B_small
 * |G_small|²) / (B_big - B_small)} and {@code tr(Σ) ≈ (|G_small|² - |G_big|²) / (1/B_small -
 * 1/B_big)}. With more sizes, {@link #estimate(List)} fits that line by weighted least squares
 * through all of them, so both quantities are each averaged over every batch size and step before
 * they are divided, as the paper advises (the ratio of averages, not the average of noisy ratios,
 * which is biased). Each trial's point is the mean of {@code |G_B|²} over its measured steps; its
 * weight is the inverse of its measured spread over those steps ({@link
 * Trial#gradientNormSquaredStdDev()}), counted as at least {@value #WEIGHT_FLOOR_PERCENT}% of the
 * fitted value so that no one trial whose few steps happened to agree can dominate: in effect the
 * fit is in relative terms, and a trial measured noisier than that counts for less (a trial
 * without a spread counts as noisy in proportion to its value).
 *
 * <p>The spread reported, {@link #low()} to {@link #high()}, is one standard error either side on
 * a logarithmic scale, from the covariance of the two fitted quantities scaled by the scatter of
 * the trials about the line (the delta method). It needs at least three batch sizes.
 *
 * <h2>What it describes</h2>
 *
 * The noise scale of the model as the trials found it: at its parameters when it was tuned (the
 * trials train a few steps from there, then restore them). It grows as training proceeds and the
 * true gradient shrinks (McCandlish et al., Figure 5), so one taken at initialisation is a lower
 * bound for later in training; a loss that sums instead of averaging over the batch breaks the
 * estimator (DJL's losses average).
 *
 * @param bSimple {@code tr(Σ) / |G|²}, in samples; {@code NaN} when unknown
 * @param low one standard error below, on a log scale; {@code NaN} when unknown
 * @param high one standard error above, on a log scale; {@code NaN} when unknown
 * @param gradientSquared the estimate of {@code |G|²}; {@code NaN} when fewer than two batch sizes
 *     recorded gradient norms
 * @param traceCovariance the estimate of {@code tr(Σ)}; {@code NaN} likewise
 * @param batchSizes how many distinct batch sizes with recorded gradient norms the estimate used
 */
public record NoiseScale(
        double bSimple, double low, double high, double gradientSquared, double traceCovariance, int batchSizes) {

    /**
     * A trial's weight is never more than that of a spread of this many percent of its value: a few
     * steps measure a spread too roughly to trust a smaller one (on synthetic norms, a floor of 5%
     * let chance agreement dominate and left the reported spread covering the truth 55% of the time
     * instead of 68%; 20% gives 70%, and a smaller error).
     */
    static final int WEIGHT_FLOOR_PERCENT = 20;

    /**
     * The noise scale of a result without gradient norms.
     *
     * @return a noise scale whose values are all unknown
     */
    public static NoiseScale unknown() {
        return new NoiseScale(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0);
    }

    /**
     * Estimates the noise scale from the trials that recorded gradient norms (see the class
     * comment). Trials that were not measured or recorded none are ignored; the batch size of a
     * trial is the samples of one optimizer step ({@link Trial#samplesPerStep()}).
     *
     * @param trials the trials, in any order
     * @return the estimate; not {@link #isKnown() known} when fewer than two batch sizes recorded
     *     gradient norms, or when the fitted {@code |G|²} or {@code tr(Σ)} is not positive (the
     *     noise swamps the gradient at every size tried, or no noise is seen at all)
     */
    public static NoiseScale estimate(List<Trial> trials) {
        Objects.requireNonNull(trials, "trials");
        List<Trial> usable = new ArrayList<>();
        for (Trial trial : trials) {
            if (trial.hasGradientNorm()) {
                usable.add(trial);
            }
        }
        int sizes = (int)
                usable.stream().mapToLong(Trial::samplesPerStep).distinct().count();
        if (sizes < 2) {
            return new NoiseScale(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, sizes);
        }
        int n = usable.size();
        double[] x = new double[n];
        double[] y = new double[n];
        double[] spread = new double[n];
        for (int i = 0; i < n; i++) {
            Trial trial = usable.get(i);
            x[i] = 1.0 / trial.samplesPerStep();
            y[i] = trial.gradientNormSquared();
            double sd = trial.gradientNormSquaredStdDev();
            spread[i] = Double.isFinite(sd) && sd > 0 ? sd : Double.NaN;
        }
        // Two passes: the floor is first taken on the measured values, then on the fitted ones.
        double[] fitted = y.clone();
        LineFit fit = null;
        for (int pass = 0; pass < 2; pass++) {
            double[] w = new double[n];
            for (int i = 0; i < n; i++) {
                double scale = fitted[i] > 0 ? fitted[i] : y[i];
                double floor = WEIGHT_FLOOR_PERCENT / 100.0 * scale;
                double sd = Double.isNaN(spread[i]) ? scale : Math.max(spread[i], floor);
                w[i] = 1 / (sd * sd);
            }
            fit = LeastSquares.fitWithCovariance(x, y, w);
            for (int i = 0; i < n; i++) {
                fitted[i] = fit.line().at(x[i]);
            }
        }
        double gradientSquared = fit.line().intercept();
        double trace = fit.line().slope();
        if (!(gradientSquared > 0) || !(trace > 0)) {
            return new NoiseScale(Double.NaN, Double.NaN, Double.NaN, gradientSquared, trace, sizes);
        }
        double b = trace / gradientSquared;
        // Delta method on log(tr / |G|²): relative variances add, less twice the covariance.
        double logVariance = fit.slopeVariance() / (trace * trace)
                + fit.interceptVariance() / (gradientSquared * gradientSquared)
                - 2 * fit.covariance() / (trace * gradientSquared);
        double low = Double.NaN;
        double high = Double.NaN;
        if (Double.isFinite(logVariance) && logVariance >= 0) {
            double factor = Math.exp(Math.sqrt(logVariance));
            low = b / factor;
            high = b * factor;
        }
        return new NoiseScale(b, low, high, gradientSquared, trace, sizes);
    }

    /**
     * Returns whether the noise scale was estimated.
     *
     * @return {@code true} if {@link #bSimple()} is finite and positive
     */
    public boolean isKnown() {
        return Double.isFinite(bSimple) && bSimple > 0;
    }

    /**
     * Returns the statistical efficiency of a batch size relative to a reference one (Pollux,
     * Qiao et al., OSDI 2021): the progress a sample makes at {@code batchSize} as a fraction of
     * its progress at {@code referenceBatchSize}, {@code (B_noise + B0) / (B_noise + B)}. Above the
     * reference it is below 1: each sample of a larger batch does less.
     *
     * @param batchSize the (global) batch size {@code B}
     * @param referenceBatchSize the reference {@code B0}
     * @return the efficiency; {@code NaN} when the noise scale is unknown
     */
    public double efficiency(double batchSize, double referenceBatchSize) {
        if (!isKnown()) {
            return Double.NaN;
        }
        return (bSimple + referenceBatchSize) / (bSimple + batchSize);
    }

    /**
     * Says what was estimated, or why nothing was, for people.
     *
     * @return such as {@code "B_simple ≈ 412 samples (one standard error: 301 to 564; from 11
     *     batch sizes)"}
     */
    public String describe() {
        if (isKnown()) {
            String spread = Double.isFinite(low)
                    ? String.format(Locale.ROOT, "one standard error: %s to %s; ", round(low), round(high))
                    : "spread unknown with two batch sizes; ";
            return String.format(
                    Locale.ROOT, "B_simple ≈ %s samples (%sfrom %d batch sizes)", round(bSimple), spread, batchSizes);
        }
        if (batchSizes == 0) {
            return "unknown: no trial recorded gradient norms";
        }
        if (batchSizes == 1) {
            return "unknown: only one batch size recorded gradient norms, and the estimate needs two";
        }
        if (!(gradientSquared > 0)) {
            return "unknown: the gradient noise swamps the gradient at every batch size tried (|G|² fitted as "
                    + String.format(Locale.ROOT, "%.3g", gradientSquared) + "), so the noise scale is above them all";
        }
        return "unknown: the gradient norms do not fall with the batch size (tr(Σ) fitted as "
                + String.format(Locale.ROOT, "%.3g", traceCovariance) + ")";
    }

    private static String round(double value) {
        return value >= 100 ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%.3g", value);
    }
}
