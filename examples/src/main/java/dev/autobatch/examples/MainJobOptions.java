package dev.autobatch.examples;

import ai.djl.Device;
import dev.autobatch.autotune.budget.BudgetSpec;
import dev.autobatch.autotune.budget.MemoryBudget;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.ModelKind;
import java.nio.file.Path;
import java.util.ListResourceBundle;
import java.util.Optional;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The main job's command-line options ({@code --name value} or {@code --name=value}), declared
 * for picocli, which parses them and writes {@code --help}. A new option is one annotated field
 * and its accessor here.
 */
@Command(
        name = "autobatch",
        customSynopsis = "bin/autobatch [options]",
        description = {
            "",
            "Tunes the training batch size of a Fashion-MNIST classifier on this machine, trains it at that size"
                    + " with a learning rate scaled from 0.01 at batch 32, and writes a report. A second run on the"
                    + " same machine takes the size from the cache of tuning results.",
            ""
        },
        sortOptions = false,
        usageHelpWidth = 100,
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:done", "1:failed (such as missing data)", "2:bad command line"})
public final class MainJobOptions {

    /** The default training seconds a batch size gets with {@code --compare}. */
    public static final double DEFAULT_TIME_BUDGET_SECONDS = 20;
    /** The default target accuracy of {@code --compare}. */
    public static final double DEFAULT_TARGET_ACCURACY = 0.80;
    /** The default share of the available memory a trial may use. */
    public static final double DEFAULT_BUDGET_FRACTION = MemoryBudget.DEFAULT_FRACTION;
    /** The default output directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("autobatch-out");

    @Option(
            names = "--model",
            paramLabel = "mlp|cnn",
            converter = OptionConverters.Model.class,
            description = "the model: the 784-128-10 MLP (default) or a small CNN")
    private ModelKind model = ModelKind.MLP;

    @Option(
            names = "--goal",
            paramLabel = "GOAL",
            converter = OptionConverters.GoalName.class,
            completionCandidates = OptionConverters.GoalNames.class,
            description = {
                "what the tuner optimises: ${COMPLETION-CANDIDATES} (default ${bundle:goal.default});",
                "balanced: throughput among the sizes whose statistical efficiency is at least 1/4, which trains"
                        + " fastest to a good model;",
                "throughput: the smallest size within 5%% of the best samples/s;",
                "goodput: the size that maximises throughput x statistical efficiency (gradient noise scale,"
                        + " Pollux);",
                "max-fit: the largest size that fits the budget"
            })
    private Goal goal = Goal.DEFAULT;

    @Option(
            names = "--budget",
            paramLabel = "SIZE|FRACTION",
            converter = OptionConverters.Budget.class,
            description = "memory a trial may use: a size such as 2g or 512m, or a fraction of the available"
                    + " memory such as 0.5 or 50% (default " + DEFAULT_BUDGET_FRACTION + ")")
    private BudgetSpec budget = BudgetSpec.DEFAULT;

    @Option(
            names = "--max-batch",
            paramLabel = "N",
            converter = OptionConverters.PositiveWholeNumber.class,
            description = "the largest batch size to try (default: the tuner's own cap)")
    private Integer maxBatch;

    @Option(
            names = "--device",
            paramLabel = "cpu|gpu|gpu:N",
            converter = OptionConverters.DeviceName.class,
            description = "where the model trains (default: the first GPU PyTorch sees, else the CPU); a GPU"
                    + " needs a CUDA libtorch (README)")
    private Device device;

    @Option(
            names = "--retune",
            arity = "0",
            description = "measure again even where the cache holds a result for this model, machine and options"
                    + " (the new result replaces it)")
    private boolean retune;

    @Option(
            names = "--epochs",
            paramLabel = "N",
            converter = OptionConverters.PositiveWholeNumber.class,
            description = "epochs to train at the chosen size (default ${bundle:epochs.default})")
    private Integer epochs;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "the directory holding the four Fashion-MNIST IDX files (default ${DEFAULT-VALUE})")
    private Path data = FashionMnist.DEFAULT_DIRECTORY;

    @Option(
            names = "--limit",
            paramLabel = "N",
            converter = OptionConverters.PositiveWholeNumber.class,
            description = "use only the first N training and N validation samples")
    private int limit = Integer.MAX_VALUE;

    @Option(
            names = "--seed",
            paramLabel = "N",
            converter = OptionConverters.WholeNumber.class,
            description = "seed of initial parameters and sample order (default ${DEFAULT-VALUE})")
    private int seed = 42;

    @Option(names = "--output", paramLabel = "DIR", description = "where the report goes (default ${DEFAULT-VALUE})")
    private Path output = DEFAULT_OUTPUT;

    @Option(
            names = "--compare",
            arity = "0",
            description = "instead of training once, train at 32, 64, 128, 256 and the tuned size for the same"
                    + " time each and print a table")
    private boolean compare;

    @Option(
            names = "--time-budget",
            paramLabel = "SECONDS",
            converter = OptionConverters.PositiveNumber.class,
            description = "training time each size gets with --compare (default ${DEFAULT-VALUE})")
    private double timeBudgetSeconds = DEFAULT_TIME_BUDGET_SECONDS;

    @Option(
            names = "--target-accuracy",
            paramLabel = "A",
            converter = OptionConverters.Accuracy.class,
            description = "the validation accuracy --compare times (default ${DEFAULT-VALUE})")
    private double targetAccuracy = DEFAULT_TARGET_ACCURACY;

    @Option(
            names = "--serve-metrics",
            paramLabel = "PORT",
            converter = OptionConverters.Port.class,
            description = "serve the tuning's Prometheus metrics on 127.0.0.1:PORT (0: any free port) and keep"
                    + " serving after the run until interrupted (Ctrl-C)")
    private Integer serveMetricsPort;

    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "print this help and exit")
    private boolean help;

    private MainJobOptions() {}

    /**
     * Parses the command line.
     *
     * @param args the arguments
     * @return the options, defaults filled in
     * @throws UsageException naming the bad option or value and the fix
     */
    public static MainJobOptions parse(String... args) throws UsageException {
        MainJobOptions options = new MainJobOptions();
        CommandLine commandLine = commandLine(options);
        CommandLineErrors.checkValues(commandLine.getCommandSpec(), args);
        try {
            commandLine.parseArgs(args);
        } catch (ParameterException e) {
            throw CommandLineErrors.of(e);
        }
        return options;
    }

    /**
     * The help text, as picocli writes it from the options above.
     *
     * @return the usage, every option with its description, and the exit statuses
     */
    public static String usage() {
        return commandLine(new MainJobOptions()).getUsageMessage().stripTrailing();
    }

    private static CommandLine commandLine(MainJobOptions options) {
        CommandLine commandLine = new CommandLine(options)
                // As before picocli: the last of a repeated option counts, and @file is a plain argument.
                .setOverwrittenOptionsAllowed(true)
                .setExpandAtFiles(false)
                .setUsageHelpLongOptionsMaxWidth(24);
        commandLine.setResourceBundle(new HelpValues());
        return commandLine;
    }

    /** The values the help text takes from code rather than from constants. */
    private static final class HelpValues extends ListResourceBundle {
        @Override
        protected Object[][] getContents() {
            return new Object[][] {
                {"goal.default", OptionConverters.cliName(Goal.DEFAULT)},
                {
                    "epochs.default",
                    ModelKind.MLP.defaultEpochs() + " for the mlp, " + ModelKind.CNN.defaultEpochs() + " for the cnn"
                }
            };
        }
    }

    /**
     * Returns whether {@code --help} was given.
     *
     * @return whether to print the help and exit
     */
    public boolean help() {
        return help;
    }

    /**
     * Returns the model to tune and train.
     *
     * @return {@code --model}, by default the MLP
     */
    public ModelKind model() {
        return model;
    }

    /**
     * Returns what the tuner optimises.
     *
     * @return {@code --goal}, by default {@link Goal#DEFAULT}
     */
    public Goal goal() {
        return goal;
    }

    /**
     * Returns the memory budget.
     *
     * @return {@code --budget}, by default {@link #DEFAULT_BUDGET_FRACTION} of the available memory
     */
    public BudgetSpec budget() {
        return budget;
    }

    /**
     * Returns the largest batch size the tuner may try.
     *
     * @return {@code --max-batch}, or empty for the tuner's own cap
     */
    public OptionalInt maxBatch() {
        return maxBatch == null ? OptionalInt.empty() : OptionalInt.of(maxBatch);
    }

    /**
     * Returns the epochs to train at the chosen size.
     *
     * @return {@code --epochs}, by default {@link ModelKind#defaultEpochs()} of the model
     */
    public int epochs() {
        return epochs == null ? model.defaultEpochs() : epochs;
    }

    /**
     * Returns the directory holding the Fashion-MNIST files.
     *
     * @return {@code --data}, by default {@link FashionMnist#DEFAULT_DIRECTORY}
     */
    public Path data() {
        return data;
    }

    /**
     * Returns the most samples of each split to use.
     *
     * @return {@code --limit}, by default {@link Integer#MAX_VALUE}
     */
    public int limit() {
        return limit;
    }

    /**
     * Returns the directory the report goes to.
     *
     * @return {@code --output}, by default {@link #DEFAULT_OUTPUT}
     */
    public Path output() {
        return output;
    }

    /**
     * Returns the seed of initial parameters and sample order.
     *
     * @return {@code --seed}, by default 42
     */
    public int seed() {
        return seed;
    }

    /**
     * Returns whether to compare batch sizes instead of training once.
     *
     * @return whether {@code --compare} was given
     */
    public boolean compare() {
        return compare;
    }

    /**
     * Returns the training seconds each batch size gets with {@link #compare()}.
     *
     * @return {@code --time-budget}, by default {@link #DEFAULT_TIME_BUDGET_SECONDS}
     */
    public double timeBudgetSeconds() {
        return timeBudgetSeconds;
    }

    /**
     * Returns the accuracy whose first crossing {@link #compare()} times.
     *
     * @return {@code --target-accuracy}, by default {@link #DEFAULT_TARGET_ACCURACY}
     */
    public double targetAccuracy() {
        return targetAccuracy;
    }

    /**
     * Returns the port to serve Prometheus metrics on afterwards.
     *
     * @return {@code --serve-metrics}, or empty for none
     */
    public OptionalInt serveMetricsPort() {
        return serveMetricsPort == null ? OptionalInt.empty() : OptionalInt.of(serveMetricsPort);
    }

    /**
     * Returns whether to tune again even where AutoBatch's cache holds a result.
     *
     * @return whether {@code --retune} was given
     */
    public boolean retune() {
        return retune;
    }

    /**
     * Returns the device to train on.
     *
     * @return {@code --device}, or empty for DJL's default (the first GPU PyTorch sees, else the CPU)
     */
    public Optional<Device> device() {
        return Optional.ofNullable(device);
    }
}
