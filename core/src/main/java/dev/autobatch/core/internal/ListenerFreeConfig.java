package dev.autobatch.core.internal;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.training.TrainingConfig;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.PairList;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/**
 * A user's training configuration as the trial runner's trainer sees it: the same devices,
 * initializers, optimizer, loss, executor and evaluators, and none of its training listeners. A
 * trainer fires its configuration's listeners (a {@code SaveModelTrainingListener} writes a
 * checkpoint and runs its callback when the trainer closes); trials are not the user's training,
 * so nothing of theirs may run or be written because of them.
 */
public final class ListenerFreeConfig implements TrainingConfig {

    private final TrainingConfig config;

    private ListenerFreeConfig(TrainingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Wraps a configuration.
     *
     * @param config the user's configuration, not changed
     * @return the configuration without listeners
     */
    public static TrainingConfig of(TrainingConfig config) {
        return config instanceof ListenerFreeConfig ? config : new ListenerFreeConfig(config);
    }

    @Override
    public Device[] getDevices() {
        return config.getDevices();
    }

    @Override
    public PairList<Initializer, Predicate<Parameter>> getInitializers() {
        return config.getInitializers();
    }

    @Override
    public Optimizer getOptimizer() {
        return config.getOptimizer();
    }

    @Override
    public Loss getLossFunction() {
        return config.getLossFunction();
    }

    @Override
    public ExecutorService getExecutorService() {
        return config.getExecutorService();
    }

    @Override
    public List<Evaluator> getEvaluators() {
        return config.getEvaluators();
    }

    /** Returns no listener: trials fire none of the user's. */
    @Override
    public List<TrainingListener> getTrainingListeners() {
        return List.of();
    }
}
