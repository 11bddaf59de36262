package dev.autobatch.maven;

import dev.autobatch.autotune.budget.MemoryBudgetException;
import java.io.UncheckedIOException;

/** Turns a failure of the user's target or of the tuning into one sentence for the build log. */
final class Failures {

    /** How the goal names the setting a memory-budget failure advises changing. */
    static final MemoryBudgetException.Words BUDGET_WORDS =
            new MemoryBudgetException.Words("<memoryBudget> (or -Dautobatch.memoryBudget)", null, null);

    private Failures() {}

    /**
     * Describes a failed tuning: the target, what failed, and for a Java heap exhaustion the fix.
     *
     * @param target the target's class name
     * @param failure what was thrown
     * @return such as {@code "Tuning com.example.Mlp failed: the dataset holds 10 samples, ..."}
     */
    static String tuningFailed(String target, Throwable failure) {
        if (failure instanceof MemoryBudgetException budget) {
            return "Tuning " + target + " failed: " + budget.message(BUDGET_WORDS);
        }
        String text = "Tuning " + target + " failed: " + messageOf(failure);
        if (failure instanceof OutOfMemoryError) {
            text += " The Java heap ran out; give the forked JVM more with -Dautobatch.jvmArgs=-Xmx4g"
                    + " (tensors live outside the heap, so this is rare).";
        }
        return text;
    }

    /**
     * Returns the throwable's message on one line, with its class where the message alone would
     * not say what happened, and the first cause whose message adds something.
     *
     * @param failure what was thrown
     * @return the message
     */
    static String messageOf(Throwable failure) {
        String text = ownMessage(failure);
        Throwable cause = failure.getCause();
        while (cause != null && cause != cause.getCause()) {
            String causeText = ownMessage(cause);
            if (!text.contains(causeText)) {
                text += " (caused by " + causeText + ")";
                break;
            }
            cause = cause.getCause();
        }
        return oneLine(text);
    }

    /**
     * Joins a message's lines into sentences on one line, for Maven's one-line error: a line that
     * ends without punctuation gets a full stop.
     *
     * @param text the message, possibly on several lines
     * @return the message on one line
     */
    static String oneLine(String text) {
        StringBuilder line = new StringBuilder();
        for (String part : text.split("\\R")) {
            String trimmed = part.strip();
            if (trimmed.isEmpty()) {
                continue;
            }
            if (line.length() > 0) {
                char last = line.charAt(line.length() - 1);
                if (".!?:;,".indexOf(last) < 0) {
                    line.append('.');
                }
                line.append(' ');
            }
            line.append(trimmed);
        }
        return line.toString();
    }

    private static String ownMessage(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getName();
        }
        // A full sentence from our code, autotune or DJL explains itself (they throw these three for
        // them); a bare JDK message ("Index 3 out of bounds", "disk full") needs its exception's name.
        if (failure.getClass().getName().startsWith("java.")
                && !(failure instanceof IllegalArgumentException
                        || failure instanceof IllegalStateException
                        || failure instanceof UncheckedIOException)) {
            return failure.getClass().getSimpleName() + ": " + message;
        }
        return message;
    }
}
