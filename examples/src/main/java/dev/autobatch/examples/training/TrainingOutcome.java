package dev.autobatch.examples.training;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one training run did and reached.
 *
 * @param batchSize the batch size trained with
 * @param learningRate the SGD learning rate trained with
 * @param samplesTrained training samples trained on, over all epochs
 * @param trainingSeconds wall time of the training steps, in seconds; evaluations excluded
 * @param epochLosses the mean training loss of each completed epoch, in order
 * @param evaluations every validation measurement, in order; the last one is the final accuracy
 * @param targetAccuracy the accuracy whose first crossing {@link #secondsToTarget()} reports;
 *     {@code NaN} for none
 * @param diverged whether the run stopped early because the training loss became NaN or infinite
 */
public record TrainingOutcome(
        int batchSize,
        float learningRate,
        long samplesTrained,
        double trainingSeconds,
        List<Double> epochLosses,
        List<Evaluation> evaluations,
        double targetAccuracy,
        boolean diverged) {

    /** Copies the lists. */
    public TrainingOutcome {
        epochLosses = List.copyOf(epochLosses);
        evaluations = List.copyOf(evaluations);
    }

    /**
     * Returns the training throughput: samples trained per second of training steps.
     *
     * @return samples per second, or {@code NaN} if nothing was trained
     */
    public double samplesPerSecond() {
        return trainingSeconds > 0 ? samplesTrained / trainingSeconds : Double.NaN;
    }

    /**
     * Returns the validation accuracy at the end of training.
     *
     * @return the last evaluation's accuracy, or {@code NaN} if none was made
     */
    public double finalAccuracy() {
        return evaluations.isEmpty()
                ? Double.NaN
                : evaluations.get(evaluations.size() - 1).accuracy();
    }

    /**
     * Returns the training time at the first evaluation whose accuracy reached {@link
     * #targetAccuracy()}. Its resolution is the interval between evaluations.
     *
     * @return seconds of training steps, or empty if the target was never reached
     */
    public OptionalDouble secondsToTarget() {
        for (Evaluation e : evaluations) {
            if (e.accuracy() >= targetAccuracy) {
                return OptionalDouble.of(e.trainingSeconds());
            }
        }
        return OptionalDouble.empty();
    }
}
