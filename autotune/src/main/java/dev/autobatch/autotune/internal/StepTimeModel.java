package dev.autobatch.autotune.internal;

/**
 * The step-time model {@code seconds = overhead + perSample * batch}: a fixed cost each step
 * (kernel launches, framework and JNI calls, the optimizer over the weights) plus a cost per
 * sample. Throughput is {@code batch / seconds}, rising towards {@code 1 / perSample}; a fixed
 * cost that is small next to the per-sample cost means more batch gains little.
 *
 * @param overheadSeconds the fixed cost of a step in seconds; may come out negative from a fit
 *     when step time grows faster than linearly
 * @param secondsPerSample the cost of one more sample in seconds
 */
public record StepTimeModel(double overheadSeconds, double secondsPerSample) {

    /**
     * Fits the model to measured step times, minimising relative errors (timing noise is a
     * fraction of the time).
     *
     * @param batchSizes the batch sizes, at least two distinct
     * @param stepSeconds the step times in seconds, each positive
     * @return the fitted model
     */
    public static StepTimeModel fit(double[] batchSizes, double[] stepSeconds) {
        Line line = LeastSquares.fitRelative(batchSizes, stepSeconds);
        return new StepTimeModel(line.intercept(), line.slope());
    }

    /**
     * Returns the predicted step time.
     *
     * @param batchSize the batch size
     * @return seconds; may be zero or negative far outside the fitted range
     */
    public double stepSeconds(double batchSize) {
        return overheadSeconds + secondsPerSample * batchSize;
    }

    /**
     * Returns the predicted throughput.
     *
     * @param batchSize the batch size
     * @return samples per second; positive infinity where the predicted step time is not positive
     */
    public double samplesPerSecond(double batchSize) {
        double seconds = stepSeconds(batchSize);
        return seconds > 0 ? batchSize / seconds : Double.POSITIVE_INFINITY;
    }

    /**
     * Returns how much more throughput an unlimited batch could give, relative to the throughput
     * at this size: {@code overhead / (perSample * batch)}.
     *
     * @param batchSize the batch size, positive
     * @return the relative gain still available; zero or less when throughput no longer rises;
     *     positive infinity when step time does not grow with the batch
     */
    public double remainingGain(double batchSize) {
        if (!(secondsPerSample > 0)) {
            return Double.POSITIVE_INFINITY;
        }
        return overheadSeconds / (secondsPerSample * batchSize);
    }
}
