package dev.autobatch.core;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import ai.djl.util.Pair;
import dev.autobatch.core.internal.Checks;
import dev.autobatch.core.internal.OutOfMemory;
import dev.autobatch.core.internal.ParameterSnapshot;
import dev.autobatch.core.internal.PeakMemoryMeter;
import dev.autobatch.core.internal.Rebatcher;

import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;

/**
 * Runs measured training trials of a DJL model at any batch size.
 *
 * <p>A trial runs {@code warmupSteps} unmeasured and {@code measuredSteps} measured training steps
 * (forward, loss, backward, optimizer) on real batches of the dataset, re-batched to the requested
 * size. Samples per second come from the median step time; peak memory from the training device
 * (see {@link MemoryMeasurement}). Running out of memory yields {@link Trial#outOfMemory(int)},
 * any other failure {@link Trial#failed(int, String)}; the runner stays usable after both.
 *
 * <p>With {@link Builder#optAccumulationSteps(int)} a step accumulates several micro-batches
 * before its optimizer update ({@link GradientAccumulation}), so a trial measures a plan of micro
 * batch times accumulation steps as it will train. With {@link Builder#optRecordGradientNorm}
 * each measured step also reads the squared global gradient norm after its backward passes,
 * outside the timed span; the trial keeps its mean and spread, from which {@code autotune}
 * estimates the gradient noise scale.
 *
 * <p>One {@link Trainer} is created when the runner is built and reused by every trial (a new
 * trainer on the same model leaks one gradient array per parameter, DJL issue 1317). The model's
 * parameters are restored after every trial, so they are bit-identical to what they were when the
 * runner was built. The optimizer's own state (momentum, Adam's moments) does advance: give the
 * runner a training configuration of its own.
 *
 * <p>Not thread-safe: run one trial at a time. Close the runner to release its trainer.
 */
public final class DjlTrialRunner implements AutoCloseable {

    /** The learning rate of the default configuration, as in DJL's MNIST example. */
    public static final float DEFAULT_LEARNING_RATE = 0.01f;

    private final Model model;
    private final RandomAccessDataset dataset;
    private final Trainer trainer;
    private final Device device;
    private final int warmupSteps;
    private final int measuredSteps;
    private final boolean recordGradientNorm;
    private final int accumulationSteps;
    private final Shape[] inputShapes;
    private final PeakMemoryMeter memoryMeter;
    private final ParameterSnapshot snapshot;
    private boolean closed;

    private DjlTrialRunner(Builder builder, RandomAccessDataset dataset) {
        this.model = builder.model;
        this.dataset = dataset;
        this.warmupSteps = builder.warmupSteps;
        this.measuredSteps = builder.measuredSteps;
        this.recordGradientNorm = builder.recordGradientNorm;
        this.accumulationSteps = builder.accumulationSteps;
        TrainingConfig config =
                builder.trainingConfig != null ? builder.trainingConfig : defaultTrainingConfig();
        this.trainer = model.newTrainer(config);
        try {
            this.device = trainer.getDevices()[0];
            this.inputShapes = readInputShapes();
            trainer.initialize(inputShapes);
            this.snapshot = ParameterSnapshot.of(model.getBlock());
            this.memoryMeter = PeakMemoryMeter.forDevice(device, builder.deviceMemoryProbe);
        } catch (RuntimeException e) {
            trainer.close();
            throw e;
        }
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
                .optOptimizer(
                        Optimizer.sgd()
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
        try {
            return measure(batchSize);
        } catch (RuntimeException | OutOfMemoryError e) {
            memoryMeter.stop();
            forgetGradients();
            if (OutOfMemory.isOutOfMemory(e)) {
                return Trial.outOfMemory(batchSize);
            }
            return Trial.failed(batchSize, describe(e));
        } finally {
            releaseCachedDeviceMemory();
            snapshot.restore();
        }
    }

    private Trial measure(int batchSize) {
        releaseCachedDeviceMemory();
        double[] stepSeconds = new double[measuredSteps];
        double[] gradientNorms = new double[measuredSteps];
        try (NDManager trialManager = trainer.getManager().newSubManager()) {
            Iterator<Batch> batches = Rebatcher.fullBatches(dataset, trialManager, batchSize);
            long baseline = memoryMeter.start();
            for (int step = 0; step < warmupSteps + measuredSteps; step++) {
                boolean measured = step >= warmupSteps;
                StepResult result = step(batches, measured && recordGradientNorm);
                if (!Float.isFinite(result.loss)) {
                    memoryMeter.stop();
                    return Trial.failed(
                            batchSize,
                            "the loss became "
                                    + result.loss
                                    + " at batch size "
                                    + batchSize
                                    + (accumulationSteps > 1 ? " x " + accumulationSteps + " micro-batches" : "")
                                    + " (step "
                                    + (step + 1)
                                    + "); lower the learning rate of the training configuration");
                }
                if (measured) {
                    stepSeconds[step - warmupSteps] = result.seconds;
                    gradientNorms[step - warmupSteps] = result.gradientNormSquared;
                }
            }
            long peak = memoryMeter.stop();
            double median = median(stepSeconds);
            return new Trial(
                    batchSize,
                    (double) batchSize * accumulationSteps / median,
                    peak,
                    false,
                    median,
                    baseline,
                    peak < 0 ? MemoryMeasurement.NONE : memoryMeter.measurement(),
                    null,
                    recordGradientNorm ? mean(gradientNorms) : Double.NaN,
                    recordGradientNorm ? standardDeviation(gradientNorms) : Double.NaN,
                    accumulationSteps);
        }
    }

    /**
     * One training step: {@code accumulationSteps} micro-batches' forward and backward passes, then
     * one optimizer update. Fetching a micro-batch and reading the gradient norm lie outside the
     * timed spans. Each micro-batch's arrays live in the batch's own manager, closed with it.
     */
    private StepResult step(Iterator<Batch> batches, boolean withGradientNorm) {
        long nanos = 0;
        double lossSum = 0;
        for (int micro = 0; micro < accumulationSteps; micro++) {
            boolean last = micro == accumulationSteps - 1;
            try (Batch batch = batches.next()) {
                long start = System.nanoTime();
                NDArray loss = GradientAccumulation.forwardBackward(
                        trainer, batch.getData(), batch.getLabels(), accumulationSteps);
                float lossValue = Float.NaN;
                // A GPU's kernels are queued: reading the loss waits for all of them, so it ends
                // the timed span where the work must be over (before the batch is closed, or before
                // the untimed gradient norm). CPU kernels run synchronously.
                if (device.isGpu() && (!last || withGradientNorm)) {
                    lossValue = readLoss(loss);
                }
                nanos += System.nanoTime() - start;
                if (!last) {
                    lossSum += Float.isNaN(lossValue) ? readLoss(loss) : lossValue;
                    continue;
                }
                double gradientNormSquared = withGradientNorm ? gradientNormSquared() : Double.NaN;
                long stepStart = System.nanoTime();
                trainer.step();
                if (device.isGpu()) {
                    // Waits for the optimizer's kernels as well.
                    lossValue = readLoss(loss);
                }
                nanos += System.nanoTime() - stepStart;
                if (!device.isGpu()) {
                    lossValue = readLoss(loss);
                }
                lossSum += lossValue;
                return new StepResult(nanos / 1e9, (float) (lossSum / accumulationSteps), gradientNormSquared);
            }
        }
        throw new IllegalStateException("a step has at least one micro-batch");
    }

    private static float readLoss(NDArray loss) {
        NDArray scalar = loss.size() == 1 ? loss : loss.mean();
        return scalar.toType(DataType.FLOAT32, false).getFloat();
    }

    /**
     * The squared global L2 norm of the gradient: one norm a parameter, squared and summed on the
     * host. Every array it creates is closed here: results of operations on a gradient belong to
     * the parameter's manager, which lives as long as the model, so an unclosed one would pile up
     * there step after step.
     */
    private double gradientNormSquared() {
        double sum = 0;
        for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
            NDArray array = pair.getValue().getArray();
            if (pair.getValue().requiresGradient() && array.hasGradient()) {
                try (NDArray gradient = array.getGradient();
                        NDArray norm = gradient.norm();
                        NDArray wide = norm.toType(DataType.FLOAT64, false)) {
                    double value = wide.getDouble();
                    sum += value * value;
                }
            }
        }
        return sum;
    }

    /** After a failed step the gradients may hold a partial sum; the next step must start at 0. */
    private void forgetGradients() {
        try {
            for (Pair<String, Parameter> pair : model.getBlock().getParameters()) {
                NDArray array = pair.getValue().getArray();
                if (array != null && array.hasGradient()) {
                    try (NDArray gradient = array.getGradient()) {
                        gradient.subi(gradient);
                    }
                }
            }
        } catch (RuntimeException e) {
            // Nothing more can be done here; the next trial's result will show any damage.
        }
    }

    private void releaseCachedDeviceMemory() {
        if (device.isGpu() && "PyTorch".equals(model.getNDManager().getEngine().getEngineName())) {
            ai.djl.pytorch.jni.JniUtils.emptyCudaCache();
        }
    }

    private Shape[] readInputShapes() {
        Iterator<Batch> one = Rebatcher.fullBatches(dataset, trainer.getManager(), 1);
        try (Batch batch = one.next()) {
            return batch.getData().getShapes();
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        String first = message == null ? "" : message.lines().findFirst().orElse("").trim();
        return e.getClass().getSimpleName() + (first.isEmpty() ? "" : ": " + first);
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double value : values) {
            sum += value;
        }
        return sum / values.length;
    }

    /** The sample standard deviation, {@code NaN} for fewer than two values. */
    private static double standardDeviation(double[] values) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double mean = mean(values);
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
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
        return device;
    }

    /**
     * Returns how many devices the trainer trains on: the training configuration's devices.
     *
     * @return at least 1 (1 on a CPU)
     */
    public int deviceCount() {
        return trainer.getDevices().length;
    }

    /**
     * Returns the shapes of one sample's inputs, as the trainer was initialised with (batch
     * dimension 1).
     *
     * @return a copy of the shapes
     */
    public Shape[] inputShapes() {
        return inputShapes.clone();
    }

    /**
     * Returns the micro-batches each measured step accumulates before its optimizer update.
     *
     * @return at least 1 (1: no accumulation)
     */
    public int accumulationSteps() {
        return accumulationSteps;
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

    /** Restores the parameters one last time and closes the trainer. The model stays open. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            snapshot.restore();
            trainer.close();
        }
    }

    private record StepResult(double seconds, float loss, double gradientNormSquared) {}

    /** Builds a {@link DjlTrialRunner}: {@code setX} for required values, {@code optX} for optional. */
    public static final class Builder {

        private Model model;
        private Dataset dataset;
        private TrainingConfig trainingConfig;
        private int warmupSteps = 2;
        private int measuredSteps = 5;
        private boolean recordGradientNorm;
        private int accumulationSteps = 1;
        private DeviceMemoryProbe deviceMemoryProbe = DeviceMemoryProbe.NONE;

        private Builder() {}

        /**
         * Sets the model to train; its block must be set. Required.
         *
         * @param model the model
         * @return this builder
         */
        public Builder setModel(Model model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * Sets the training data, a {@link RandomAccessDataset} so it can be re-batched. Required.
         *
         * @param dataset the data
         * @return this builder
         */
        public Builder setDataset(Dataset dataset) {
            this.dataset = Objects.requireNonNull(dataset, "dataset");
            return this;
        }

        /**
         * Sets the training configuration (default {@link #defaultTrainingConfig()}).
         *
         * @param config the configuration
         * @return this builder
         */
        public Builder optTrainingConfig(TrainingConfig config) {
            this.trainingConfig = Objects.requireNonNull(config, "config");
            return this;
        }

        /**
         * Sets the unmeasured steps before each trial's measured ones (default 2).
         *
         * @param steps zero or more
         * @return this builder
         */
        public Builder optWarmupSteps(int steps) {
            this.warmupSteps = Checks.zeroOrMore(steps, "warm-up steps");
            return this;
        }

        /**
         * Sets the measured steps a trial (default 5).
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder optMeasuredSteps(int steps) {
            this.measuredSteps = Checks.atLeastOne(steps, "measured steps", "5 is the default");
            return this;
        }

        /**
         * Sets whether trials record the squared global gradient norm, its mean and its spread
         * over the measured steps (default off; it costs a host read per parameter a step,
         * outside the timed span). The gradient noise scale is estimated from it.
         *
         * @param record {@code true} to record it
         * @return this builder
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
         *
         * @param steps at least 1
         * @return this builder
         */
        public Builder optAccumulationSteps(int steps) {
            this.accumulationSteps = Checks.atLeastOne(steps, "accumulation steps", "1 means no accumulation");
            return this;
        }

        /**
         * Sets how device memory is read when the model trains on a GPU (default: not at all).
         *
         * @param probe the probe
         * @return this builder
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
            if (!(dataset instanceof RandomAccessDataset random)) {
                throw new IllegalArgumentException(
                        "the dataset is a "
                                + dataset.getClass().getName()
                                + ", which cannot be re-batched; give a RandomAccessDataset such as"
                                + " ArrayDataset");
            }
            try {
                random.prepare();
            } catch (IOException | TranslateException e) {
                throw new IllegalStateException("could not prepare the dataset: " + e.getMessage(), e);
            }
            if (random.size() < 1) {
                throw new IllegalArgumentException("the dataset is empty; give at least one sample");
            }
            return new DjlTrialRunner(this, random);
        }
    }
}
