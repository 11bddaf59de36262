package dev.autobatch.autotune.budget;

import dev.autobatch.autotune.report.Bytes;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A memory budget as a user writes it: a size in bytes, or a fraction of the memory free to this
 * process on the training device. The one parser of that text for every entry point (the Maven
 * plugin's {@code autobatch.memoryBudget}, the main job's {@code --budget}, {@code
 * TuneOptions.Builder.optMemoryBudget(BudgetSpec)}); {@link MemoryBudget} turns it into bytes on a
 * machine. Exactly one of the two components is set.
 *
 * <p>Accepted text, in any case and with spaces around it:
 *
 * <ul>
 *   <li>a whole number of bytes: {@code 1073741824}, also with {@code b} ({@code 512b});
 *   <li>a number, decimals allowed, with a binary suffix {@code k}, {@code m}, {@code g} or {@code
 *       t}, each optionally followed by {@code b} or {@code ib}: {@code 512m}, {@code 1.5g}, {@code
 *       8GiB}, {@code 8gb} (1 k = 1,024 bytes; a fractional byte count rounds half up);
 *   <li>a fraction in (0, 1] written with a decimal point: {@code 0.5}, {@code .25}, {@code 1.0},
 *       {@code 1.};
 *   <li>a percentage in (0, 100]: {@code 50%}, {@code 12.5%}.
 * </ul>
 *
 * <p>Errors ({@link IllegalArgumentException}) name the value the way the caller does, its text and
 * the accepted forms: {@code "autobatch.memoryBudget must be a size in bytes with an optional k, m,
 * g or t suffix (8g, 512m, 1073741824) or a fraction of the available memory in (0, 1] (0.5 or
 * 50%), got 'half'"}; {@code "... as a fraction must be in (0, 1], got '1.5'; give a fraction such
 * as 0.5 (half the available memory) or a size such as 8g"}; {@code "... must be at least one byte,
 * got '0'; ..."}; {@code "... is larger than any machine's memory, got '99999999999t'; ..."}.
 *
 * @param bytes the budget in bytes, or {@code 0} when a fraction is set
 * @param fraction the fraction of the free memory, in (0, 1], or {@code 0} when bytes are set
 */
public record BudgetSpec(long bytes, double fraction) {

    /** The budget when none is given: {@value MemoryBudget#DEFAULT_FRACTION} of the free memory. */
    public static final BudgetSpec DEFAULT = new BudgetSpec(0, MemoryBudget.DEFAULT_FRACTION);

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(?:i?b)?");
    private static final Pattern DECIMAL = Pattern.compile("\\d*\\.\\d+|\\d+\\.\\d*");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*%");
    private static final String SUFFIXES = "kmgt";
    private static final String FIX = "give a size such as 8g or a fraction such as 0.5";

    /** Checks that exactly one component is set and that it is in range. */
    public BudgetSpec {
        if ((bytes > 0) == (fraction > 0) || bytes < 0 || !(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("a memory budget is either positive bytes or a fraction in (0, 1], got "
                    + bytes
                    + " bytes and fraction "
                    + fraction);
        }
    }

    /**
     * Returns a budget of a size.
     *
     * @param bytes the budget in bytes
     * @param what how errors name the value, such as {@code "memory budget"}
     * @return the budget
     * @throws IllegalArgumentException if {@code bytes} is not positive
     */
    public static BudgetSpec ofBytes(long bytes, String what) {
        if (bytes <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + bytes
                    + " bytes; give the bytes a trial may use, or a fraction of the available memory");
        }
        return new BudgetSpec(bytes, 0);
    }

    /**
     * Returns a budget of a fraction of the memory free to this process.
     *
     * @param fraction the fraction
     * @param what how errors name the value, such as {@code "memory fraction"}
     * @return the budget
     * @throws IllegalArgumentException if {@code fraction} is not in (0, 1]
     */
    public static BudgetSpec ofFraction(double fraction, String what) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(what + " must be in (0, 1], got " + fraction + "; "
                    + MemoryBudget.DEFAULT_FRACTION + " is the default");
        }
        return new BudgetSpec(0, fraction);
    }

    /**
     * Parses a budget, naming it {@code "memory budget"} in errors.
     *
     * @param text the text, in one of the forms the type's documentation lists
     * @return the budget
     * @throws IllegalArgumentException if the text is none of them
     */
    public static BudgetSpec parse(String text) {
        return parse(text, "memory budget");
    }

    /**
     * Parses a budget.
     *
     * @param text the text, in one of the forms the type's documentation lists
     * @param what how errors name the value, such as {@code "autobatch.memoryBudget"} or {@code
     *     "--budget"}
     * @return the budget
     * @throws IllegalArgumentException if the text is null or none of the forms; the message names
     *     {@code what}, the text and the accepted forms
     */
    public static BudgetSpec parse(String text, String what) {
        String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (DECIMAL.matcher(value).matches()) {
            return fraction(Double.parseDouble(value), text, what);
        }
        Matcher percent = PERCENT.matcher(value);
        if (percent.matches()) {
            return fraction(Double.parseDouble(percent.group(1)) / 100, text, what);
        }
        Matcher size = SIZE.matcher(value);
        if (!size.matches()) {
            throw new IllegalArgumentException(what
                    + " must be a size in bytes with an optional k, m, g or t suffix (8g, 512m, 1073741824)"
                    + " or a fraction of the available memory in (0, 1] (0.5 or 50%), got '"
                    + text
                    + "'");
        }
        int power = size.group(2).isEmpty() ? 0 : SUFFIXES.indexOf(size.group(2)) + 1;
        BigDecimal exact =
                new BigDecimal(size.group(1)).multiply(BigDecimal.valueOf(1024).pow(power));
        BigDecimal rounded = exact.setScale(0, RoundingMode.HALF_UP);
        if (rounded.signum() <= 0) {
            throw new IllegalArgumentException(what + " must be at least one byte, got '" + text + "'; " + FIX);
        }
        if (rounded.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException(
                    what + " is larger than any machine's memory, got '" + text + "'; " + FIX);
        }
        return new BudgetSpec(rounded.longValueExact(), 0);
    }

    private static BudgetSpec fraction(double fraction, String text, String what) {
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException(what + " as a fraction must be in (0, 1], got '" + text
                    + "'; give a fraction such as 0.5 (half the available memory) or a size such as 8g");
        }
        return new BudgetSpec(0, fraction);
    }

    /**
     * Returns whether this budget is a size rather than a fraction.
     *
     * @return {@code true} for bytes
     */
    public boolean isBytes() {
        return bytes > 0;
    }

    /**
     * Returns the text that {@link #parse} turns back into this budget: whole bytes, or the
     * fraction with a decimal point.
     *
     * @return such as {@code "1610612736"} or {@code "0.8"}
     */
    public String toText() {
        return isBytes() ? Long.toString(bytes) : Double.toString(fraction);
    }

    /**
     * Returns the budget's text in a cache key, as stored caches hold it.
     *
     * @return such as {@code "1610612736 bytes"} or {@code "fraction 0.8"}
     */
    public String keyText() {
        return isBytes() ? bytes + " bytes" : "fraction " + fraction;
    }

    /**
     * Describes the budget for a log: {@code "1.5 GiB"}, {@code "512 bytes"} or {@code "80% of the
     * available memory"}.
     *
     * @return the description
     */
    public String describe() {
        if (!isBytes()) {
            return BigDecimal.valueOf(fraction * 100).stripTrailingZeros().toPlainString()
                    + "% of the available memory";
        }
        return bytes < 1024 ? bytes + " bytes" : Bytes.format(bytes);
    }
}
