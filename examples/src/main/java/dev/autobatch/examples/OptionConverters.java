package dev.autobatch.examples;

import ai.djl.Device;
import dev.autobatch.autotune.budget.BudgetSpec;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.examples.training.ModelKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Picocli's converters for the main job's typed options. A converter that serves one option says
 * the whole message ({@code --model: ...}); one shared by several options says the rest of the
 * sentence after the option's name ({@code must be at least 1, got 0}), and {@link
 * CommandLineErrors} puts the name in front.
 */
final class OptionConverters {

    private OptionConverters() {}

    /**
     * {@code --budget SIZE|FRACTION}: autotune's one parser of a budget ({@link BudgetSpec}), with
     * the main job's floor of 1 MiB, below which no model here trains.
     */
    static final class Budget implements ITypeConverter<BudgetSpec> {
        private static final long MIN_BYTES = 1L << 20;

        @Override
        public BudgetSpec convert(String value) throws UsageException {
            BudgetSpec budget;
            try {
                budget = BudgetSpec.parse(value, "--budget");
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            if (budget.isBytes() && budget.bytes() < MIN_BYTES) {
                throw new UsageException("--budget " + value + " is " + budget.bytes()
                        + " bytes, below 1 MiB; give a size such as 2g or 512m, or a fraction such as 0.5");
            }
            return budget;
        }
    }

    /** {@code --model mlp|cnn}, in any case. */
    static final class Model implements ITypeConverter<ModelKind> {
        @Override
        public ModelKind convert(String value) throws UsageException {
            try {
                return ModelKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new UsageException("--model: " + e.getMessage());
            }
        }
    }

    /**
     * {@code --goal}: any {@link Goal} by its name in lower case with {@code -} for {@code _}
     * ({@code max-fit}); {@code max_fit} and {@code maxfit} too, in any case. A new goal needs no
     * change here.
     */
    static final class GoalName implements ITypeConverter<Goal> {
        @Override
        public Goal convert(String value) {
            String text = value.toLowerCase(Locale.ROOT).replace('-', '_');
            for (Goal goal : Goal.values()) {
                String name = goal.name().toLowerCase(Locale.ROOT);
                if (name.equals(text) || name.replace("_", "").equals(text)) {
                    return goal;
                }
            }
            List<String> names = new ArrayList<>();
            new GoalNames().forEach(names::add);
            String choices =
                    String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.get(names.size() - 1);
            throw new TypeConversionException("must be " + choices + ", got '" + value + "'");
        }
    }

    /**
     * The goals as {@code --goal} names them, in the order its help explains them (the default
     * first), then any other goal in the order {@link Goal} declares it.
     */
    static final class GoalNames implements Iterable<String> {
        private static final List<Goal> EXPLAINED = List.of(Goal.DEFAULT, Goal.THROUGHPUT, Goal.GOODPUT, Goal.MAX_FIT);

        @Override
        public Iterator<String> iterator() {
            Set<Goal> goals = new LinkedHashSet<>(EXPLAINED);
            goals.addAll(List.of(Goal.values()));
            return goals.stream().map(OptionConverters::cliName).iterator();
        }
    }

    /**
     * A goal's name on the command line.
     *
     * @param goal the goal
     * @return its name in lower case with {@code -} for {@code _}, such as {@code max-fit}
     */
    static String cliName(Goal goal) {
        return goal.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code --device cpu|gpu|gpu:N}, as {@link DeviceOption#parse} reads it. */
    static final class DeviceName implements ITypeConverter<Device> {
        @Override
        public Device convert(String value) throws UsageException {
            return DeviceOption.parse(value);
        }
    }

    /** A whole number. */
    static final class WholeNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return integer(value);
        }
    }

    /** A whole number of at least 1. */
    static final class PositiveWholeNumber implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int n = integer(value);
            if (n < 1) {
                throw new TypeConversionException("must be at least 1, got " + value);
            }
            return n;
        }
    }

    /** A finite number above 0. */
    static final class PositiveNumber implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double d = number(value);
            if (!(d > 0) || Double.isInfinite(d)) {
                throw new TypeConversionException("must be a positive number, got " + value);
            }
            return d;
        }
    }

    /** An accuracy: a number in (0, 1]. */
    static final class Accuracy implements ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            double d = number(value);
            if (!(d > 0 && d <= 1)) {
                throw new TypeConversionException("must be in (0, 1], got " + value + "; for example 0.85");
            }
            return d;
        }
    }

    /** A TCP port from 1 to 65535, or 0 for any free one. */
    static final class Port implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            int p = integer(value);
            if (p < 0 || p > 65535) {
                throw new TypeConversionException(
                        "needs a port from 1 to 65535 (0: any free one), got " + value + "; for example 9464");
            }
            return p;
        }
    }

    private static int integer(String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("needs a whole number, got '" + value + "'");
        }
    }

    private static double number(String value) {
        try {
            return Double.parseDouble(value.strip());
        } catch (NumberFormatException e) {
            throw new TypeConversionException("needs a number, got '" + value + "'");
        }
    }
}
