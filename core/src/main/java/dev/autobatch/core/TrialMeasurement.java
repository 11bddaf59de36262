package dev.autobatch.core;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import dev.autobatch.core.internal.Gradients;
import dev.autobatch.core.internal.MeasurementRule;
import dev.autobatch.core.internal.OutOfMemory;
import dev.autobatch.core.internal.PeakMemoryMeter;
import dev.autobatch.core.internal.Rebatcher;
import dev.autobatch.core.internal.StepLoop;
import dev.autobatch.core.internal.StepTimes;
import java.util.Iterator;

/**
 * One trial of {@link DjlTrialRunner}, measured: the steps on the trials' trainer, the step times
 * and the peak memory of the training device, and out of memory or any other failure turned into
 * a trial that says so, with the user's setup put back after each. How many steps a trial runs
 * (each option's default is on its {@code optX}):
 *
 * <ul>
 *   <li>Warm-up runs at least {@link TrialOptions.Builder#optWarmupSteps(int)} steps, then more
 *       while the slower of the last two warm-up steps took more than {@value
 *       MeasurementRule#SETTLED_RATIO} times the faster (the first steps at a new size pay for
 *       allocation), at most {@value MeasurementRule#MAX_EXTRA_WARMUP_STEPS} more. Once a quarter
 *       of the trial cap has passed, warm-up ends after the step under way, even below its
 *       minimum (one warm-up step always runs unless the minimum is 0).
 *   <li>Measuring runs at least {@link TrialOptions.Builder#optMeasuredSteps(int)} steps and
 *       {@link TrialOptions.Builder#optMinMeasuredSeconds(double)} seconds of measured step time,
 *       and goes on while the relative standard error of the median step time, {@code
 *       1.2533 * (IQR / 1.349) / sqrt(n) / median}, is above {@link
 *       TrialOptions.Builder#optTargetPrecision(double)}, but for precision alone only until the
 *       trial has run {@value MeasurementRule#PRECISION_PATIENCE} times the minimum measured
 *       time: more steps of one trial cannot remove the noise between trials, which the search's
 *       confirmation rounds measure.
 *   <li>{@link TrialOptions.Builder#optMaxTrialSeconds(double)} caps a trial's wall time, warm-up
 *       included, and wins over every minimum, except that at least one measured step always
 *       runs. A trial can overrun the cap by the step under way when it is reached.
 *   <li>A trial longer than {@value DjlTrialRunner#PROGRESS_INTERVAL_SECONDS} seconds tells its {@link
 *       DjlTrialRunner.Builder#optProgress(TrialProgress) progress listener} how it is getting on, that often.
 * </ul>
 */
final class TrialMeasurement {

    private final TrialTrainer trainer;
    private final RandomAccessDataset dataset;
    private final StepLoop loop;
    private final PeakMemoryMeter memoryMeter;
    private final int accumulationSteps;

    TrialMeasurement(
            TrialTrainer trainer,
            RandomAccessDataset dataset,
            StepLoop loop,
            PeakMemoryMeter memoryMeter,
            int accumulationSteps) {
        this.trainer = trainer;
        this.dataset = dataset;
        this.loop = loop;
        this.memoryMeter = memoryMeter;
        this.accumulationSteps = accumulationSteps;
    }

    int accumulationSteps() {
        return accumulationSteps;
    }

    /**
     * Runs one trial and puts the user's setup back, whatever happened.
     *
     * @param batchSize the batch size, already checked against the dataset
     * @return the measured trial, or an out-of-memory or failed one
     */
    Trial run(int batchSize) {
        try {
            trainer.beginTrial();
            return measure(batchSize);
        } catch (RuntimeException | OutOfMemoryError e) {
            memoryMeter.stop();
            if (OutOfMemory.isOutOfMemory(e)) {
                return Trial.outOfMemory(batchSize);
            }
            return Trial.failed(batchSize, describe(e));
        } finally {
            trainer.endTrial();
            releaseCachedDeviceMemory();
        }
    }

    private Trial measure(int batchSize) {
        releaseCachedDeviceMemory();
        try (NDManager trialManager = trainer.trainer().getManager().newSubManager()) {
            Iterator<Batch> batches = Rebatcher.fullBatches(dataset, trialManager, batchSize);
            long baseline = memoryMeter.start();
            StepLoop.Outcome outcome = loop.run(batchSize, norm -> trainer.step(batches, norm));
            long peak = memoryMeter.stop();
            if (outcome.badStep() > 0) {
                return lossFailure(batchSize, outcome.badLoss(), outcome.badStep());
            }
            StepTimes times = outcome.times();
            double median = times.median();
            return Trial.builder(batchSize)
                    .optSamplesPerSecond((double) batchSize * accumulationSteps / median)
                    .optMedianStepSeconds(median)
                    .optPeakMemoryBytes(peak)
                    .optBaselineMemoryBytes(baseline)
                    .optMemoryMeasurement(peak < 0 ? MemoryMeasurement.NONE : memoryMeter.measurement())
                    .optGradientNorm(
                            Gradients.mean(outcome.gradientNorms()),
                            Gradients.standardDeviation(outcome.gradientNorms()))
                    .optAccumulationSteps(accumulationSteps)
                    .optStepTimeSpread(times.interquartileRange(), times.count())
                    .build();
        }
    }

    private Trial lossFailure(int batchSize, float loss, int step) {
        String micro = accumulationSteps > 1 ? " x " + accumulationSteps + " micro-batches" : "";
        return Trial.failed(
                batchSize,
                "the loss became " + loss + " at batch size " + batchSize + micro + " (step " + step
                        + "); lower the learning rate of the training configuration");
    }

    private void releaseCachedDeviceMemory() {
        if (trainer.device().isGpu()
                && "PyTorch".equals(trainer.trainer().getManager().getEngine().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.emptyCudaCache();
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String first =
                message == null ? "" : message.lines().findFirst().orElse("").trim();
        return e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }
}
