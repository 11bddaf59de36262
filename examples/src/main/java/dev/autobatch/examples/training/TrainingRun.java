package dev.autobatch.examples.training;

import ai.djl.Model;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.tracker.WarmUpTracker;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Trains a classifier with plain SGD and softmax cross-entropy at one batch size, for a number of
 * epochs or a training-time budget, measuring accuracy on held-out data at every epoch end and,
 * optionally, at a fixed interval of training time.
 *
 * <p>Every step's arrays live in the batch's own sub-manager, closed with the batch, so memory
 * stays flat however long it trains. The clock counts training steps only (fetching the batch,
 * forward, backward, optimizer): evaluations stop it, so runs that evaluate at different rates
 * compare fairly. Samples are shuffled each epoch by a generator of the run's own seed, and the
 * last, partial batch of an epoch is trained too.
 *
 * <p>The run creates one {@link Trainer} on the model and closes it at the end. Give it a fresh
 * model: a second trainer on the same model leaks one gradient array per parameter (DJL issue
 * 1317).
 */
public final class TrainingRun {

    /** The reference learning rate: DJL's MNIST example trains the 784-128-10 MLP with SGD at 0.01. */
    public static final double REFERENCE_LEARNING_RATE = 0.01;
    /** The batch size the reference learning rate belongs to. */
    public static final int REFERENCE_BATCH_SIZE = 32;

    private final Builder b;

    private TrainingRun(Builder builder) {
        this.b = builder;
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
     * Advises the SGD learning rate of a batch size by AutoBatch's linear rule ({@link
     * LearningRateAdvice}, factor capped at {@value LearningRateAdvice#MAX_FACTOR}) from {@link
     * #REFERENCE_LEARNING_RATE} at {@link #REFERENCE_BATCH_SIZE}.
     *
     * @param batchSize the batch size to train with, at least 1
     * @return the advice: rate and warm-up epochs
     */
    public static LearningRateAdvice learningRateAdvice(int batchSize) {
        return LearningRateAdvice.advise(
                LearningRateAdvice.Rule.LINEAR,
                "Sgd",
                REFERENCE_BATCH_SIZE,
                REFERENCE_LEARNING_RATE,
                "DJL's MNIST example",
                batchSize);
    }

    /**
     * Trains the model.
     *
     * @return what the run did and reached
     */
    public TrainingOutcome run() {
        return new TrainingLoop(b).run();
    }

    /**
     * Checks a target validation accuracy; the comparison uses the same check.
     *
     * @param accuracy the target
     * @return the target
     * @throws IllegalArgumentException if it is not in (0, 1]
     */
    static double checkTargetAccuracy(double accuracy) {
        if (!(accuracy > 0 && accuracy <= 1)) {
            throw new IllegalArgumentException("target accuracy must be in (0, 1], got " + accuracy);
        }
        return accuracy;
    }

    /**
     * Builds a {@link TrainingRun}: {@code setX} for required values, {@code optX} for optional.
     * Its fields are package-private for the {@link TrainingLoop} that reads them.
     */
    public static final class Builder {

        Model model;
        Shape inputShape;
        RandomAccessDataset trainingSet;
        RandomAccessDataset validationSet;
        int batchSize;
        float learningRate = Float.NaN;
        int epochs = 1;
        int warmUpEpochs;
        float warmUpStartRate = Float.NaN;
        Duration timeBudget;
        Duration evaluationInterval;
        double targetAccuracy = Double.NaN;
        long shuffleSeed = 42;
        Consumer<String> progress = line -> {};
        Duration progressInterval = Duration.ofSeconds(5);
        boolean epochLines = true;

        private Builder() {}

        /**
         * Sets the model to train: a fresh one, with its block set and not yet trained. Required.
         *
         * @param model the model
         * @param inputShape the input shape of a batch of one, to initialise its parameters
         * @return this builder
         */
        public Builder setModel(Model model, Shape inputShape) {
            this.model = Objects.requireNonNull(model, "model");
            this.inputShape = Objects.requireNonNull(inputShape, "inputShape");
            return this;
        }

        /**
         * Sets the training data. Required.
         *
         * @param data the data, with labels
         * @return this builder
         */
        public Builder setTrainingSet(RandomAccessDataset data) {
            this.trainingSet = Objects.requireNonNull(data, "data");
            return this;
        }

        /**
         * Sets the held-out data accuracy is measured on. Required.
         *
         * @param data the data, with class-number labels
         * @return this builder
         */
        public Builder setValidationSet(RandomAccessDataset data) {
            this.validationSet = Objects.requireNonNull(data, "data");
            return this;
        }

        /**
         * Sets the batch size. Required.
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder setBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("batch size must be at least 1, got " + size);
            }
            this.batchSize = size;
            return this;
        }

        /**
         * Sets the SGD learning rate. Required; {@link #learningRateAdvice(int)} gives the one
         * for a batch size.
         *
         * @param rate positive and finite
         * @return this builder
         */
        public Builder setLearningRate(float rate) {
            if (!(rate > 0) || Float.isInfinite(rate)) {
                throw new IllegalArgumentException("learning rate must be positive and finite, got " + rate);
            }
            this.learningRate = rate;
            return this;
        }

        /**
         * Ramps the learning rate up linearly from {@code startRate} to the rate over the first
         * {@code epochs} epochs (DJL's {@link WarmUpTracker}), as {@link
         * LearningRateAdvice#warmupEpochs()} advises; default: no warm-up.
         *
         * @param epochs zero or more; 0 for none
         * @param startRate the rate of the first step, positive and finite, such as {@link
         *     #REFERENCE_LEARNING_RATE}
         * @return this builder
         */
        public Builder optWarmUp(int epochs, float startRate) {
            if (epochs < 0) {
                throw new IllegalArgumentException("warm-up epochs must be zero or more, got " + epochs);
            }
            if (!(startRate > 0) || Float.isInfinite(startRate)) {
                throw new IllegalArgumentException("the warm-up's start rate must be positive and finite, got "
                        + startRate + "; give the reference rate, such as 0.01");
            }
            this.warmUpEpochs = epochs;
            this.warmUpStartRate = startRate;
            return this;
        }

        /**
         * Sets the number of epochs (default 1); 0 trains until the time budget is spent.
         *
         * @param count zero or more
         * @return this builder
         */
        public Builder optEpochs(int count) {
            if (count < 0) {
                throw new IllegalArgumentException("epochs must be zero or more, got " + count);
            }
            this.epochs = count;
            return this;
        }

        /**
         * Sets a budget of training time (steps only, evaluations excluded) after which the run
         * stops, mid-epoch if need be (default: none).
         *
         * @param budget positive
         * @return this builder
         */
        public Builder optTimeBudget(Duration budget) {
            this.timeBudget = positive(budget, "time budget");
            return this;
        }

        /**
         * Sets an interval of training time at which validation accuracy is also measured, besides
         * every epoch end (default: epoch ends only).
         *
         * @param interval positive
         * @return this builder
         */
        public Builder optEvaluationInterval(Duration interval) {
            this.evaluationInterval = positive(interval, "evaluation interval");
            return this;
        }

        /**
         * Sets the accuracy whose first crossing the outcome reports (default: none).
         *
         * @param accuracy in (0, 1]
         * @return this builder
         */
        public Builder optTargetAccuracy(double accuracy) {
            this.targetAccuracy = checkTargetAccuracy(accuracy);
            return this;
        }

        /**
         * Sets the seed of the sample order (default 42).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder optShuffleSeed(long seed) {
            this.shuffleSeed = seed;
            return this;
        }

        /**
         * Sets where progress lines go: one a epoch ({@code "epoch 2/10: training loss 0.5123,
         * validation accuracy 0.8125 (1.9 s, 61,000 samples/s)"}, see {@link #optEpochLines}),
         * and one every progress interval of wall time. Lines carry no indentation or prefix: the
         * caller adds its own.
         *
         * @param sink the consumer of lines
         * @return this builder
         */
        public Builder optProgress(Consumer<String> sink) {
            this.progress = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Sets whether a line is printed at every epoch end (default yes). Without them only the
         * periodic progress lines appear: for runs of many short epochs.
         *
         * @param print {@code false} to print no epoch lines
         * @return this builder
         */
        public Builder optEpochLines(boolean print) {
            this.epochLines = print;
            return this;
        }

        /**
         * Sets the wall time between mid-epoch progress lines (default 5 s).
         *
         * @param interval positive
         * @return this builder
         */
        public Builder optProgressInterval(Duration interval) {
            this.progressInterval = positive(interval, "progress interval");
            return this;
        }

        /**
         * Builds the run.
         *
         * @return the run
         * @throws IllegalArgumentException if a required value is missing, or neither epochs nor a
         *     time budget bound the run
         */
        public TrainingRun build() {
            if (model == null) {
                throw new IllegalArgumentException("no model set; call setModel(model, inputShape)");
            }
            if (trainingSet == null || validationSet == null) {
                throw new IllegalArgumentException("set both the training and the validation set");
            }
            if (validationSet.size() < 1) {
                throw new IllegalArgumentException("the validation set is empty; give at least one sample");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("no batch size set; call setBatchSize(size)");
            }
            if (trainingSet.size() < 1) {
                throw new IllegalArgumentException("the training set is empty; give at least one sample");
            }
            if (Float.isNaN(learningRate)) {
                throw new IllegalArgumentException("no learning rate set; call setLearningRate(rate)");
            }
            if (epochs == 0 && timeBudget == null) {
                throw new IllegalArgumentException(
                        "epochs 0 means 'until the time budget is spent', but no budget is set;"
                                + " call optTimeBudget(duration) or give epochs above 0");
            }
            return new TrainingRun(this);
        }

        private static Duration positive(Duration duration, String what) {
            Objects.requireNonNull(duration, what);
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive, got " + duration);
            }
            return duration;
        }
    }
}
