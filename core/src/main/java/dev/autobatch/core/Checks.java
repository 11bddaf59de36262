package dev.autobatch.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks whose messages name the value and the fix, shared by AutoBatch's modules (core's
 * runner, autotune's options and search), so that a value is judged, and its error worded, in one
 * place. Each message is a sentence fragment: {@code "<what> must be at least 1, got 0; <hint>"},
 * where {@code what} is the name the caller used for the value (such as {@code "start batch size"}
 * for the Java API, {@code "autobatch.startBatchSize"} for the Maven plugin) and {@code hint} the
 * default or the fix. These checks are for the caller's mistakes only (Guava's {@code
 * Preconditions}); each throws {@link IllegalArgumentException}.
 */
public final class Checks {

    private Checks() {}

    /**
     * Checks a count that must be at least 1.
     *
     * @param value the value given
     * @param what what it is, such as {@code "start batch size"}
     * @param hint the default or the fix, such as {@code "2 is the default"}; empty for none
     * @return the value
     * @throws IllegalArgumentException if the value is below 1
     */
    public static int atLeastOne(int value, String what, String hint) {
        if (value < 1) {
            throw new IllegalArgumentException(what + " must be at least 1, got " + value + suffix(hint));
        }
        return value;
    }

    /**
     * Checks a count that may be 0.
     *
     * @param value the value given
     * @param what what it is, such as {@code "warm-up steps"}
     * @return the value
     * @throws IllegalArgumentException if the value is negative
     */
    public static int zeroOrMore(int value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException(what + " must be zero or more, got " + value);
        }
        return value;
    }

    /**
     * Checks a fraction strictly between 0 and 1.
     *
     * @param value the value given
     * @param what what it is, such as {@code "saturation threshold"}
     * @param hint the default, such as {@code "0.05 (5%) is the default"}
     * @return the value
     * @throws IllegalArgumentException if the value is not in (0, 1)
     */
    public static double inOpenUnitInterval(double value, String what, String hint) {
        if (!(value > 0 && value < 1)) {
            throw new IllegalArgumentException(what + " must be in (0, 1), got " + value + suffix(hint));
        }
        return value;
    }

    /**
     * Checks a quantity, such as a number of seconds, that must be positive and finite.
     *
     * @param value the value given
     * @param what what it is, such as {@code "minimum measured seconds"}
     * @param hint the default, such as {@code "0.25 is the default"}; empty for none
     * @return the value
     * @throws IllegalArgumentException if the value is 0, negative, infinite or {@code NaN}
     */
    public static double positiveAndFinite(double value, String what, String hint) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + value + suffix(hint));
        }
        return value;
    }

    /**
     * Checks a duration that must be positive, such as a time budget.
     *
     * @param value the value given
     * @param what what it is, such as {@code "the time budget"}
     * @param hint the default, such as {@code "60 s is the default"}; empty for none
     * @return the value
     * @throws IllegalArgumentException if it is zero or negative
     * @throws NullPointerException if it is {@code null}
     */
    public static Duration positive(Duration value, String what, String hint) {
        Objects.requireNonNull(value, what);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, got " + value + suffix(hint));
        }
        return value;
    }

    private static String suffix(String hint) {
        return hint.isEmpty() ? "" : "; " + hint;
    }
}
