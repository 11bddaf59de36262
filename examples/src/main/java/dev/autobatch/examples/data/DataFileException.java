package dev.autobatch.examples.data;

import java.nio.file.Path;

/**
 * A data file is missing, unreadable or malformed. The message names the file, what is wrong with
 * it and how to get a good copy.
 */
public final class DataFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** How to get the data, appended to every message. */
    public static final String HOW_TO_GET_IT =
            "install it with 'sudo apt-get install dataset-fashion-mnist' (files under "
                    + FashionMnist.DEFAULT_DIRECTORY
                    + ") or point to a directory holding the four IDX files with --data DIR";

    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the file at fault
     * @param problem what is wrong with it, a phrase such as {@code "it does not exist"}
     */
    public DataFileException(Path file, String problem) {
        super("Cannot load " + file + ": " + problem + ". To get Fashion-MNIST, " + HOW_TO_GET_IT + ".");
        this.file = file;
    }

    /**
     * Returns the file at fault.
     *
     * @return the path
     */
    public Path file() {
        return file;
    }
}
