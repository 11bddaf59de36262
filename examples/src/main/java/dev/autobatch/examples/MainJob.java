package dev.autobatch.examples;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningListener;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.budget.MemoryBudgetException;
import dev.autobatch.autotune.probe.HardwareProbe;
import dev.autobatch.autotune.probe.HardwareSnapshot;
import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.PrometheusEndpoint;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.core.Trial;
import dev.autobatch.core.TrialOptions;
import dev.autobatch.examples.data.DataFileException;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.BatchSizeComparison;
import dev.autobatch.examples.training.ComparisonRow;
import dev.autobatch.examples.training.Devices;
import dev.autobatch.examples.training.ModelKind;
import dev.autobatch.examples.training.RunMarkdown;
import dev.autobatch.examples.training.TrainingOutcome;
import dev.autobatch.examples.training.TrainingRun;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The main job, what a newcomer runs first ({@code bin/autobatch}): loads Fashion-MNIST, prints
 * the hardware, tunes the batch size of the 784-128-10 MLP (or a small CNN) with {@link
 * AutoBatch#tune} (or takes the size tuned earlier from AutoBatch's cache), trains a fresh model a
 * few epochs at the chosen size with the learning rate {@link LearningRateAdvice} advises, warm-up
 * included, while reporting held-out accuracy, and writes the report.
 *
 * <p>With {@code --compare} it trains at 32, 64, 128, 256 and the tuned size instead, each for
 * the same training time, and prints a table of throughput, peak memory, accuracy and time to a
 * target accuracy. {@code --help} lists every option.
 */
public final class MainJob {

    /** Exit status of a run that did what it was asked. */
    public static final int EXIT_OK = 0;
    /** Exit status of a run that failed, such as for missing data. */
    public static final int EXIT_FAILED = 1;
    /** Exit status of a bad command line. */
    public static final int EXIT_USAGE = 2;

    private final MainJobOptions options;
    private final PrintStream out;
    /** Where every model of the run trains: {@code --device}, else DJL's default. */
    private final Device device;

    private MainJob(MainJobOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
        this.device = options.device().orElseGet(() -> Engine.getInstance().defaultDevice());
    }

    /**
     * Runs the main job and exits with its status.
     *
     * @param args the command line; {@code --help} lists the options
     */
    public static void main(String[] args) {
        // The chart is drawn off screen; without this a desktop JVM would open a display connection.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Runs the main job, printing everything, errors included, to one stream.
     *
     * @param args the command line
     * @param out where output and errors go
     * @return the exit status: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}
     */
    public static int run(String[] args, PrintStream out) {
        return run(args, out, out);
    }

    /**
     * Runs the main job.
     *
     * @param args the command line
     * @param out where output goes
     * @param err where errors and the usage after a bad command line go
     * @return the exit status: {@link #EXIT_OK}, {@link #EXIT_FAILED} or {@link #EXIT_USAGE}
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        MainJobOptions options;
        try {
            options = MainJobOptions.parse(args);
        } catch (UsageException e) {
            err.println("autobatch: " + e.getMessage());
            err.println();
            err.println(MainJobOptions.usage());
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.println(MainJobOptions.usage());
            return EXIT_OK;
        }
        try (PrometheusEndpoint endpoint = JobFailures.startEndpoint(options.serveMetricsPort())) {
            JobFailures.checkOutput(options.output());
            DeviceOption.requireAvailable(
                    options.device(), () -> Engine.getInstance().getGpuCount());
            new MainJob(options, out).execute(endpoint);
            return EXIT_OK;
        } catch (UsageException e) {
            err.println("autobatch: " + e.getMessage());
            return EXIT_USAGE;
        } catch (JobFailures.MetricsPortException e) {
            err.println("autobatch: " + e.getMessage());
            return EXIT_FAILED;
        } catch (DataFileException | UncheckedIOException e) {
            // Both name the file or directory and the fix; a stack trace would only bury that.
            err.println("autobatch: " + e.getMessage());
            return EXIT_FAILED;
        } catch (MemoryBudgetException e) {
            err.println("autobatch: " + e.message(JobFailures.CLI_WORDS));
            return EXIT_FAILED;
        } catch (OutOfMemoryError e) {
            err.println("autobatch: " + JobFailures.heapAdvice(e));
            return EXIT_FAILED;
        } catch (RuntimeException e) {
            err.println("autobatch: the run failed: " + e);
            e.printStackTrace(err);
            return EXIT_FAILED;
        }
    }

    private void execute(PrometheusEndpoint endpoint) {
        long start = System.nanoTime();
        ModelKind kind = options.model();
        out.printf(
                Locale.ROOT,
                "AutoBatch main job: %s on Fashion-MNIST, goal %s%s%n",
                kind.description(),
                options.goal().name().toLowerCase(Locale.ROOT).replace('_', '-'),
                options.compare() ? ", comparing batch sizes" : "");
        try (NDManager manager = NDManager.newBaseManager(device)) {
            out.println("Loading Fashion-MNIST from " + options.data() + " ...");
            long loadStart = System.nanoTime();
            FashionMnist data = FashionMnist.load(options.data(), manager, kind.layout(), options.limit());
            out.printf(
                    Locale.ROOT,
                    "  %,d training images, %,d validation images (the held-out t10k test file), %.1f s%n",
                    data.train().size(),
                    data.validation().size(),
                    seconds(loadStart));

            HardwareSnapshot hardware = HardwareProbe.snapshot(manager.getEngine());
            out.println("Hardware:");
            hardware.describe().lines().forEach(line -> out.println("  " + line));

            TuningResult result = tune(kind, data);
            int batchSize = result.batchSize();
            if (endpoint != null) {
                // AutoBatch.tune published the result to TuningMetrics.global(), which the endpoint serves.
                out.println("Serving the tuning's metrics for Prometheus at " + endpoint.uri());
            }

            // One set, written together at the end: an interrupted run leaves the earlier set whole.
            Map<String, byte[]> files = new LinkedHashMap<>();
            if (options.compare()) {
                files.put("compare.md", utf8(compare(kind, data, batchSize)));
            } else {
                files.put("training.md", utf8(train(kind, data, batchSize, advice(result))));
            }
            JobOutput.printWritten(out, JobOutput.write(options.output(), result, files));
            out.printf(Locale.ROOT, "Done in %.1f s.%n", seconds(start));
        }
        if (endpoint != null) {
            JobOutput.serveUntilInterrupted(endpoint, out);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private TuningResult tune(ModelKind kind, FashionMnist data) {
        TuneOptions.Builder tuneOptions = TuneOptions.builder()
                .optTrainingConfig(Devices.trialConfig(device))
                .optGoal(options.goal())
                .optForce(options.retune())
                .optListener(new TuningListener() {
                    @Override
                    public void onTrial(Trial trial, String verdict) {
                        out.println("  " + ProgressLines.trial(trial) + ": " + verdict);
                    }

                    @Override
                    public void onProgress(int batchSize, String phase, int steps, double seconds) {
                        out.printf(
                                Locale.ROOT,
                                "  trial batch %7d: %s, %d steps, %.1f s ...%n",
                                batchSize,
                                phase,
                                steps,
                                seconds);
                    }
                });
        tuneOptions.optMemoryBudget(options.budget());
        options.maxBatch().ifPresent(tuneOptions::optMaxBatchSize);
        // --limit 1 leaves one sample: start there rather than fail in the API's words.
        tuneOptions.optStartBatchSize((int)
                Math.min(SearchSettings.DEFAULT_START_BATCH_SIZE, data.train().size()));
        TuneOptions tuning = tuneOptions.build();
        TrialOptions trial = tuning.trial();
        out.printf(
                Locale.ROOT,
                "Tuning the batch size (each trial: at least %d warm-up and %d measured training steps and"
                        + " %.2g s, at most %.0f s; then the contenders again, in interleaved rounds)%n",
                trial.warmupSteps(),
                trial.measuredSteps(),
                trial.minMeasuredSeconds(),
                trial.maxTrialSeconds());
        TuningResult result;
        try (Model model = kind.newModel("fashion-" + kind.cliName() + "-tuning", options.seed(), device)) {
            result = AutoBatch.tune(model, data.train(), tuning);
        }
        if (result.source() == TuningResult.Source.CACHED) {
            out.printf(
                    Locale.ROOT,
                    "Batch size %d from the cache (tuned earlier on this machine); --retune to measure again%n",
                    result.batchSize());
        } else {
            out.printf(
                    Locale.ROOT,
                    "Chosen batch size: %d (stopped: %s; %d trials in %.1f s)%n",
                    result.batchSize(),
                    result.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    result.trials().size(),
                    result.elapsed().toMillis() / 1000.0);
        }
        out.println(
                "Memory budget: " + Bytes.format(result.memoryBudgetBytes()) + " (" + result.memoryBudgetBasis() + ")");
        if (!result.explanation().isEmpty()) {
            out.println("Why: " + result.explanation());
        }
        out.println("Gradient noise scale: " + result.noiseScale().describe());
        return result;
    }

    /**
     * The tuning's advice where it is the SGD rule the training uses at the chosen size (the tuning
     * trains with SGD at 0.01, as {@link TrainingRun} does), else the same rule from {@link
     * TrainingRun#REFERENCE_LEARNING_RATE}.
     */
    private static LearningRateAdvice advice(TuningResult result) {
        LearningRateAdvice advice = result.learningRate();
        if (advice.isAdvised()
                && advice.rule() == LearningRateAdvice.Rule.LINEAR
                && advice.batchSize() == result.batchSize()) {
            return advice;
        }
        return TrainingRun.learningRateAdvice(result.batchSize());
    }

    private String train(ModelKind kind, FashionMnist data, int batchSize, LearningRateAdvice advice) {
        float rate = (float) advice.learningRate();
        out.println("Advised: " + advice.describe());
        if (advice.warmupEpochs() >= options.epochs()) {
            out.printf(
                    Locale.ROOT,
                    "  (the %d-epoch run ends within the warm-up: the rate stays below %s; give --epochs %d or more"
                            + " to train at it)%n",
                    options.epochs(),
                    rate,
                    advice.warmupEpochs() + 1);
        }
        out.printf(
                Locale.ROOT,
                "Training a fresh %s for %d epochs at batch size %d, learning rate %s%n",
                kind.cliName().toUpperCase(Locale.ROOT),
                options.epochs(),
                batchSize,
                rate);
        TrainingOutcome outcome;
        try (Model model = kind.newModel("fashion-" + kind.cliName(), options.seed(), device)) {
            outcome = TrainingRun.builder()
                    .setModel(model, kind.inputShape())
                    .setTrainingSet(data.train())
                    .setValidationSet(data.validation())
                    .setBatchSize((int) Math.min(batchSize, data.train().size()))
                    .setLearningRate(rate)
                    .optWarmUp(advice.warmupEpochs(), (float) advice.referenceLearningRate())
                    .optEpochs(options.epochs())
                    .optShuffleSeed(options.seed())
                    .optProgress(line -> out.println("  " + line))
                    .build()
                    .run();
        }
        out.printf(
                Locale.ROOT,
                "Validation accuracy after %d epochs: %.4f (%,.0f samples/s over %.1f s of training)%n",
                outcome.epochLosses().size(),
                outcome.finalAccuracy(),
                outcome.samplesPerSecond(),
                outcome.trainingSeconds());
        return RunMarkdown.training(kind, outcome, advice, options.seed());
    }

    private String compare(ModelKind kind, FashionMnist data, int tunedSize) {
        Duration budget = Duration.ofMillis(Math.round(options.timeBudgetSeconds() * 1000));
        out.printf(
                Locale.ROOT,
                "Comparing batch sizes 32, 64, 128, 256 and the tuned %d: %.1f s of training each,"
                        + " learning rate scaled linearly from 0.01 at batch 32 (at most %.0fx, no warm-up),"
                        + " target accuracy %.2f%n",
                tunedSize,
                options.timeBudgetSeconds(),
                LearningRateAdvice.MAX_FACTOR,
                options.targetAccuracy());
        List<ComparisonRow> rows = BatchSizeComparison.builder()
                .setModel(kind)
                .setData(data)
                .setTimeBudget(budget)
                .optDevice(device)
                .optTunedBatchSize(tunedSize)
                .optTargetAccuracy(options.targetAccuracy())
                .optSeed(options.seed())
                .optProgress(out::println)
                .build()
                .run();
        String table = BatchSizeComparison.markdownTable(
                rows, options.targetAccuracy(), data.train().size());
        out.println();
        out.print(table);
        out.println();
        return RunMarkdown.comparison(
                kind,
                options.seed(),
                options.timeBudgetSeconds(),
                data.validation().size(),
                table);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
