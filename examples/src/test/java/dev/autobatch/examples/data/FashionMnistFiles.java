package dev.autobatch.examples.data;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

/** The tests' access to the installed Fashion-MNIST: skipped where missing, unless under CI. */
public final class FashionMnistFiles {

    private FashionMnistFiles() {}

    /**
     * Skips the calling test when Fashion-MNIST is not installed, except under {@code CI=true},
     * where {@code bin/setup} installs it and its absence fails the test.
     */
    public static void assumeInstalled() {
        if (FashionMnist.isPresent(FashionMnist.DEFAULT_DIRECTORY)) {
            return;
        }
        String message = "Fashion-MNIST is not installed under "
                + FashionMnist.DEFAULT_DIRECTORY
                + ": apt-get install dataset-fashion-mnist (bin/setup does it as root)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(message);
        }
        abort(message);
    }
}
