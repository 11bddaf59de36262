package dev.autobatch.core;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.autobatch.core.internal.MeasurementRule;
import dev.autobatch.core.internal.PeakMemoryMeter;
import dev.autobatch.core.internal.Rebatcher;
import dev.autobatch.core.internal.StepLoop;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Runs measured training trials of a DJL model at any batch size.
 *
 * <p>A trial runs warm-up steps, then measured training steps (forward, loss, backward, optimizer)
 * on real batches of the dataset, re-batched to the requested size. Samples per second come from
 * the median step time (with {@link Trial#stepSecondsIqr()} and {@link Trial#measuredSteps()});
 * peak memory from the training device ({@link MemoryMeasurement}). Running out of memory yields
 * {@link Trial#outOfMemory(int)}, any other failure (a loss not finite too) {@link
 * Trial#failed(int, String)}; the runner stays usable after both. A slow model gets few steps and
 * a fast one many ({@link TrialMeasurement} says how many; {@link TrialOptions} bounds them).
 *
 * <p>With {@link Builder#optAccumulationSteps(int)} a step accumulates several micro-batches
 * before its optimizer update ({@link GradientAccumulation}), so a trial measures a plan of micro
 * batch times accumulation steps as it will train. With {@link Builder#optRecordGradientNorm}
 * the first {@value #MAX_GRADIENT_NORM_STEPS} measured steps (no more: it costs wall time) also read
 * the squared global gradient norm after their backward passes, outside the timed span; the trial
 * keeps its mean and spread, from which {@code autotune} estimates the gradient noise scale.
 *
 * <p>A measured step costs what a step of the user's training costs: {@code EasyTrain.trainBatch}
 * (the batch split across the configuration's devices, forward, loss, backward, the trainer's
 * metrics recorded, and the per-batch work of DJL's own listeners where the configuration has
 * them: the evaluators' updates, the logging listener's progress line, the divergence check and
 * the timing, by fresh listeners of the trials' own that print and write nothing) and {@code
 * trainer.step()}. Fetching the batch lies outside the timed span, as does the work of listeners
 * of other types.
 *
 * <p>One {@link Trainer} is created when the runner is built and reused by every trial (a new
 * trainer on the same model leaks one gradient array per parameter, DJL issue 1317). It runs none
 * of the configuration's own training listeners: no checkpoint is saved, no callback runs. <b>The
 * user's setup is left exactly as it was</b>: after every trial the model's parameters (running
 * statistics too) are bit-identical to what they were when the runner was built, and the state of
 * the configuration's optimizer (update counts, momentum, Adam's moments, the learning-rate
 * tracker), loss and evaluators is put back, so training afterwards gives what it would have given
 * without the trials. Parameters the runner had to initialise are released when it closes, so
 * the user's {@code trainer.initialize} draws them as it would have. Two things the runner cannot
 * put back: the engine's random number generator has advanced (set the seed after tuning where
 * runs must repeat), and state of an optimizer or evaluator that it cannot copy (then it refuses
 * the configuration and asks for {@link TrialOptions.Builder#optTrainingConfig(Supplier)}).
 *
 * <p>Not thread-safe: run one trial at a time. Close the runner to release its trainer.
 */
public final class DjlTrialRunner implements AutoCloseable {

    /** The learning rate of the default configuration, as in DJL's MNIST example. */
    public static final float DEFAULT_LEARNING_RATE = 0.01f;

    /** At most this many measured steps of a trial read the gradient norm, the first ones. */
    public static final int MAX_GRADIENT_NORM_STEPS = 16;

    /** A long trial reports its progress about this often, in seconds of its wall time. */
    public static final double PROGRESS_INTERVAL_SECONDS = 2.0;

    private final Model model;
    private final RandomAccessDataset dataset;
    private final TrainingConfig config;
    private final TrialTrainer trainer;
    private final TrialMeasurement measurement;
    private boolean closed;

    private DjlTrialRunner(Builder builder, RandomAccessDataset dataset) {
        this.model = builder.model;
        this.dataset = dataset;
        TrialOptions options = builder.options;
        boolean ownConfig = options.trainingConfig().isEmpty();
        this.config = options.trainingConfig()
                .or(() -> options.trainingConfigSupplier().map(DjlTrialRunner::supplied))
                .orElseGet(DjlTrialRunner::defaultTrainingConfig);
        this.trainer = new TrialTrainer(model, dataset, config, ownConfig, builder.accumulationSteps);
        try {
            MeasurementRule rule = new MeasurementRule(
                    options.warmupSteps(),
                    options.measuredSteps(),
                    options.minMeasuredSeconds(),
                    options.targetPrecision(),
                    options.maxTrialSeconds());
            int normSteps = builder.recordGradientNorm ? MAX_GRADIENT_NORM_STEPS : 0;
            this.measurement = new TrialMeasurement(
                    trainer,
                    dataset,
                    new StepLoop(rule, builder.progress, PROGRESS_INTERVAL_SECONDS, normSteps),
                    PeakMemoryMeter.forDevice(trainer.device(), builder.deviceMemoryProbe),
                    builder.accumulationSteps);
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
    }

    private static TrainingConfig supplied(Supplier<? extends TrainingConfig> configs) {
        TrainingConfig config = configs.get();
        if (config == null) {
            throw new IllegalArgumentException(
                    "the supplier given to optTrainingConfig returned null; return a new TrainingConfig");
        }
        return config;
    }

    /**
     * Returns a builder.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The configuration used when none is given: softmax cross-entropy loss and plain SGD at
     * {@value #DEFAULT_LEARNING_RATE}, as in DJL's MNIST example, with no training listeners so
     * nothing but training is timed.
     *
     * @return a new default configuration
     */
    public static TrainingConfig defaultTrainingConfig() {
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd()
                        .setLearningRateTracker(Tracker.fixed(DEFAULT_LEARNING_RATE))
                        .build());
    }

    /**
     * Runs one trial.
     *
     * @param batchSize the batch size, at least 1 and at most the dataset's size
     * @return the measured trial, or an out-of-memory or failed one
     * @throws IllegalArgumentException if the batch size is below 1 or above the dataset's size
     * @throws IllegalStateException if the runner is closed
     */
    public Trial run(int batchSize) {
        if (closed) {
            throw new IllegalStateException("this trial runner is closed; build a new one");
        }
        Rebatcher.requireOneBatch(dataset, batchSize);
        return measurement.run(batchSize);
    }

    /**
     * Returns the number of samples in the dataset: no trial may be larger.
     *
     * @return the dataset's size
     */
    public long datasetSize() {
        return dataset.size();
    }

    /**
     * Returns the device that trains.
     *
     * @return the trainer's first device
     */
    public Device device() {
        return trainer.device();
    }

    /**
     * Returns the training configuration the trials train with: the one given, the one the
     * supplier gave, or {@link #defaultTrainingConfig()}.
     *
     * @return the configuration
     */
    public TrainingConfig trainingConfig() {
        return config;
    }

    /**
     * Returns how many devices the trainer trains on: the training configuration's devices.
     *
     * @return at least 1 (1 on a CPU)
     */
    public int deviceCount() {
        return trainer.deviceCount();
    }

    /**
     * Returns the shapes of one sample's inputs, as the trainer was initialised with (batch
     * dimension 1).
     *
     * @return a copy of the shapes
     */
    public Shape[] inputShapes() {
        return trainer.inputShapes();
    }

    /**
     * Returns the micro-batches each measured step accumulates before its optimizer update.
     *
     * @return at least 1 (1: no accumulation)
     */
    public int accumulationSteps() {
        return measurement.accumulationSteps();
    }

    /**
     * Returns the engine's name and version, such as {@code "PyTorch 2.7.1"}.
     *
     * @return the engine description
     */
    public String engine() {
        Engine engine = model.getNDManager().getEngine();
        return engine.getEngineName() + " " + engine.getVersion();
    }

    /**
     * Puts the user's setup back one last time and closes the trainer (see the class description).
     * The model stays open.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            trainer.close();
        }
    }

    /**
     * Builds a {@link DjlTrialRunner}: {@code setX} for required values, {@code optX} for optional.
     * Each throws {@link IllegalArgumentException} for a value out of range, naming it and the fix,
     * and returns this builder.
     */
    public static final class Builder {

        private Model model;
        private Dataset dataset;
        private TrialOptions options = TrialOptions.defaults();
        private TrialProgress progress = TrialProgress.NONE;
        private boolean recordGradientNorm;
        private int accumulationSteps = 1;
        private DeviceMemoryProbe deviceMemoryProbe = DeviceMemoryProbe.NONE;

        private Builder() {}

        /**
         * Sets the model to train; its block must be set. Required.
         */
        public Builder setModel(Model model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets the training data, a {@link RandomAccessDataset} so it can be re-batched. Required.
         */
        public Builder setDataset(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            return this;
        }

        /**
         * Sets what the trials train with and how long each measures (default {@link
         * TrialOptions#defaults()}); see {@link TrialOptions.Builder}.
         */
        public Builder optTrialOptions(TrialOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /**
         * Sets who hears how a trial longer than {@value DjlTrialRunner#PROGRESS_INTERVAL_SECONDS}
         * seconds is getting on, about that often (default {@link TrialProgress#NONE}).
         */
        public Builder optProgress(TrialProgress listener) {
            this.progress = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets whether trials record the squared global gradient norm, its mean and its spread
         * over the first {@value DjlTrialRunner#MAX_GRADIENT_NORM_STEPS} measured steps (default
         * off; it costs a host read per parameter a step, outside the timed span). The gradient
         * noise scale is estimated from it.
         */
        public Builder optRecordGradientNorm(boolean record) {
            this.recordGradientNorm = record;
            return this;
        }

        /**
         * Sets how many micro-batches each training step accumulates before its optimizer update
         * (default 1: none). A trial at batch size {@code b} then trains {@code k} micro-batches
         * of {@code b} a step, each loss divided by {@code k} (see {@link GradientAccumulation}),
         * so a step trains on {@code k * b} samples as one batch would; its samples per second
         * count all of them, and its gradient norm is that of the {@code k * b} samples. Peak
         * memory is that of one micro-batch.
         */
        public Builder optAccumulationSteps(int steps) {
            this.accumulationSteps = Checks.atLeastOne(steps, "accumulation steps", "1 means no accumulation");
            return this;
        }

        /**
         * Sets how device memory is read when the model trains on a GPU (default: not at all).
         */
        public Builder optDeviceMemoryProbe(DeviceMemoryProbe probe) {
            this.deviceMemoryProbe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /**
         * Builds the runner: creates its trainer and initialises the model if needed.
         *
         * @return the runner
         * @throws IllegalArgumentException if the model has no block, or the dataset is not a
         *     {@link RandomAccessDataset} or is empty
         */
        public DjlTrialRunner build() {
            if (model == null) {
                throw new IllegalArgumentException("no model set; call setModel(model)");
            }
            if (model.getBlock() == null) {
                throw new IllegalArgumentException(
                        "model '" + model.getName() + "' has no block; call model.setBlock(block) first");
            }
            if (dataset == null) {
                throw new IllegalArgumentException("no dataset set; call setDataset(dataset)");
            }
            RandomAccessDataset random = Rebatcher.prepared(dataset);
            return new DjlTrialRunner(this, random);
        }
    }
}
