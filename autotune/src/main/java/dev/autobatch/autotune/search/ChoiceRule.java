package dev.autobatch.autotune.search;

import java.util.List;
import java.util.OptionalInt;

/**
 * How one {@link Goal} chooses a batch size from what the search measured. {@link Goal#rule()}
 * returns each goal's rule; a new goal is one new rule.
 *
 * <p>The search asks a rule four things, in this order: after each doubling trial, whether the
 * doubling may stop ({@link #stopsDoubling}); after the doubling, which sizes between those
 * measured are worth a trial ({@link #refinement}, asked until it has none); then which sizes to
 * re-measure in interleaved confirmation rounds ({@link #contenders}); and last, the choice
 * ({@link #choose}). Rules read measurements only: a fitted model may say where to measure, never
 * stand in for a measurement in the choice.
 */
public interface ChoiceRule {

    /**
     * Says whether the doubling may stop after the latest trial, for reasons of this goal (memory,
     * the cap, failures and the time budget stop it anyway).
     *
     * @param evidence every trial so far
     * @param nextTrialExpensive whether the next doubling's trial is predicted to take a large
     *     share of what is left of the time budget: one doubling of evidence then suffices
     * @return {@code true} to stop
     */
    boolean stopsDoubling(Evidence evidence, boolean nextTrialExpensive);

    /**
     * Proposes one size to measure before confirming, such as a size between two measured ones.
     *
     * @param evidence every trial so far
     * @return the size, or empty when no more is worth a trial
     */
    OptionalInt refinement(Evidence evidence);

    /**
     * Names the sizes to re-measure in interleaved rounds before choosing: the provisional choice,
     * its neighbours and the best size seen.
     *
     * @param evidence every trial so far
     * @return fitting sizes, smallest first; empty where the choice needs no confirmation
     */
    List<Integer> contenders(Evidence evidence);

    /**
     * Chooses.
     *
     * @param evidence every trial, confirmation rounds included
     * @return the size and the sentence that says why
     */
    Choice choose(Evidence evidence);
}
