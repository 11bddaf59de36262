package dev.autobatch.core.internal;

import ai.djl.Device;
import ai.djl.TrainingDivergedException;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.initializer.Initializer;
import ai.djl.training.listener.DivergenceCheckTrainingListener;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.LoggingTrainingListener;
import ai.djl.training.listener.MemoryTrainingListener;
import ai.djl.training.listener.TimeMeasureTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.util.ProgressBar;
import ai.djl.util.PairList;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.function.Predicate;

/**
 * A user's training configuration as the trial runner's trainer sees it: the same devices,
 * initializers, optimizer, loss, executor and evaluators, and none of the user's training
 * listeners. A trainer fires its configuration's listeners (a {@code SaveModelTrainingListener}
 * writes a checkpoint and runs its callback when the trainer closes); trials are not the user's
 * training, so nothing of theirs may run or be written because of them.
 *
 * <p>A trial step must still cost what the user's training step costs, so each of DJL's own
 * listeners that works on every batch is replaced by a fresh one of the trials' own, told (but
 * for the evaluator listener) of training batches only, so it logs nothing when training begins
 * or ends:
 *
 * <ul>
 *   <li>{@link EvaluatorTrainingListener}: updates the evaluators and the trainer's metrics;
 *   <li>{@link LoggingTrainingListener}: formats its progress line every batch, on a progress bar
 *       of one step, which never prints;
 *   <li>{@link DivergenceCheckTrainingListener}: reads the loss every batch; a trial whose loss
 *       became NaN is still measured, as its time is what a trial is for;
 *   <li>{@link TimeMeasureTrainingListener} and {@link MemoryTrainingListener}: record their
 *       metrics, with no directory to write them to.
 * </ul>
 *
 * <p>A subclass of the evaluator listener is replaced by DJL's own, so the evaluators are still
 * updated. Listeners of other types (a checkpoint, a user's own class, a subclass of any of the
 * others) are left out, and with them whatever each costs a batch.
 */
public final class TrialConfig implements TrainingConfig {

    private final TrainingConfig config;
    private final List<TrainingListener> listeners;

    private TrialConfig(TrainingConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        List<TrainingListener> own = new ArrayList<>();
        for (TrainingListener listener :
                Objects.requireNonNullElse(config.getTrainingListeners(), List.<TrainingListener>of())) {
            TrainingListener copy = trialCopy(listener);
            if (copy != null) {
                own.add(copy);
            }
        }
        this.listeners = List.copyOf(own);
    }

    /** The trials' own listener in place of one of the user's, or null where none is run. */
    private static TrainingListener trialCopy(TrainingListener listener) {
        Class<?> type = listener.getClass();
        if (listener instanceof EvaluatorTrainingListener) {
            return new EvaluatorTrainingListener(); // it logs nothing; when training begins it adds the accumulators
        }
        if (type == LoggingTrainingListener.class) {
            LoggingTrainingListener logging = new LoggingTrainingListener();
            return silence(logging) ? new BatchesOnly(logging) : null;
        }
        if (type == DivergenceCheckTrainingListener.class) {
            return new BatchesOnly(new DivergenceCheckTrainingListener());
        }
        if (type == TimeMeasureTrainingListener.class) {
            return new BatchesOnly(new TimeMeasureTrainingListener(null));
        }
        if (type == MemoryTrainingListener.class) {
            return new BatchesOnly(new MemoryTrainingListener());
        }
        return null;
    }

    /**
     * Gives the logging listener a progress bar of one step, which DJL's {@link ProgressBar} never
     * prints, so the listener does its per-batch work in silence. False where this DJL's listener
     * keeps its bar elsewhere; the trials then leave it out.
     */
    private static boolean silence(LoggingTrainingListener listener) {
        try {
            Field bar = LoggingTrainingListener.class.getDeclaredField("trainingProgressBar");
            bar.setAccessible(true);
            bar.set(listener, new ProgressBar("Training", 1));
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
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

    /** Returns the trials' own listeners: trials fire none of the user's. */
    @Override
    public List<TrainingListener> getTrainingListeners() {
        return listeners;
    }

    /** Tells a listener of training batches and of nothing else. */
    private record BatchesOnly(TrainingListener listener) implements TrainingListener {

        @Override
        public void onEpoch(Trainer trainer) {}

        @Override
        public void onTrainingBatch(Trainer trainer, BatchData batchData) {
            try {
                listener.onTrainingBatch(trainer, batchData);
            } catch (TrainingDivergedException e) {
                // The trial is measured all the same; the user's training checks for itself.
            }
        }

        @Override
        public void onValidationBatch(Trainer trainer, BatchData batchData) {}

        @Override
        public void onTrainingBegin(Trainer trainer) {}

        @Override
        public void onTrainingEnd(Trainer trainer) {}
    }
}
