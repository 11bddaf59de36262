package dev.autobatch.autotune.search;

import dev.autobatch.autotune.report.Bytes;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * {@link Goal#MAX_FIT}: the largest size that ran within the memory budget, refined between it and
 * the first size that did not fit (out of memory, measured or predicted over the budget) until the
 * gap is at most 1/{@value #GAP_DIVISOR} of it. Where the memory prediction bounds, a refinement
 * tries the largest size predicted to fit (at most twice the largest fit); where an out-of-memory
 * trial bounds, it bisects. Memory, not throughput, decides: nothing is confirmed.
 */
final class MaxFitRule implements ChoiceRule {

    /** Refinement ends when the gap above the largest fit is at most this fraction of it. */
    static final int GAP_DIVISOR = 16;

    @Override
    public boolean stopsDoubling(Evidence evidence, boolean nextTrialExpensive) {
        return false;
    }

    @Override
    public OptionalInt refinement(Evidence evidence) {
        long fit = evidence.largestFitting();
        SearchSettings settings = evidence.settings();
        long misfit = evidence.smallestMisfitAbove(fit).orElse(settings.batchSizeCap() + 1);
        long gap = Math.max(1, fit / GAP_DIVISOR);
        if (fit < 1 || misfit - fit <= gap) {
            return OptionalInt.empty();
        }
        long predicted = settings.hasMemoryBudget() && !evidence.peakModel().isEmpty()
                ? evidence.peakModel().largestWithin(settings.memoryBudgetBytes(), fit + 1, misfit - 1)
                : misfit - 1;
        if (predicted <= fit) {
            return OptionalInt.empty();
        }
        if (predicted < misfit - 1) {
            // The budget, not a failure, bounds: try the largest size predicted to fit.
            return predicted + 1 - fit <= gap
                    ? OptionalInt.empty()
                    : OptionalInt.of((int) Math.min(predicted, 2 * fit));
        }
        return OptionalInt.of((int) (fit + (misfit - fit) / 2));
    }

    @Override
    public List<Integer> contenders(Evidence evidence) {
        return List.of();
    }

    @Override
    public Choice choose(Evidence evidence) {
        int size = evidence.largestFitting();
        long peak = evidence.trials().stream()
                .filter(t -> t.ok() && t.batchSize() == size)
                .mapToLong(t -> t.peakMemoryBytes())
                .max()
                .orElse(-1);
        long budget = evidence.settings().memoryBudgetBytes();
        String within = evidence.settings().hasMemoryBudget()
                ? " within the memory budget: peak " + Bytes.format(peak) + " of " + Bytes.format(budget)
                : " without running out of memory: peak " + Bytes.format(peak);
        return new Choice(size, String.format(Locale.ROOT, "Batch size %,d is the largest that ran%s.", size, within));
    }
}
