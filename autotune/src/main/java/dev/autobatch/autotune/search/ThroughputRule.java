package dev.autobatch.autotune.search;

import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * {@link Goal#THROUGHPUT}: the smallest batch size whose confirmed throughput is within the
 * saturation threshold of the best confirmed throughput within the budget.
 *
 * <p>The choice aims within {@value #AIM_SHARE} of the threshold (4% for the default 5%): the rest
 * is kept for gains beyond the largest size measured. A size qualifies when its throughput,
 * raised by its measured noise ({@value #NOISE_Z} standard errors of its ratio to the best, at most
 * {@value #NOISE_ALLOWANCE_SHARE} of the threshold), reaches the aim: where the measurements
 * cannot tell two sizes apart, the smaller one wins, since it costs less memory and trains no worse
 * a model. Where sizes were re-measured only sizes measured more than once are chosen.
 *
 * <p>The doubling stops once, on two trials in a row, the last two doublings raised the best
 * throughput by at most half the threshold; where the next trial is expensive (a large share of
 * the time budget), once the last doubling did.
 */
final class ThroughputRule implements ChoiceRule {

    /** The share of the saturation threshold the choice aims within. */
    static final double AIM_SHARE = 0.8;

    /** How many standard errors of measured noise a smaller size is given. */
    static final double NOISE_Z = 1;

    /** The most the noise allowance may add, as a share of the threshold. */
    static final double NOISE_ALLOWANCE_SHARE = 0.4;

    @Override
    public boolean stopsDoubling(Evidence evidence, boolean nextTrialExpensive) {
        List<Integer> sizes = evidence.fittingSizes();
        int n = sizes.size();
        double half = evidence.settings().saturationThreshold() / 2;
        if (nextTrialExpensive && n >= 2 && gained(evidence, sizes.subList(0, n), 1) <= half) {
            return true;
        }
        // Twice in a row: one noisy measurement can make one pair of doublings look flat, rarely two.
        return n >= 4 && gained(evidence, sizes, 2) <= half && gained(evidence, sizes.subList(0, n - 1), 2) <= half;
    }

    /**
     * How much the last {@code doublings} sizes raised the best throughput of the sizes before
     * them: the best of the last sizes over the best before, less 1.
     */
    private static double gained(Evidence evidence, List<Integer> sizes, int doublings) {
        int n = sizes.size();
        double recent = bestAmong(evidence, sizes.subList(n - doublings, n));
        return recent / bestAmong(evidence, sizes.subList(0, n - doublings)) - 1;
    }

    @Override
    public OptionalInt refinement(Evidence evidence) {
        return OptionalInt.empty();
    }

    @Override
    public List<Integer> contenders(Evidence evidence) {
        OptionalInt best = evidence.bestSize();
        if (best.isEmpty()) {
            return List.of();
        }
        int provisional = judge(evidence, evidence.fittingSizes()).size;
        TreeSet<Integer> contenders = new TreeSet<>(evidence.neighbours(provisional));
        contenders.add(provisional);
        contenders.add(best.getAsInt());
        return List.copyOf(contenders);
    }

    @Override
    public Choice choose(Evidence evidence) {
        return choose(evidence, Candidates.of(evidence));
    }

    /**
     * Chooses as this rule does for a goal that needs the gradient noise scale where it is
     * unknown, and says so.
     */
    Choice insteadOf(Goal goal, Evidence evidence) {
        Choice choice = choose(evidence);
        return new Choice(
                choice.batchSize(),
                "The gradient noise scale is " + evidence.noiseScale().describe() + ", so " + goal
                        + " chose as THROUGHPUT does. " + choice.explanation());
    }

    /** Chooses among the given candidates, smallest first, as {@link #choose(Evidence)} does. */
    Choice choose(Evidence evidence, List<Integer> candidates) {
        Verdict verdict = judge(evidence, candidates);
        return new Choice(verdict.size, explain(evidence, candidates, verdict));
    }

    /** The smallest candidate that reaches the aim, allowing for noise, and the figures. */
    static Verdict judge(Evidence evidence, List<Integer> candidates) {
        int best = candidates.get(0);
        for (int size : candidates) {
            if (evidence.throughput(size) > evidence.throughput(best)) {
                best = size;
            }
        }
        double threshold = evidence.settings().saturationThreshold();
        double aim = (1 - AIM_SHARE * threshold) * evidence.throughput(best);
        for (int size : candidates) {
            double allowance = allowance(evidence, size, best, threshold);
            if (evidence.throughput(size) * (1 + allowance) >= aim) {
                return new Verdict(size, best, aim, allowance);
            }
        }
        return new Verdict(best, best, aim, 0);
    }

    private static double allowance(Evidence evidence, int size, int best, double threshold) {
        if (size == best) {
            return 0;
        }
        double a = evidence.relativeError(size);
        double b = evidence.relativeError(best);
        if (Double.isNaN(a) || Double.isNaN(b)) {
            return 0;
        }
        return Math.min(NOISE_Z * Math.sqrt(a * a + b * b), NOISE_ALLOWANCE_SHARE * threshold);
    }

    private static String explain(Evidence evidence, List<Integer> candidates, Verdict verdict) {
        double threshold = evidence.settings().saturationThreshold();
        String aim = percent(AIM_SHARE * threshold);
        StringBuilder text = new StringBuilder();
        if (verdict.size == verdict.best) {
            text.append(String.format(
                    Locale.ROOT,
                    "Batch size %,d gave the best throughput, %s.",
                    verdict.size,
                    Candidates.figure(evidence, verdict.size)));
        } else {
            text.append(String.format(
                    Locale.ROOT,
                    "Batch size %,d is the smallest whose throughput is within %s of the best (the %s threshold"
                            + " less a fifth kept for gains beyond the largest size measured): %s against %s at"
                            + " batch size %,d.",
                    verdict.size,
                    aim,
                    percent(threshold),
                    Candidates.figure(evidence, verdict.size),
                    Candidates.figure(evidence, verdict.best),
                    verdict.best));
            if (verdict.allowance > 0) {
                text.append(String.format(
                        Locale.ROOT,
                        " Its measurement noise let it fall short by up to %s: where measurements cannot tell"
                                + " two sizes apart, the smaller wins.",
                        percent(verdict.allowance)));
            }
        }
        Integer below = null;
        for (int size : candidates) {
            if (size < verdict.size) {
                below = size;
            }
        }
        if (below != null) {
            text.append(String.format(
                    Locale.ROOT,
                    " Batch size %,d gave %s of the best.",
                    below,
                    percent(evidence.throughput(below) / evidence.throughput(verdict.best))));
        }
        text.append(Candidates.basis(evidence, candidates));
        return text.toString();
    }

    private static double bestAmong(Evidence evidence, List<Integer> sizes) {
        double best = 0;
        for (int size : sizes) {
            best = Math.max(best, evidence.throughput(size));
        }
        return best;
    }

    static String percent(double fraction) {
        double percent = fraction * 100;
        return Math.abs(percent - Math.rint(percent)) < 0.05
                ? String.format(Locale.ROOT, "%.0f%%", percent)
                : String.format(Locale.ROOT, "%.1f%%", percent);
    }

    /** The chosen size, the best, the aim in samples per second and the allowance granted. */
    record Verdict(int size, int best, double aim, double allowance) {}
}
