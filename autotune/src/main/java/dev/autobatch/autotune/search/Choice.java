package dev.autobatch.autotune.search;

import java.util.Objects;

/**
 * A rule's choice: the batch size and why, in one or two sentences for people, with the figures
 * that decided it. The reports print the explanation as the rule wrote it.
 *
 * @param batchSize the chosen batch size, at least 1
 * @param explanation why it was chosen, full sentences
 */
public record Choice(int batchSize, String explanation) {

    /** Checks the components. */
    public Choice {
        if (batchSize < 1) {
            throw new IllegalArgumentException("a chosen batch size must be at least 1, got " + batchSize);
        }
        Objects.requireNonNull(explanation, "explanation");
    }
}
