package dev.autobatch.autotune.search;

import dev.autobatch.core.Trial;
import java.util.Objects;

/**
 * What the search concluded from one trial: what the trial showed ({@link Kind}) and in which
 * step of the search it ran ({@link Phase}, with the confirmation round). People read it in the
 * words of {@link dev.autobatch.autotune.report.Wording#verdict}, the one place verdicts are worded.
 *
 * @param kind what the trial showed
 * @param phase the step of the search that ran it
 * @param round the confirmation round, from 1, for {@link Phase#CONFIRMATION}; {@code 0} otherwise
 */
public record Verdict(Kind kind, Phase phase, int round) {

    /** What a trial showed the search. */
    public enum Kind {
        /** Measured within the memory budget. */
        OK,
        /** Measured within the budget, and the goal's rule said a larger batch no longer pays. */
        THROUGHPUT_SATURATED,
        /** Measured, but its peak memory was above the budget: never chosen. */
        OVER_BUDGET,
        /** Ran out of memory. */
        OUT_OF_MEMORY,
        /** Failed for a reason other than memory ({@link Trial#failure()}). */
        FAILED
    }

    /** The step of the search a trial ran in. */
    public enum Phase {
        /** The doubling from the start size. */
        DOUBLING,
        /** The one trial at half the start size that measures how memory grows. */
        MEMORY_PROBE,
        /** A trial the goal's rule proposed between sizes measured. */
        REFINEMENT,
        /** A re-measurement of a contender. */
        CONFIRMATION
    }

    /** Checks the components: a round for confirmation, and only there. */
    public Verdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(phase, "phase");
        if ((phase == Phase.CONFIRMATION) != (round >= 1)) {
            throw new IllegalArgumentException(
                    "a confirmation verdict needs a round of at least 1, any other round 0; got " + phase + " round "
                            + round);
        }
    }

    /**
     * The verdict a trial earns by its outcome alone, against a memory budget.
     *
     * @param trial the trial
     * @param budgetBytes the memory budget in bytes ({@link SearchSettings#NO_MEMORY_BUDGET} for none)
     * @param phase the step of the search that ran it
     * @param round the confirmation round, or {@code 0}
     * @return {@link Kind#OUT_OF_MEMORY}, {@link Kind#FAILED}, {@link Kind#OVER_BUDGET} or {@link
     *     Kind#OK}
     */
    public static Verdict of(Trial trial, long budgetBytes, Phase phase, int round) {
        return new Verdict(kindOf(trial, budgetBytes), phase, round);
    }

    /**
     * The verdict of a trial in a result built outside a search: its outcome, in the doubling.
     *
     * @param trial the trial
     * @return {@link Kind#OUT_OF_MEMORY}, {@link Kind#FAILED} or {@link Kind#OK}
     */
    public static Verdict of(Trial trial) {
        return of(trial, SearchSettings.NO_MEMORY_BUDGET, Phase.DOUBLING, 0);
    }

    private static Kind kindOf(Trial trial, long budgetBytes) {
        return switch (trial.outcome()) {
            case OUT_OF_MEMORY -> Kind.OUT_OF_MEMORY;
            case FAILED -> Kind.FAILED;
            case MEASURED -> trial.peakMemoryBytes() > budgetBytes ? Kind.OVER_BUDGET : Kind.OK;
        };
    }
}
