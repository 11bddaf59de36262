package dev.autobatch.autotune.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The sizes a rule may choose among, and how the rules word a size's figures. Where confirmation
 * rounds re-measured sizes, only those measured more than once are candidates: no size is chosen
 * on one measurement. Where no size was re-measured (no contenders, or the time budget ran out),
 * and where the runner answers alike every time (its one re-measurement repeated the first
 * exactly), every fitting size is.
 */
final class Candidates {

    private Candidates() {}

    static List<Integer> of(Evidence evidence) {
        List<Integer> confirmed = new ArrayList<>();
        for (int size : evidence.fittingSizes()) {
            if (evidence.measurements(size) > 1) {
                confirmed.add(size);
            }
        }
        return confirmed.isEmpty() || evidence.repeatsExactly() ? evidence.fittingSizes() : confirmed;
    }

    /** A size's throughput with its noise and how many measurements it is the centre of. */
    static String figure(Evidence evidence, int size) {
        int n = evidence.measurements(size);
        double error = evidence.relativeError(size);
        String noise = Double.isNaN(error) || error == 0 ? "" : String.format(Locale.ROOT, " ±%.1f%%", 100 * error);
        String basis = n == 1 ? "one measurement" : n + " measurements";
        return String.format(Locale.ROOT, "%,.0f samples/s%s (%s)", evidence.throughput(size), noise, basis);
    }

    /** A closing sentence on what the figures rest on. */
    static String basis(Evidence evidence, List<Integer> candidates) {
        int most = 0;
        for (int size : candidates) {
            most = Math.max(most, evidence.measurements(size));
        }
        if (most <= 1) {
            return " Each size was measured once.";
        }
        return " Each figure is the centre of a size's measurements, the doubling's trial and interleaved"
                + " confirmation rounds (their median, from five on their mean without the lowest and the highest);"
                + " ± is one standard error.";
    }
}
