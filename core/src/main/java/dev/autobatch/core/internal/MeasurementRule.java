package dev.autobatch.core.internal;

/**
 * When a trial stops warming up and when it stops measuring: the rule {@code DjlTrialRunner}
 * documents, kept apart from training so it can be tested on exact numbers.
 *
 * <p>Warm-up: at least {@code minWarmupSteps}; then, judged on the last two warm-up steps, more
 * while their times differ by more than 20% (the slower over {@link #SETTLED_RATIO} times the
 * faster: the first steps at a new size pay for allocation), at most {@link
 * #MAX_EXTRA_WARMUP_STEPS} more. Once a quarter of the trial cap has passed, warm-up ends after
 * the step under way, minimum or not, so the cap leaves room to measure; with a minimum of at
 * least one, one warm-up step always runs.
 *
 * <p>Measuring: at least one step always. Then more until the trial's wall time reaches the cap,
 * which wins over every minimum; below the cap, more while fewer than {@code minMeasuredSteps}
 * steps ran, their times add up to less than {@code minMeasuredSeconds}, or the relative standard
 * error of the median ({@link StepTimes#relativeStandardErrorOfMedian()}) is above {@code
 * targetPrecision} or unknown, but for precision alone only until the trial's wall time reaches
 * {@value #PRECISION_PATIENCE} times {@code minMeasuredSeconds}: past that, one trial's steps cannot
 * remove the noise between trials (on a shared CPU it is the larger part), which the search's
 * confirmation rounds measure instead. The precision is judged after every step up to {@value
 * #CHECK_EVERY_STEP_UP_TO} steps, then after every {@code s}-th, {@code s} being {@code n / 16}
 * rounded down to a power of two (16 checks each time the count doubles), so thousands of fast
 * steps do not sort their times after each one.
 */
public final class MeasurementRule {

    /** At most this many warm-up steps beyond the minimum. */
    public static final int MAX_EXTRA_WARMUP_STEPS = 8;

    /** Warm-up has settled once the slower of its last two steps took at most this times the faster. */
    public static final double SETTLED_RATIO = 1.2;

    /** More steps are taken for precision alone until the trial has run this times the minimum measured time. */
    public static final int PRECISION_PATIENCE = 4;

    /** Up to this many measured steps the precision is judged after every one. */
    static final int CHECK_EVERY_STEP_UP_TO = 64;

    private final int minWarmupSteps;
    private final int minMeasuredSteps;
    private final double minMeasuredSeconds;
    private final double targetPrecision;
    private final double maxTrialSeconds;

    /**
     * A rule. The values are not checked again here: {@code TrialOptions.Builder} checks each
     * as it is set, with the message that names it.
     *
     * @param minWarmupSteps warm-up steps at least, 0 or more
     * @param minMeasuredSteps measured steps at least (below the cap), 1 or more
     * @param minMeasuredSeconds measured seconds at least (below the cap), positive
     * @param targetPrecision the relative standard error of the median to reach, positive
     * @param maxTrialSeconds the cap of a trial's wall time, warm-up included, positive
     */
    public MeasurementRule(
            int minWarmupSteps,
            int minMeasuredSteps,
            double minMeasuredSeconds,
            double targetPrecision,
            double maxTrialSeconds) {
        this.minWarmupSteps = minWarmupSteps;
        this.minMeasuredSteps = minMeasuredSteps;
        this.minMeasuredSeconds = minMeasuredSeconds;
        this.targetPrecision = targetPrecision;
        this.maxTrialSeconds = maxTrialSeconds;
    }

    /**
     * Returns whether to run another warm-up step.
     *
     * @param stepsDone warm-up steps run so far
     * @param previousSeconds the time of the warm-up step before the last, {@code NaN} if none
     * @param lastSeconds the time of the last warm-up step, {@code NaN} if none
     * @param elapsedSeconds the trial's wall time so far
     * @return {@code true} to warm up once more
     */
    public boolean warmUpMore(int stepsDone, double previousSeconds, double lastSeconds, double elapsedSeconds) {
        if (stepsDone >= 1 && elapsedSeconds >= maxTrialSeconds / 4) {
            return false;
        }
        if (stepsDone < minWarmupSteps) {
            return true;
        }
        if (stepsDone < 2 || stepsDone >= minWarmupSteps + MAX_EXTRA_WARMUP_STEPS) {
            return false;
        }
        double slower = Math.max(previousSeconds, lastSeconds);
        double faster = Math.min(previousSeconds, lastSeconds);
        return slower > SETTLED_RATIO * faster;
    }

    /**
     * Returns whether to run another measured step.
     *
     * @param times the measured step times so far
     * @param elapsedSeconds the trial's wall time so far, warm-up included
     * @return {@code true} to measure once more
     */
    public boolean measureMore(StepTimes times, double elapsedSeconds) {
        int n = times.count();
        if (n == 0) {
            return true;
        }
        if (elapsedSeconds >= maxTrialSeconds) {
            return false;
        }
        if (n < minMeasuredSteps || times.totalSeconds() < minMeasuredSeconds) {
            return true;
        }
        if (elapsedSeconds >= PRECISION_PATIENCE * minMeasuredSeconds) {
            return false;
        }
        if (!precisionDue(n)) {
            return true;
        }
        return !(times.relativeStandardErrorOfMedian() <= targetPrecision);
    }

    /** After every step up to 64, then every {@code highestOneBit(n / 16)}-th: 16 a doubling. */
    static boolean precisionDue(int n) {
        if (n <= CHECK_EVERY_STEP_UP_TO) {
            return true;
        }
        int stride = Integer.highestOneBit(n / 16);
        return n % stride == 0;
    }
}
