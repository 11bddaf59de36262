package dev.autobatch.core.internal;

import ai.djl.Device;
import ai.djl.nn.Parameter;
import ai.djl.training.TrainingConfig;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.listener.EvaluatorTrainingListener;
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
 * so nothing of theirs may run or be written because of them. Where the configuration has DJL's
 * {@link EvaluatorTrainingListener} (its {@code TrainingListener.Defaults} do), a fresh one of the
 * trials' own takes its place, so a trial step updates the evaluators (and the trainer's metrics)
 * as the user's training does; the others' per-batch work (a progress bar, timing) is left out.
 */
public final class TrialConfig implements TrainingConfig {

    private final TrainingConfig config;
    private final List<TrainingListener> listeners;

    private TrialConfig(TrainingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        boolean evaluates =
                Objects.requireNonNullElse(config.getTrainingListeners(), List.<TrainingListener>of()).stream()
                        .anyMatch(EvaluatorTrainingListener.class::isInstance);
        this.listeners = evaluates ? List.of(new EvaluatorTrainingListener()) : List.of();
    }

    /**
     * Wraps a configuration.
     *
     * @param config the user's configuration, not changed
     * @return the configuration with the trials' evaluator listener, if any, in place of the user's
     */
    public static TrainingConfig of(TrainingConfig config) {
        return new TrialConfig(config);
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

    /** Returns the trials' own evaluator listener or none: trials fire none of the user's listeners. */
    @Override
    public List<TrainingListener> getTrainingListeners() {
        return listeners;
    }
}
