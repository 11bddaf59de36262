package dev.autobatch.maven;

import dev.autobatch.autotune.TuneOptions;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code autobatch.memoryBudget} parameter: either a size in bytes or a fraction of the
 * training device's available memory. Exactly one of the two components is set.
 *
 * <p>Accepted text: a whole number of bytes ({@code 1073741824}); a number with a binary suffix
 * {@code k}, {@code m}, {@code g} or {@code t} ({@code 512m}, {@code 1.5g}, also {@code 8GiB} and
 * {@code 8gb}); or a fraction in (0, 1] written with a decimal point ({@code 0.5}, {@code 1.0}) or as
 * a percentage ({@code 50%}).
 *
 * @param bytes the budget in bytes, or {@code 0} when a fraction is set
 * @param fraction the fraction of available memory, or {@code 0} when bytes are set
 */
record MemoryBudgetParameter(long bytes, double fraction) {

    /** The budget used when none is configured: {@link TuneOptions#DEFAULT_MEMORY_FRACTION}. */
    static final MemoryBudgetParameter DEFAULT = new MemoryBudgetParameter(0, TuneOptions.DEFAULT_MEMORY_FRACTION);

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt])(?:i?b)?");
    private static final Pattern WHOLE = Pattern.compile("\\d+");
    private static final Pattern DECIMAL = Pattern.compile("\\d*\\.\\d+|\\d+\\.\\d*");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
    private static final String SUFFIXES = "kmgt";

    /** Checks that exactly one component is set and that it is in range. */
    MemoryBudgetParameter {
        if ((bytes > 0) == (fraction > 0)) {
            throw new IllegalArgumentException(
                    "a memory budget is either bytes or a fraction, got " + bytes + " bytes and fraction " + fraction);
        }
        if (bytes < 0 || fraction < 0 || fraction > 1 || Double.isNaN(fraction)) {
            throw new IllegalArgumentException("a memory budget must be positive bytes or a fraction in (0, 1], got "
                    + bytes
                    + " bytes and fraction "
                    + fraction);
        }
    }

    /**
     * Parses the parameter's text.
     *
     * @param text the configured value; {@code null} or blank for {@link #DEFAULT}
     * @return the budget
     * @throws IllegalArgumentException if the text is neither a size nor a fraction in (0, 1]; the
     *     message names the value and the accepted forms
     */
    static MemoryBudgetParameter parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        Matcher size = SIZE.matcher(value);
        if (size.matches()) {
            int power = SUFFIXES.indexOf(size.group(2)) + 1;
            BigDecimal exact = new BigDecimal(size.group(1))
                    .multiply(BigDecimal.valueOf(1024).pow(power));
            return ofBytes(exact, text);
        }
        if (WHOLE.matcher(value).matches()) {
            return ofBytes(new BigDecimal(value), text);
        }
        if (DECIMAL.matcher(value).matches()) {
            return ofFraction(Double.parseDouble(value), text);
        }
        Matcher percent = PERCENT.matcher(value);
        if (percent.matches()) {
            return ofFraction(Double.parseDouble(percent.group(1)) / 100, text);
        }
        throw new IllegalArgumentException(
                "autobatch.memoryBudget must be a size in bytes with an optional k, m, g or t suffix"
                        + " (8g, 512m, 1073741824) or a fraction of the available memory in (0, 1]"
                        + " (0.5 or 50%), got '"
                        + text
                        + "'.");
    }

    private static MemoryBudgetParameter ofBytes(BigDecimal exact, String text) {
        BigDecimal rounded = exact.setScale(0, RoundingMode.HALF_UP);
        if (rounded.signum() <= 0) {
            throw new IllegalArgumentException("autobatch.memoryBudget must be at least one byte, got '"
                    + text
                    + "'. Give a size such as 8g or a fraction such as 0.5.");
        }
        if (rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("autobatch.memoryBudget is larger than any machine's memory, got '"
                    + text
                    + "'. Give a size such as 8g or a fraction such as 0.5.");
        }
        return new MemoryBudgetParameter(rounded.longValueExact(), 0);
    }

    private static MemoryBudgetParameter ofFraction(double fraction, String text) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("autobatch.memoryBudget as a fraction must be in (0, 1], got '"
                    + text
                    + "'. Give a fraction such as 0.5 (half the available memory) or a size"
                    + " such as 8g.");
        }
        return new MemoryBudgetParameter(0, fraction);
    }

    /**
     * Sets this budget on tuning options.
     *
     * @param builder the options being built
     * @return the builder
     */
    TuneOptions.Builder applyTo(TuneOptions.Builder builder) {
        return bytes > 0 ? builder.optMemoryBudgetBytes(bytes) : builder.optMemoryFraction(fraction);
    }

    /**
     * Returns the text that {@link #parse} turns back into this budget: whole bytes, or the fraction.
     *
     * @return the canonical text
     */
    String toText() {
        return bytes > 0 ? Long.toString(bytes) : Double.toString(fraction);
    }

    /**
     * Describes the budget for the build log, such as {@code "1.5 GiB"} or {@code "80% of the
     * available memory"}.
     *
     * @return the description
     */
    String describe() {
        if (fraction > 0) {
            return BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString()
                    + "% of the available memory";
        }
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " bytes" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
