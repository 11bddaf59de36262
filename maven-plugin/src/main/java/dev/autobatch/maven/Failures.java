package dev.autobatch.maven;

/** Turns a failure of the user's target or of the tuning into one sentence for the build log. */
final class Failures {

    private Failures() {}

    /**
     * Describes a failed tuning: the target, what failed, and for a Java heap exhaustion the fix.
     *
     * @param target the target's class name
     * @param failure what was thrown
     * @return such as {@code "Tuning com.example.Mlp failed: the dataset holds 10 samples, ..."}
     */
    static String tuningFailed(String target, Throwable failure) {
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
        return text.replaceAll("\\s*\\R\\s*", " ");
    }

    private static String ownMessage(Throwable failure) {
        String message = failure.getMessage();
        if (message == null || message.isBlank()) {
            return failure.getClass().getName();
        }
        // A full sentence from our code or DJL explains itself; a bare JDK message ("Index 3 out of
        // bounds") needs its exception's name.
        if (failure.getClass().getName().startsWith("java.")
                && !(failure instanceof IllegalArgumentException || failure instanceof IllegalStateException)) {
            return failure.getClass().getSimpleName() + ": " + message;
        }
        return message;
    }
}
