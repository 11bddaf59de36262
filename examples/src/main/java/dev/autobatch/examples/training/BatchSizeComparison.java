package dev.autobatch.examples.training;

import ai.djl.Device;
import ai.djl.Model;
import dev.autobatch.autotune.report.ResultTable;
import dev.autobatch.core.DjlTrialRunner;
import dev.autobatch.core.Trial;
import dev.autobatch.core.TrialOptions;
import dev.autobatch.examples.data.FashionMnist;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The usual advice, done properly: train at several batch sizes (32, 64, 128, 256 and the tuned
 * one) under the same training-time budget, and record throughput, peak memory, held-out accuracy
 * and the time to a target accuracy.
 *
 * <p>Every candidate trains a fresh model from the same seed (the same initial parameters and the
 * same sample order) at the learning rate {@link TrainingRun#learningRateAdvice(int)} gives its
 * batch size (AutoBatch's linear rule, capped at 32x), without warm-up: a run of a few seconds has
 * no epochs to spend ramping, and the cap was measured without one.
 * Throughput and peak memory also come from a short {@code DjlTrialRunner} trial at each size,
 * the measurement the tuner itself uses. Accuracy is measured on the validation set every
 * twentieth of the budget and at every epoch end, so the time to target has a resolution of one
 * twentieth of the budget or better.
 */
public final class BatchSizeComparison {

    /** The batch sizes of the usual advice. */
    public static final List<Integer> USUAL_SIZES = List.of(32, 64, 128, 256);

    private static final int EVALUATIONS_PER_BUDGET = 20;

    private final Builder b;

    private BatchSizeComparison(Builder builder) {
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

    /** Trials with the runner's defaults, on the comparison's device where one is set. */
    private DjlTrialRunner trialRunner(Model model) {
        DjlTrialRunner.Builder runner = DjlTrialRunner.builder().setModel(model).setDataset(b.data.train());
        if (b.device != null) {
            runner.optTrialOptions(TrialOptions.builder()
                    .optTrainingConfig(Devices.trialConfig(b.device))
                    .build());
        }
        return runner.build();
    }

    /**
     * Runs every candidate, smallest batch first.
     *
     * @return one row per batch size, smallest first
     */
    public List<ComparisonRow> run() {
        TreeSet<Integer> sizes = new TreeSet<>(b.sizes);
        if (b.tunedSize > 0) {
            sizes.add(b.tunedSize);
        }
        long trainSize = b.data.train().size();
        List<Trial> trials = new ArrayList<>();
        b.progress.accept(
                "measuring " + sizes.size() + " batch sizes with short trials (2 warm-up + 5 measured steps each)");
        try (Model model = b.kind.newModel("compare-trials", b.seed, b.device);
                DjlTrialRunner runner = trialRunner(model)) {
            for (int size : sizes) {
                Trial trial = size <= trainSize
                        ? runner.run(size)
                        : Trial.failed(size, "batch size above the " + trainSize + " training samples");
                trials.add(trial);
                b.progress.accept(String.format(Locale.ROOT, "  trial %6d: %s", size, describe(trial)));
            }
        }
        List<ComparisonRow> rows = new ArrayList<>();
        Duration interval = b.timeBudget.dividedBy(EVALUATIONS_PER_BUDGET);
        int i = 0;
        for (int size : sizes) {
            float rate = (float) TrainingRun.learningRateAdvice(size).learningRate();
            b.progress.accept(String.format(
                    Locale.ROOT,
                    "training batch size %d%s at learning rate %s for %s s of training time",
                    size,
                    size == b.tunedSize ? " (tuned)" : "",
                    rate,
                    b.timeBudget.toMillis() / 1000.0));
            TrainingOutcome outcome;
            try (Model model = b.kind.newModel("compare-" + size, b.seed, b.device)) {
                outcome = TrainingRun.builder()
                        .setModel(model, b.kind.inputShape())
                        .setTrainingSet(b.data.train())
                        .setValidationSet(b.data.validation())
                        .setBatchSize((int) Math.min(size, trainSize))
                        .setLearningRate(rate)
                        .optEpochs(0)
                        .optTimeBudget(b.timeBudget)
                        .optEvaluationInterval(interval)
                        .optTargetAccuracy(b.targetAccuracy)
                        .optShuffleSeed(b.seed)
                        .optProgress(line -> b.progress.accept("  batch " + size + ": " + line))
                        .optEpochLines(false)
                        .build()
                        .run();
            }
            OptionalDouble toTarget = outcome.secondsToTarget();
            b.progress.accept(String.format(
                    Locale.ROOT,
                    "  batch %d: %.2f epochs, validation accuracy %.4f, %s to %.2f",
                    size,
                    (double) outcome.samplesTrained() / trainSize,
                    outcome.finalAccuracy(),
                    toTarget.isPresent() ? String.format(Locale.ROOT, "%.1f s", toTarget.getAsDouble()) : "never",
                    b.targetAccuracy));
            rows.add(new ComparisonRow(size, size == b.tunedSize, trials.get(i++), outcome));
        }
        return rows;
    }

    /**
     * Formats the rows as a Markdown table. The trial's samples per second carry their spread where
     * the trial recorded it ({@code "150,000 ±2.1%"}: the middle half of its steps ran within 2.1% of
     * the median step time).
     *
     * @param rows the rows, as {@link #run()} returns them
     * @param targetAccuracy the target accuracy the time-to-target column is about
     * @param trainingSamples the size of the training set, to express samples as epochs
     * @return the table, one line a row, with a trailing newline
     */
    public static String markdownTable(List<ComparisonRow> rows, double targetAccuracy, long trainingSamples) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "| batch size | learning rate | samples/s (trial) | samples/s (training) | peak memory"
                        + " (trial) | added by the step | epochs trained | validation accuracy | time to"
                        + " %.2f |%n",
                targetAccuracy));
        out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        for (ComparisonRow row : rows) {
            Trial t = row.trial();
            TrainingOutcome o = row.training();
            OptionalDouble toTarget = o.secondsToTarget();
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s | %s | %s | %s | %.2f | %.4f%s | %s |%n",
                    row.tuned() ? "**" + row.batchSize() + "** (tuned)" : Integer.toString(row.batchSize()),
                    o.learningRate(),
                    trialThroughput(t),
                    Double.isNaN(o.samplesPerSecond())
                            ? "-"
                            : String.format(Locale.ROOT, "%,.0f", o.samplesPerSecond()),
                    mebibytes(t.peakMemoryBytes()),
                    mebibytes(t.peakAboveBaselineBytes()),
                    (double) o.samplesTrained() / trainingSamples,
                    o.finalAccuracy(),
                    o.diverged() ? " (diverged)" : "",
                    toTarget.isPresent() ? String.format(Locale.ROOT, "%.1f s", toTarget.getAsDouble()) : "-"));
        }
        return out.toString();
    }

    /** The trial's samples per second, with its spread where known ({@code "150,000 ±2.1%"}); {@code "-"} if not measured. */
    private static String trialThroughput(Trial trial) {
        if (!trial.ok()) {
            return "-";
        }
        String spread = ResultTable.spread(trial);
        return String.format(Locale.ROOT, "%,.0f", trial.samplesPerSecond()) + (spread.isEmpty() ? "" : " " + spread);
    }

    private static String mebibytes(long bytes) {
        return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
    }

    private static String describe(Trial trial) {
        if (trial.outOfMemory()) {
            return "out of memory";
        }
        if (trial.failed()) {
            return "failed: " + trial.failure();
        }
        return String.format(
                Locale.ROOT,
                "%,.0f samples/s, peak %s (%s above the baseline)",
                trial.samplesPerSecond(),
                mebibytes(trial.peakMemoryBytes()),
                mebibytes(trial.peakAboveBaselineBytes()));
    }

    /** Builds a {@link BatchSizeComparison}: {@code setX} for required values, {@code optX} for optional. */
    public static final class Builder {

        private ModelKind kind;
        private FashionMnist data;
        private List<Integer> sizes = USUAL_SIZES;
        private int tunedSize;
        private Duration timeBudget;
        private double targetAccuracy = 0.8;
        private int seed = 42;
        private Device device;
        private Consumer<String> progress = line -> {};

        private Builder() {}

        /**
         * Sets the model to train. Required.
         *
         * @param kind the model kind
         * @return this builder
         */
        public Builder setModel(ModelKind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /**
         * Sets the data, loaded in the layout the model reads. Required.
         *
         * @param data training and validation splits
         * @return this builder
         */
        public Builder setData(FashionMnist data) {
            this.data = Objects.requireNonNull(data, "data");
            return this;
        }

        /**
         * Sets the training-time budget each batch size gets. Required.
         *
         * @param budget positive
         * @return this builder
         */
        public Builder setTimeBudget(Duration budget) {
            Objects.requireNonNull(budget, "budget");
            if (budget.isZero() || budget.isNegative()) {
                throw new IllegalArgumentException("time budget must be positive, got " + budget);
            }
            this.timeBudget = budget;
            return this;
        }

        /**
         * Sets the batch sizes to compare (default {@link #USUAL_SIZES}).
         *
         * @param batchSizes each at least 1
         * @return this builder
         */
        public Builder optBatchSizes(List<Integer> batchSizes) {
            for (int size : batchSizes) {
                if (size < 1) {
                    throw new IllegalArgumentException("batch sizes must be at least 1, got " + size);
                }
            }
            this.sizes = List.copyOf(batchSizes);
            return this;
        }

        /**
         * Adds the size AutoBatch chose, marked as tuned in the table (default: none).
         *
         * @param size at least 1
         * @return this builder
         */
        public Builder optTunedBatchSize(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("tuned batch size must be at least 1, got " + size);
            }
            this.tunedSize = size;
            return this;
        }

        /**
         * Sets the accuracy whose first crossing is timed (default 0.8).
         *
         * @param accuracy in (0, 1]
         * @return this builder
         */
        public Builder optTargetAccuracy(double accuracy) {
            this.targetAccuracy = TrainingRun.checkTargetAccuracy(accuracy);
            return this;
        }

        /**
         * Sets the device every model trains on, trials included (default: the engine's default
         * device).
         *
         * @param device the device, or {@code null} for the default
         * @return this builder
         */
        public Builder optDevice(Device device) {
            this.device = device;
            return this;
        }

        /**
         * Sets the seed of initial parameters and sample order, the same for every size (default 42).
         *
         * @param seed the seed
         * @return this builder
         */
        public Builder optSeed(int seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Sets where progress lines go.
         *
         * @param sink the consumer of lines
         * @return this builder
         */
        public Builder optProgress(Consumer<String> sink) {
            this.progress = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Builds the comparison.
         *
         * @return the comparison
         * @throws IllegalArgumentException if the model, data or time budget is missing
         */
        public BatchSizeComparison build() {
            if (kind == null || data == null || timeBudget == null) {
                throw new IllegalArgumentException(
                        "set the model, the data and the time budget: setModel, setData, setTimeBudget");
            }
            if (data.layout() != kind.layout()) {
                throw new IllegalArgumentException("the data is loaded as " + data.layout() + " but the "
                        + kind.cliName() + " reads " + kind.layout());
            }
            return new BatchSizeComparison(this);
        }
    }
}
