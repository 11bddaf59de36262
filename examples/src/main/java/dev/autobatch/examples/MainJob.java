package dev.autobatch.examples;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.LearningRateAdvice;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.hardware.HardwareProbe;
import dev.autobatch.autotune.hardware.HardwareSnapshot;
import dev.autobatch.autotune.hardware.MemoryBudget;
import dev.autobatch.autotune.search.TuningListener;
import dev.autobatch.autotune.report.PrometheusEndpoint;
import dev.autobatch.autotune.report.ReportFiles;
import dev.autobatch.autotune.report.ReportWriter;
import dev.autobatch.core.Trial;
import dev.autobatch.examples.data.DataFileException;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.BatchSizeComparison;
import dev.autobatch.examples.training.ComparisonRow;
import dev.autobatch.examples.training.Devices;
import dev.autobatch.examples.training.Evaluation;
import dev.autobatch.examples.training.ModelKind;
import dev.autobatch.examples.training.TrainingOutcome;
import dev.autobatch.examples.training.TrainingRun;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

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
            err.println(MainJobOptions.USAGE);
            return EXIT_USAGE;
        }
        if (options.help()) {
            out.println(MainJobOptions.USAGE);
            return EXIT_OK;
        }
        try (PrometheusEndpoint endpoint = startEndpoint(options)) {
            DeviceOption.requireAvailable(options.device(), () -> Engine.getInstance().getGpuCount());
            new MainJob(options, out).execute(endpoint);
            return EXIT_OK;
        } catch (UsageException e) {
            err.println("autobatch: " + e.getMessage());
            return EXIT_USAGE;
        } catch (MetricsPortException e) {
            err.println("autobatch: " + e.getMessage());
            return EXIT_FAILED;
        } catch (DataFileException | UncheckedIOException e) {
            // Both name the file or directory and the fix; a stack trace would only bury that.
            err.println("autobatch: " + e.getMessage());
            return EXIT_FAILED;
        } catch (RuntimeException e) {
            err.println("autobatch: the run failed: " + e);
            e.printStackTrace(err);
            return EXIT_FAILED;
        }
    }

    /** Binds the port before any long work, so a port in use fails at once. */
    private static PrometheusEndpoint startEndpoint(MainJobOptions options) throws MetricsPortException {
        if (options.serveMetricsPort().isEmpty()) {
            return null;
        }
        int port = options.serveMetricsPort().getAsInt();
        try {
            return PrometheusEndpoint.start(port);
        } catch (IOException e) {
            throw new MetricsPortException(
                    "cannot serve metrics on 127.0.0.1:"
                            + port
                            + " ("
                            + e.getMessage()
                            + "); choose a free port with --serve-metrics PORT");
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
            out.println("  Memory budget: " + budgetLine(hardware, manager));

            TuningResult result = tune(kind, data);
            int batchSize = result.batchSize();
            if (endpoint != null) {
                // AutoBatch.tune published the result to TuningMetrics.global(), which the endpoint serves.
                out.println("Serving the tuning's metrics for Prometheus at " + endpoint.uri());
            }

            Path output = options.output();
            List<Path> written = new ArrayList<>();
            try {
                ReportFiles report = ReportWriter.write(result, output);
                written.addAll(report.all());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            if (options.compare()) {
                written.add(compare(kind, data, batchSize));
            } else {
                written.add(train(kind, data, batchSize, advice(result)));
            }
            out.println("Files written:");
            for (Path file : written) {
                out.println("  " + file.toAbsolutePath().normalize());
            }
            out.printf(Locale.ROOT, "Done in %.1f s.%n", seconds(start));
        }
        if (endpoint != null) {
            out.println(
                    "Serving metrics at " + endpoint.uri() + " until interrupted (Ctrl-C to stop)");
            out.flush();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                out.println("Interrupted: the metrics endpoint stops.");
            }
        }
    }

    private TuningResult tune(ModelKind kind, FashionMnist data) {
        // AutoBatch.tune runs no trial, so the listener hears none, when it returns a cached result.
        AtomicInteger heard = new AtomicInteger();
        TuneOptions.Builder tuneOptions =
                TuneOptions.builder()
                        .optTrainingConfig(Devices.trialConfig(device))
                        .optGoal(options.goal())
                        .optForce(options.retune())
                        .optListener(new TuningListener() {
                            @Override
                            public void onTrial(Trial trial, String verdict) {
                                heard.incrementAndGet();
                                out.println("  " + describe(trial) + ": " + verdict);
                            }

                            @Override
                            public void onProgress(int batchSize, String phase, int steps, double seconds) {
                                out.printf(Locale.ROOT, "  trial batch %7d: %s, %d steps, %.1f s ...%n",
                                        batchSize, phase, steps, seconds);
                            }
                        });
        if (options.budgetBytes() > 0) {
            tuneOptions.optMemoryBudgetBytes(options.budgetBytes());
        } else {
            tuneOptions.optMemoryFraction(options.budgetFraction());
        }
        options.maxBatch().ifPresent(tuneOptions::optMaxBatchSize);
        out.printf(
                Locale.ROOT,
                "Tuning the batch size (each trial: at least %d warm-up and %d measured training steps and"
                        + " 0.25 s, at most %.0f s; then the contenders again, in interleaved rounds)%n",
                TuneOptions.DEFAULT_WARMUP_STEPS,
                TuneOptions.DEFAULT_MEASURED_STEPS,
                TuneOptions.DEFAULT_MAX_TRIAL_SECONDS);
        TuningResult result;
        try (Model model = kind.newModel("fashion-" + kind.cliName() + "-tuning", options.seed(), device)) {
            result = AutoBatch.tune(model, data.train(), tuneOptions.build());
        }
        if (heard.get() == 0) {
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

    private Path train(ModelKind kind, FashionMnist data, int batchSize, LearningRateAdvice advice) {
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
            outcome =
                    TrainingRun.builder()
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
        return write("training.md", trainingMarkdown(kind, outcome, advice));
    }

    private Path compare(ModelKind kind, FashionMnist data, int tunedSize) {
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
        List<ComparisonRow> rows =
                BatchSizeComparison.builder()
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
        String table = BatchSizeComparison.markdownTable(rows, options.targetAccuracy(), data.train().size());
        out.println();
        out.print(table);
        out.println();
        String markdown =
                String.format(
                        Locale.ROOT,
                        "# Batch sizes compared: %s on Fashion-MNIST%n%n"
                                + "Each size trained a fresh model from seed %d for %.1f s of training time"
                                + " (evaluations excluded), learning rate 0.01 at batch 32 scaled linearly"
                                + " (at most %.0fx, no warm-up); accuracy on the %,d held-out validation images;"
                                + " samples/s and peak memory (process RSS) also from a 7-step trial at each size.%n%n",
                        kind.description(),
                        options.seed(),
                        options.timeBudgetSeconds(),
                        LearningRateAdvice.MAX_FACTOR,
                        data.validation().size())
                        + table;
        return write("compare.md", markdown);
    }

    private String trainingMarkdown(ModelKind kind, TrainingOutcome outcome, LearningRateAdvice advice) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "# Training at the tuned batch size: %s on Fashion-MNIST%n%n", kind.description()));
        md.append(
                String.format(
                        Locale.ROOT,
                        "Batch size %d, %s; seed %d, %,.0f samples/s over %.1f s of training.%n%n",
                        outcome.batchSize(),
                        advice.describe(),
                        options.seed(),
                        outcome.samplesPerSecond(),
                        outcome.trainingSeconds()));
        md.append("| epoch | training loss | validation accuracy | training time (s) |\n");
        md.append("| ---: | ---: | ---: | ---: |\n");
        List<Evaluation> evaluations = outcome.evaluations();
        for (int i = 0; i < outcome.epochLosses().size(); i++) {
            Evaluation e = evaluations.get(i);
            md.append(
                    String.format(
                            Locale.ROOT,
                            "| %d | %.4f | %.4f | %.1f |%n",
                            i + 1,
                            outcome.epochLosses().get(i),
                            e.accuracy(),
                            e.trainingSeconds()));
        }
        return md.toString();
    }

    private String budgetLine(HardwareSnapshot hardware, NDManager manager) {
        try {
            MemoryBudget budget =
                    options.budgetBytes() > 0
                            ? MemoryBudget.ofBytes(options.budgetBytes())
                            : MemoryBudget.of(hardware, manager.getDevice(), options.budgetFraction());
            return mebibytes(budget.bytes()) + " (" + budget.basis() + ")";
        } catch (IllegalStateException e) {
            return "unknown: " + e.getMessage();
        }
    }

    private static String describe(Trial trial) {
        if (trial.outOfMemory()) {
            return String.format(Locale.ROOT, "trial batch %7d: out of memory", trial.batchSize());
        }
        if (trial.failed()) {
            return String.format(Locale.ROOT, "trial batch %7d: failed (%s)", trial.batchSize(), trial.failure());
        }
        return String.format(
                Locale.ROOT,
                "trial batch %7d: %,11.0f samples/s %-7s peak memory %s",
                trial.batchSize(),
                trial.samplesPerSecond(),
                Double.isFinite(trial.relativeSpread())
                        ? String.format(Locale.ROOT, "±%.1f%%,", 50 * trial.relativeSpread())
                        : ",",
                mebibytes(trial.peakMemoryBytes()));
    }

    private Path write(String name, String text) {
        Path file = options.output().resolve(name);
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file + "; check that the directory is writable or give --output DIR", e);
        }
        return file;
    }

    private static String mebibytes(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%,.0f MiB", bytes / 1048576.0);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The metrics port cannot be bound. */
    private static final class MetricsPortException extends Exception {

        private static final long serialVersionUID = 1L;

        MetricsPortException(String message) {
            super(message);
        }
    }
}
