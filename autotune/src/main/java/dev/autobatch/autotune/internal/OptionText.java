package dev.autobatch.autotune.internal;

import dev.autobatch.autotune.budget.BudgetSpec;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads an option's value from text, as {@code TuneOptions.Builder.fromProperties} receives it
 * from the Maven plugin or a properties file. Each error names the option as the caller does
 * ({@code what}, such as {@code "autobatch.warmupSteps"}) and the text given; the ranges are
 * checked by the option's setter, not here.
 */
public final class OptionText {

    /** Reads a whole number: {@code 64}. */
    public static final Parser<Integer> WHOLE = OptionText::whole;
    /** Reads a number: {@code 0.05}. */
    public static final Parser<Double> NUMBER = OptionText::number;
    /** Reads a duration: seconds ({@code 90}, {@code 1.5}) or ISO-8601 ({@code PT1M30S}). */
    public static final Parser<Duration> DURATION = OptionText::duration;
    /** Reads a path. */
    public static final Parser<Path> PATH = OptionText::path;
    /** Reads {@code true} or {@code false}, in any case. */
    public static final Parser<Boolean> BOOL = OptionText::bool;
    /** Reads a memory budget as {@link BudgetSpec#parse(String, String)} does: {@code 8g}, {@code 0.5}, {@code 50%}. */
    public static final Parser<BudgetSpec> BUDGET = (what, text) -> BudgetSpec.parse(text, what);

    private OptionText() {}

    /**
     * Reads a whole number.
     *
     * @param what how errors name the option
     * @param text the text, spaces around it ignored
     * @return the number
     * @throws IllegalArgumentException if it is not a whole number
     */
    private static int whole(String what, String text) {
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got '" + text + "'", e);
        }
    }

    /**
     * Reads a number.
     *
     * @param what how errors name the option
     * @param text the text, such as {@code 0.05}
     * @return the number
     * @throws IllegalArgumentException if it is not a number
     */
    private static double number(String what, String text) {
        try {
            return Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number, got '" + text + "'", e);
        }
    }

    /**
     * Reads a duration: seconds ({@code 90}, {@code 1.5}) or ISO-8601 ({@code PT1M30S}).
     *
     * @param what how errors name the option
     * @param text the text
     * @return the duration, not checked for sign
     * @throws IllegalArgumentException if it is neither form
     */
    private static Duration duration(String what, String text) {
        String value = text.trim();
        try {
            return value.toUpperCase(Locale.ROOT).startsWith("P")
                    ? Duration.parse(value)
                    : Duration.ofNanos(Math.round(Double.parseDouble(value) * 1e9));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    what + " must be seconds (90) or an ISO-8601 duration (PT1M30S), got '" + text + "'", e);
        }
    }

    /**
     * Reads a path.
     *
     * @param what how errors name the option
     * @param text the path, spaces around it ignored
     * @return the path
     * @throws IllegalArgumentException if it is not a path on this system
     */
    private static Path path(String what, String text) {
        try {
            return Path.of(text.trim());
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(what + " must be a path, got '" + text + "'", e);
        }
    }

    /**
     * Returns an optional value for a cache key, or the word that stands for its absence.
     *
     * @param value the value, or empty
     * @param none the word, such as {@code "default"}
     * @return the value, or the word
     */
    public static Object orNone(Optional<?> value, String none) {
        return value.isPresent() ? value.get() : none;
    }

    /**
     * Reads {@code true} or {@code false}, in any case.
     *
     * @param what how errors name the option
     * @param text the text
     * @return the value
     * @throws IllegalArgumentException for any other text
     */
    private static boolean bool(String what, String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException(what + " must be true or false, got '" + text + "'");
        }
        return value.equals("true");
    }

    /**
     * Reads a constant of an enum by name, in any case, with {@code -} or {@code _} between words.
     *
     * @param <E> the enum
     * @param what how errors name the option
     * @param text the text, such as {@code max-fit}
     * @param type the enum's class
     * @param fallback the default, which the error names
     * @return the constant
     * @throws IllegalArgumentException for any other text; the message lists every constant
     */
    public static <E extends Enum<E>> E constant(String what, String text, Class<E> type, E fallback) {
        String value = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        E[] constants = type.getEnumConstants();
        return Arrays.stream(constants)
                .filter(c -> c.name().equals(value))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(what + " must be one of " + names(constants) + ", got '"
                        + text + "'; " + fallback.name() + " is the default"));
    }

    /**
     * Lists an enum's constants, such as {@code "THROUGHPUT, MAX_FIT, GOODPUT, BALANCED"}: for
     * messages and documentation built from the enum itself, so they cannot drift from it.
     *
     * @param constants the constants, in order
     * @return their names, separated by commas
     */
    public static String names(Enum<?>... constants) {
        return Arrays.stream(constants).map(Enum::name).collect(Collectors.joining(", "));
    }

    /**
     * Reads an option's value from text.
     *
     * @param <T> the value's type
     */
    @FunctionalInterface
    public interface Parser<T> {
        /**
         * Reads the value.
         *
         * @param what how errors name the option, such as {@code "autobatch.warmupSteps"}
         * @param text the text, not blank
         * @return the value
         * @throws IllegalArgumentException if the text is not of the option's form
         */
        T parse(String what, String text);
    }

    /**
     * Options that can be set by name from text, in the order they were added: each with how its
     * text sets a builder and, for one that changes a tuning's result, its value in a cache key.
     *
     * @param <B> the builder the options set
     * @param <V> the options it builds, which the cache-key values are read from
     */
    public static final class Table<B, V> {

        private final Map<String, TextSetter<B>> setters = new LinkedHashMap<>();
        private final Map<String, Function<V, Object>> keys = new LinkedHashMap<>();

        /**
         * Adds an option.
         *
         * @param <T> its value's type
         * @param name its name, such as {@code "maxBatchSize"}
         * @param parser reads its text
         * @param setter sets the value on a builder, checking its range
         * @param key its cache-key value from the built options ({@code null} leaves it out of that
         *     key), or {@code null} if it changes no result
         * @return this table
         */
        public <T> Table<B, V> add(String name, Parser<T> parser, BiConsumer<B, T> setter, Function<V, Object> key) {
            setters.put(name, (builder, what, text) -> setter.accept(builder, parser.parse(what, text)));
            if (key != null) {
                keys.put(name, key);
            }
            return this;
        }

        /**
         * Returns the names, in the order they were added.
         *
         * @return the names
         */
        public Set<String> names() {
            return Collections.unmodifiableSet(setters.keySet());
        }

        /**
         * Sets options from text; a blank or {@code null} value leaves the option as it was.
         *
         * @param builder the builder
         * @param prefix put before a name in errors, such as {@code "autobatch."}
         * @param values the text by name
         * @throws IllegalArgumentException for an unknown name (listing the names) or a bad value
         */
        public void set(B builder, String prefix, Map<String, String> values) {
            values.forEach((name, text) -> {
                TextSetter<B> setter = setters.get(name);
                if (setter == null) {
                    throw new IllegalArgumentException(
                            prefix + name + " is not an option; the options are " + String.join(", ", names()));
                }
                if (text != null && !text.isBlank()) {
                    setter.set(builder, prefix + name, text);
                }
            });
        }

        /**
         * Returns the cache-key values of the options that change a result.
         *
         * @param options the options
         * @return the text by name, sorted by name
         */
        public Map<String, String> keyFields(V options) {
            Map<String, String> fields = new TreeMap<>();
            keys.forEach((name, key) -> {
                Object value = key.apply(options);
                if (value != null) {
                    fields.put(name, value.toString());
                }
            });
            return fields;
        }

        /** Sets one option from its text; {@code what} is how errors name it. */
        private interface TextSetter<B> {
            void set(B builder, String what, String text);
        }
    }
}
