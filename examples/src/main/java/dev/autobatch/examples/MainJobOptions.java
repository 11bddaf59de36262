package dev.autobatch.examples;

import ai.djl.Device;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.ModelKind;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The main job's command-line options, parsed by hand: {@code --name value} or {@code
 * --name=value}.
 *
 * @param help whether {@code --help} was given
 * @param model the model to tune and train
 * @param goal what the tuner optimises
 * @param budgetBytes the memory budget in bytes, or {@code -1} to use {@code budgetFraction}
 * @param budgetFraction the fraction of the available memory to budget, when no bytes are given
 * @param maxBatch the largest batch size the tuner may try, or empty for its own cap
 * @param epochs epochs to train at the chosen size; by default {@link ModelKind#defaultEpochs()}
 * @param data the directory holding the Fashion-MNIST files
 * @param limit the most samples of each split to use
 * @param output the directory the report goes to
 * @param seed the seed of initial parameters and sample order
 * @param compare whether to compare batch sizes instead of training once
 * @param timeBudgetSeconds training seconds each batch size gets with {@code compare}
 * @param targetAccuracy the accuracy whose first crossing {@code compare} times
 * @param serveMetricsPort the port to serve Prometheus metrics on afterwards, or empty
 * @param retune whether to tune again even where AutoBatch's cache holds a result
 * @param device the device to train on, or empty for DJL's default (the first GPU PyTorch sees,
 *     else the CPU)
 */
public record MainJobOptions(
        boolean help,
        ModelKind model,
        Goal goal,
        long budgetBytes,
        double budgetFraction,
        OptionalInt maxBatch,
        int epochs,
        Path data,
        int limit,
        Path output,
        int seed,
        boolean compare,
        double timeBudgetSeconds,
        double targetAccuracy,
        OptionalInt serveMetricsPort,
        boolean retune,
        Optional<Device> device) {

    /** The default training seconds a batch size gets with {@code --compare}. */
    public static final double DEFAULT_TIME_BUDGET_SECONDS = 20;
    /** The default target accuracy of {@code --compare}. */
    public static final double DEFAULT_TARGET_ACCURACY = 0.80;
    /** The default share of the available memory a trial may use. */
    public static final double DEFAULT_BUDGET_FRACTION = 0.8;
    /** The default output directory. */
    public static final Path DEFAULT_OUTPUT = Path.of("autobatch-out");

    /** The help text. */
    public static final String USAGE = String.join(
            "\n",
            "Usage: bin/autobatch [options]",
            "",
            "Tunes the training batch size of a Fashion-MNIST classifier on this machine, trains it",
            "at that size with a learning rate scaled from 0.01 at batch 32, and writes a report.",
            "A second run on the same machine takes the size from the cache of tuning results.",
            "",
            "  --model mlp|cnn          the model: the 784-128-10 MLP (default) or a small CNN",
            "  --goal balanced|throughput|goodput|max-fit",
            "                           balanced (default): throughput among the sizes whose statistical",
            "                           efficiency is at least 1/4, which trains fastest to a good model;",
            "                           throughput: the smallest size within 5% of the best samples/s;",
            "                           goodput: the size that maximises throughput x statistical",
            "                           efficiency (gradient noise scale, Pollux); max-fit: the largest",
            "                           size that fits the budget",
            "  --budget SIZE|FRACTION   memory a trial may use: a size such as 2g or 512m, or a",
            "                           fraction of the available memory such as 0.5 (default 0.8)",
            "  --max-batch N            the largest batch size to try (default: the tuner's own cap)",
            "  --device cpu|gpu|gpu:N   where the model trains (default: the first GPU PyTorch sees,",
            "                           else the CPU); a GPU needs a CUDA libtorch (README)",
            "  --retune                 measure again even where the cache holds a result for this",
            "                           model, machine and options (the new result replaces it)",
            "  --epochs N               epochs to train at the chosen size",
            "                           (default "
                    + ModelKind.MLP.defaultEpochs()
                    + " for the mlp, "
                    + ModelKind.CNN.defaultEpochs()
                    + " for the cnn)",
            "  --data DIR               the directory holding the four Fashion-MNIST IDX files",
            "                           (default " + FashionMnist.DEFAULT_DIRECTORY + ")",
            "  --limit N                use only the first N training and N validation samples",
            "  --seed N                 seed of initial parameters and sample order (default 42)",
            "  --output DIR             where the report goes (default " + DEFAULT_OUTPUT + ")",
            "  --compare                instead of training once, train at 32, 64, 128, 256 and the",
            "                           tuned size for the same time each and print a table",
            "  --time-budget SECONDS    training time each size gets with --compare (default 20)",
            "  --target-accuracy A      the validation accuracy --compare times (default 0.80)",
            "  --serve-metrics PORT     serve the tuning's Prometheus metrics on 127.0.0.1:PORT",
            "                           (0: any free port) and keep serving after the run until",
            "                           interrupted (Ctrl-C)",
            "  -h, --help               print this help and exit",
            "",
            "Exit status: 0 done, 1 failed (such as missing data), 2 bad command line.");

    private static final long MIN_BUDGET_BYTES = 1L << 20;

    /**
     * Parses the command line.
     *
     * @param args the arguments
     * @return the options, defaults filled in
     * @throws UsageException naming the bad option or value and the fix
     */
    public static MainJobOptions parse(String... args) throws UsageException {
        boolean help = false;
        ModelKind model = ModelKind.MLP;
        Goal goal = Goal.DEFAULT;
        long budgetBytes = -1;
        double budgetFraction = DEFAULT_BUDGET_FRACTION;
        OptionalInt maxBatch = OptionalInt.empty();
        int epochs = 0;
        Path data = FashionMnist.DEFAULT_DIRECTORY;
        int limit = Integer.MAX_VALUE;
        Path output = DEFAULT_OUTPUT;
        int seed = 42;
        boolean compare = false;
        boolean retune = false;
        double timeBudget = DEFAULT_TIME_BUDGET_SECONDS;
        double target = DEFAULT_TARGET_ACCURACY;
        OptionalInt port = OptionalInt.empty();
        Optional<Device> device = Optional.empty();

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            switch (name) {
                case "-h", "--help" -> help = true;
                case "--compare" -> {
                    if (value != null) {
                        throw new UsageException("--compare takes no value, got '" + arg + "'");
                    }
                    compare = true;
                }
                case "--retune" -> {
                    if (value != null) {
                        throw new UsageException("--retune takes no value, got '" + arg + "'");
                    }
                    retune = true;
                }
                case "--model",
                        "--goal",
                        "--budget",
                        "--max-batch",
                        "--epochs",
                        "--data",
                        "--limit",
                        "--seed",
                        "--output",
                        "--time-budget",
                        "--target-accuracy",
                        "--serve-metrics",
                        "--device" -> {
                    if (value == null) {
                        if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                            throw new UsageException(name + " needs a value; see --help");
                        }
                        value = args[++i];
                    }
                    switch (name) {
                        case "--model" -> model = parseModel(value);
                        case "--goal" -> goal = parseGoal(value);
                        case "--budget" -> {
                            double fraction = parseFraction(value);
                            if (Double.isNaN(fraction)) {
                                budgetBytes = parseBytes(value);
                            } else {
                                budgetFraction = fraction;
                                budgetBytes = -1;
                            }
                        }
                        case "--max-batch" -> maxBatch = OptionalInt.of(positiveInt(name, value));
                        case "--epochs" -> epochs = positiveInt(name, value);
                        case "--data" -> data = Path.of(value);
                        case "--limit" -> limit = positiveInt(name, value);
                        case "--seed" -> seed = integer(name, value);
                        case "--output" -> output = Path.of(value);
                        case "--device" -> device = Optional.of(DeviceOption.parse(value));
                        case "--time-budget" -> timeBudget = positiveDouble(name, value);
                        case "--target-accuracy" -> {
                            target = number(name, value);
                            if (!(target > 0 && target <= 1)) {
                                throw new UsageException(
                                        "--target-accuracy must be in (0, 1], got " + value + "; for example 0.85");
                            }
                        }
                        case "--serve-metrics" -> {
                            int p = integer(name, value);
                            if (p < 0 || p > 65535) {
                                throw new UsageException(
                                        "--serve-metrics needs a port from 1 to 65535 (0: any free one), got "
                                                + value
                                                + "; for example 9464");
                            }
                            port = OptionalInt.of(p);
                        }
                        default -> throw new IllegalStateException(name);
                    }
                }
                default ->
                    throw new UsageException((arg.startsWith("-")
                                    ? "unknown option '" + name + "'"
                                    : "unexpected argument '" + arg + "'")
                            + "; see --help for the options");
            }
        }
        if (epochs == 0) {
            epochs = model.defaultEpochs();
        }
        return new MainJobOptions(
                help,
                model,
                goal,
                budgetBytes,
                budgetFraction,
                maxBatch,
                epochs,
                data,
                limit,
                output,
                seed,
                compare,
                timeBudget,
                target,
                port,
                retune,
                device);
    }

    private static ModelKind parseModel(String value) throws UsageException {
        try {
            return ModelKind.parse(value);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--model: " + e.getMessage());
        }
    }

    private static Goal parseGoal(String value) throws UsageException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "throughput" -> Goal.THROUGHPUT;
            case "max-fit", "max_fit", "maxfit" -> Goal.MAX_FIT;
            case "goodput" -> Goal.GOODPUT;
            case "balanced" -> Goal.BALANCED;
            default ->
                throw new UsageException(
                        "--goal must be balanced, throughput, goodput or max-fit, got '" + value + "'");
        };
    }

    /** A number without a unit that has a decimal point is a fraction; anything else is not. */
    private static double parseFraction(String value) throws UsageException {
        if (!value.matches("[0-9]*\\.[0-9]+|[0-9]+\\.")) {
            return Double.NaN;
        }
        double fraction = Double.parseDouble(value);
        if (!(fraction > 0 && fraction <= 1)) {
            throw new UsageException("--budget as a fraction must be in (0, 1], got "
                    + value
                    + "; give a fraction such as 0.5 or a size such as 2g");
        }
        return fraction;
    }

    /**
     * Parses a byte count: a number with an optional binary suffix k, m, g or t (also kb, kib,
     * ...), so {@code 512m} is 512 MiB and {@code 1.5g} 1.5 GiB.
     */
    static long parseBytes(String value) throws UsageException {
        String text = value.strip().toLowerCase(Locale.ROOT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(?:i?b)?")
                .matcher(text);
        if (!m.matches()) {
            throw new UsageException(
                    "--budget must be a size such as 2g or 512m, or a fraction such as 0.5, got '" + value + "'");
        }
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        double bytes = Double.parseDouble(m.group(1)) * Math.pow(2, shift);
        if (bytes >= Long.MAX_VALUE) {
            throw new UsageException("--budget " + value + " is too large; give a size such as 2g");
        }
        if (bytes < MIN_BUDGET_BYTES) {
            throw new UsageException("--budget "
                    + value
                    + " is "
                    + (long) bytes
                    + " bytes, below 1 MiB; give a size such as 2g or 512m, or a fraction such as 0.5");
        }
        return (long) bytes;
    }

    private static int positiveInt(String name, String value) throws UsageException {
        int n = integer(name, value);
        if (n < 1) {
            throw new UsageException(name + " must be at least 1, got " + value);
        }
        return n;
    }

    private static int integer(String name, String value) throws UsageException {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a whole number, got '" + value + "'");
        }
    }

    private static double positiveDouble(String name, String value) throws UsageException {
        double d = number(name, value);
        if (!(d > 0) || Double.isInfinite(d)) {
            throw new UsageException(name + " must be a positive number, got " + value);
        }
        return d;
    }

    private static double number(String name, String value) throws UsageException {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number, got '" + value + "'");
        }
    }
}
