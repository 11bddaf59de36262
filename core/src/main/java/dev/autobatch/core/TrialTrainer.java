package dev.autobatch.core;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.evaluator.Evaluator;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.util.Pair;
import dev.autobatch.core.internal.Gradients;
import dev.autobatch.core.internal.ParameterSnapshot;
import dev.autobatch.core.internal.Rebatcher;
import dev.autobatch.core.internal.StepLoop;
import dev.autobatch.core.internal.TrainingState;
import dev.autobatch.core.internal.TrialConfig;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainer that trials train with, and how it leaves the user's setup: exactly as it was.
 *
 * <p>It is built from the user's training configuration (same loss, initializers, devices,
 * executor, optimizer and evaluators) without its training listeners, so no checkpoint is written
 * and no callback runs. Trials do step the user's optimizer and update the user's evaluators, as
 * real training would, so before the first trial the state of the optimizer, the loss and the
 * evaluators is copied ({@link TrainingState}), and after every trial it is put back with the
 * parameters ({@link ParameterSnapshot}). A configuration whose state cannot be copied is refused
 * with a message naming it; a configuration made for the trials alone (given as a supplier) is
 * not copied. Parameters that were not initialised before the trainer initialised them are
 * released again when it closes, so the user's own {@code trainer.initialize} draws them as if
 * no tuning had happened.
 *
 * <p>A step is what {@code EasyTrain.trainBatch} and {@code trainer.step()} do: the batch split
 * across the trainer's devices, forward, loss, backward, the evaluators' accumulators updated by
 * DJL's {@link EvaluatorTrainingListener} where the configuration has one (a fresh one, the
 * trials' own), the trainer's metrics recorded, and the optimizer's update.
 */
final class TrialTrainer implements AutoCloseable {

    private static final String[] ACCUMULATORS = {
        EvaluatorTrainingListener.TRAIN_EPOCH,
        EvaluatorTrainingListener.TRAIN_PROGRESS,
        EvaluatorTrainingListener.TRAIN_ALL
    };

    private final Model model;
    private final Trainer trainer;
    private final Device device;
    private final int accumulationSteps;
    private final Shape[] inputShapes;
    private final List<Parameter> uninitialised = new ArrayList<>();
    private final TrainingState state;
    private final ParameterSnapshot parameters;

    /**
     * Builds the trainer and initialises the model on one sample's shapes.
     *
     * @param model the user's model
     * @param dataset the data, to read one sample's shapes
     * @param config the configuration
     * @param ownConfig whether the configuration is the trials' alone, so its state needs no copy
     * @param accumulationSteps micro-batches a step
     * @throws IllegalArgumentException if the configuration's state cannot be copied
     */
    TrialTrainer(
            Model model, RandomAccessDataset dataset, TrainingConfig config, boolean ownConfig, int accumulationSteps) {
        this.model = model;
        this.accumulationSteps = accumulationSteps;
        this.state = ownConfig ? null : copyState(config);
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            if (!pair.getValue().isInitialized()) {
                uninitialised.add(pair.getValue());
            }
        }
        Shape[] initialisedFor =
                model.getBlock().isInitialized() ? model.getBlock().getInputShapes() : null;
        this.trainer = model.newTrainer(TrialConfig.of(config));
        try {
            this.device = trainer.getDevices()[0];
            this.inputShapes = readInputShapes(dataset);
            trainer.initialize(inputShapes);
            this.parameters = ParameterSnapshot.of(model.getBlock());
            ShapeCheck.check(trainer, dataset, initialisedFor);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private static TrainingState copyState(TrainingConfig config) {
        Map<String, Object> roots = new LinkedHashMap<>();
        roots.put("the optimizer", config.getOptimizer());
        roots.put("the loss", config.getLossFunction());
        List<Evaluator> evaluators = config.getEvaluators();
        for (int i = 0; i < evaluators.size(); i++) {
            roots.put("evaluator " + (i + 1), evaluators.get(i));
        }
        try {
            return TrainingState.of(roots);
        } catch (TrainingState.UnsupportedStateException e) {
            throw new IllegalArgumentException(
                    "the training configuration keeps state that the trials cannot put back: "
                            + e.getMessage()
                            + "; give optTrainingConfig a supplier of new configurations instead, such as"
                            + " optTrainingConfig(() -> newConfig()), so the trials train with their own",
                    e);
        }
    }

    Device device() {
        return device;
    }

    int deviceCount() {
        return trainer.getDevices().length;
    }

    Shape[] inputShapes() {
        return inputShapes.clone();
    }

    Trainer trainer() {
        return trainer;
    }

    /**
     * Gives every evaluator the accumulators a step updates, at zero, as the evaluator listener
     * does when training begins, and the trainer new metrics, which it records a step as a
     * trainer of DJL's examples does ({@code trainer.setMetrics(new Metrics())}).
     */
    void beginTrial() {
        for (Evaluator evaluator : trainer.getEvaluators()) {
            for (String key : ACCUMULATORS) {
                evaluator.addAccumulator(key);
            }
        }
        trainer.setMetrics(new Metrics());
    }

    /** Puts the parameters and the configuration's state back as they were before any trial. */
    void endTrial() {
        Gradients.zero(model.getBlock());
        if (parameters != null) { // null only while the constructor fails
            parameters.restore();
        }
        if (state != null) {
            state.restore();
        }
    }

    /**
     * One training step: {@code accumulationSteps} micro-batches' passes and evaluator updates,
     * then one optimizer update. Fetching a micro-batch and reading the gradient norm lie outside
     * the timed spans. Each micro-batch's arrays live in the batch's own manager, closed with it.
     */
    StepLoop.StepResult step(Iterator<Batch> batches, boolean withGradientNorm) {
        long nanos = 0;
        double lossSum = 0;
        for (int micro = 0; micro < accumulationSteps; micro++) {
            boolean last = micro == accumulationSteps - 1;
            try (Batch batch = batches.next()) {
                long start = System.nanoTime();
                GradientAccumulation.Pass pass =
                        GradientAccumulation.forwardBackward(trainer, batch, accumulationSteps);
                trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, pass.batchData()));
                float lossValue = Float.NaN;
                // A GPU's kernels are queued: reading the loss waits for all of them, so it ends
                // the timed span where the work must be over (before the batch is closed, or before
                // the untimed gradient norm). CPU kernels run synchronously.
                if (device.isGpu() && (!last || withGradientNorm)) {
                    lossValue = readLoss(pass.losses());
                }
                nanos += System.nanoTime() - start;
                if (!last) {
                    lossSum += Float.isNaN(lossValue) ? readLoss(pass.losses()) : lossValue;
                    continue;
                }
                double normSquared = withGradientNorm ? Gradients.squaredGlobalNorm(model.getBlock()) : Double.NaN;
                long stepStart = System.nanoTime();
                trainer.step();
                if (device.isGpu()) {
                    // Waits for the optimizer's kernels as well.
                    lossValue = readLoss(pass.losses());
                }
                nanos += System.nanoTime() - stepStart;
                if (!device.isGpu()) {
                    lossValue = readLoss(pass.losses());
                }
                lossSum += lossValue;
                return new StepLoop.StepResult(nanos / 1e9, (float) (lossSum / accumulationSteps), normSquared);
            }
        }
        throw new IllegalStateException("a step has at least one micro-batch");
    }

    private static float readLoss(NDArray[] losses) {
        double sum = 0;
        for (NDArray loss : losses) {
            NDArray scalar = loss.size() == 1 ? loss : loss.mean();
            sum += scalar.toType(DataType.FLOAT32, false).getFloat();
        }
        return (float) (sum / losses.length);
    }

    private Shape[] readInputShapes(RandomAccessDataset dataset) {
        Iterator<Batch> one = Rebatcher.fullBatches(dataset, trainer.getManager(), 1);
        try (Batch batch = one.next()) {
            return batch.getData().getShapes();
        }
    }

    /**
     * Puts everything back one last time, closes the trainer, and releases the parameters that
     * were not initialised before it. The model stays open.
     */
    @Override
    public void close() {
        try {
            endTrial();
        } finally {
            trainer.close();
            for (Parameter parameter : uninitialised) {
                parameter.close();
            }
        }
    }
}
