package dev.autobatch.autotune;

import ai.djl.Model;
import ai.djl.training.dataset.Dataset;

/**
 * The one-line entry point: measures a DJL model's training at growing batch sizes on this
 * machine and returns the batch size to train with.
 *
 * <pre>{@code
 * TuningResult result = AutoBatch.tune(model, trainingSet);
 * int batchSize = result.batchSize();
 * }</pre>
 *
 * <p>The model's parameters are exactly as they were afterwards.
 */
public final class AutoBatch {

    private AutoBatch() {}

    /**
     * Tunes with every default: {@link Goal#THROUGHPUT}, 80% of the training device's available
     * memory, a 5% saturation threshold, softmax cross-entropy and SGD.
     *
     * @param model the model, with its block set
     * @param data the training data, a DJL {@code RandomAccessDataset}
     * @return the result
     */
    public static TuningResult tune(Model model, Dataset data) {
        return tune(model, data, TuneOptions.defaults());
    }

    /**
     * Tunes with the given options.
     *
     * @param model the model, with its block set
     * @param data the training data, a DJL {@code RandomAccessDataset}
     * @param options the options
     * @return the result
     */
    public static TuningResult tune(Model model, Dataset data, TuneOptions options) {
        throw new UnsupportedOperationException("wired in once core's runner lands");
    }
}
