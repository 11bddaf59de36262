package dev.autobatch.examples;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * The main job's {@code --budget SIZE|FRACTION}: the memory a trial may use, as a byte count or as
 * a fraction of the available memory. One piece on its own, so the parser can be swapped for
 * another without touching the rest of the command line.
 *
 * @param bytes the budget in bytes, or {@code -1} where {@code fraction} applies
 * @param fraction the fraction of the available memory, where no bytes are given
 */
record BudgetOption(long bytes, double fraction) {

    private static final long MIN_BUDGET_BYTES = 1L << 20;
    private static final Pattern SIZE = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*([kmgt]?)(?:i?b)?");

    /**
     * A fraction of the available memory.
     *
     * @param fraction the fraction, in (0, 1]
     * @return the budget
     */
    static BudgetOption ofFraction(double fraction) {
        return new BudgetOption(-1, fraction);
    }

    /**
     * Parses a number without a unit that has a decimal point as a fraction, anything else as a
     * byte count.
     *
     * @param value the option's value
     * @return the budget
     * @throws UsageException naming the value and the forms accepted
     */
    static BudgetOption parse(String value) throws UsageException {
        double fraction = parseFraction(value);
        return Double.isNaN(fraction) ? new BudgetOption(parseBytes(value), -1) : ofFraction(fraction);
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
        Matcher m = SIZE.matcher(text);
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

    /** Picocli's converter for {@code --budget}. */
    static final class Converter implements ITypeConverter<BudgetOption> {
        @Override
        public BudgetOption convert(String value) throws UsageException {
            return parse(value);
        }
    }
}
