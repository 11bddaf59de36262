package dev.autobatch.autotune;

import ai.djl.Model;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Dataset;
import java.util.Optional;

/**
 * What to tune, as a build tool finds it: a class of the user's project with a public no-argument
 * constructor that builds the model and its training data. The Maven goal {@code autobatch:tune}
 * names one with {@code -Dautobatch.target=com.example.MyTarget}.
 */
public interface TuningTarget {

    /**
     * Builds the model to tune, with its block set. The caller closes it.
     *
     * @return the model
     * @throws Exception if the model cannot be built
     */
    Model model() throws Exception;

    /**
     * Builds the training data, a DJL {@code RandomAccessDataset} so it can be re-batched.
     *
     * @param model the model {@link #model()} returned, whose manager may own the data
     * @return the dataset
     * @throws Exception if the data cannot be loaded
     */
    Dataset dataset(Model model) throws Exception;

    /**
     * Returns the training configuration; empty for AutoBatch's default (softmax cross-entropy
     * and SGD).
     *
     * @return the configuration, or empty
     */
    default Optional<TrainingConfig> trainingConfig() {
        return Optional.empty();
    }
}
