package dev.autobatch.autotune;

import ai.djl.training.TrainingConfig;
import dev.autobatch.autotune.internal.OptimizerLearningRate;
import dev.autobatch.core.DjlTrialRunner;
import java.util.OptionalDouble;

/**
 * The reference learning rate and where it came from: given, read from the optimizer, or the
 * default configuration's.
 */
record ReferenceRate(double rate, String source) {

    static ReferenceRate of(TuneOptions options, TrainingConfig config) {
        OptionalDouble given = options.referenceLearningRate();
        if (given.isPresent()) {
            return new ReferenceRate(given.getAsDouble(), "given");
        }
        OptionalDouble read = OptimizerLearningRate.read(config.getOptimizer());
        if (read.isPresent()) {
            return new ReferenceRate(read.getAsDouble(), "read from the optimizer");
        }
        return new ReferenceRate(
                DjlTrialRunner.DEFAULT_LEARNING_RATE,
                "the default configuration's, as the optimizer's could not be read; set optReferenceLearningRate");
    }
}
