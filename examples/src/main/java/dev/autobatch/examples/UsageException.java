package dev.autobatch.examples;

/** The command line is wrong: an unknown option, a missing value or a bad one. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message one sentence naming the bad option or value and the fix
     */
    public UsageException(String message) {
        super(message);
    }
}
