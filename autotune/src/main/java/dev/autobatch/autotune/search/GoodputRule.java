package dev.autobatch.autotune.search;

import dev.autobatch.autotune.advice.NoiseScale;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.TreeSet;

/**
 * {@link Goal#GOODPUT}: the size with the most confirmed throughput times statistical efficiency
 * {@code (B_noise + B0) / (B_noise + B)} at the global batch {@code B}, with {@code B_noise} the
 * {@link NoiseScale} the trials' gradient norms give and {@code B0} the reference batch size.
 *
 * <p>The doubling stops where {@link ThroughputRule} stops it, or once the last two sizes' goodput
 * fell more than the saturation threshold below the best: past that, efficiency falls faster than
 * throughput can rise. One size at the geometric middle between the best and a neighbour is then
 * measured where its goodput, from the step time interpolated between the two, is predicted more
 * than {@value #REFINEMENT_GAIN_PERCENT}% above the best; it is a contender like any other. Without
 * a usable noise scale the rule chooses as {@link ThroughputRule} does, and says so.
 */
final class GoodputRule implements ChoiceRule {

    /** A refinement trial runs where it is predicted to add at least this much goodput. */
    static final int REFINEMENT_GAIN_PERCENT = 1;

    private final ThroughputRule throughput = new ThroughputRule();

    @Override
    public boolean stopsDoubling(Evidence evidence, boolean nextTrialExpensive) {
        if (throughput.stopsDoubling(evidence, nextTrialExpensive)) {
            return true;
        }
        NoiseScale noise = evidence.noiseScale();
        List<Integer> sizes = evidence.fittingSizes();
        int n = sizes.size();
        if (!noise.isKnown() || n < 3) {
            return false;
        }
        double best = goodput(evidence, noise, best(evidence, noise, sizes));
        double bar = (1 - evidence.settings().saturationThreshold()) * best;
        return goodput(evidence, noise, sizes.get(n - 1)) < bar && goodput(evidence, noise, sizes.get(n - 2)) < bar;
    }

    @Override
    public OptionalInt refinement(Evidence evidence) {
        NoiseScale noise = evidence.noiseScale();
        if (!noise.isKnown()) {
            return OptionalInt.empty();
        }
        int best = best(evidence, noise, evidence.fittingSizes());
        double bar = goodput(evidence, noise, best) * (1 + REFINEMENT_GAIN_PERCENT / 100.0);
        int proposal = -1;
        for (int neighbour : evidence.neighbours(best)) {
            int low = Math.min(best, neighbour);
            int high = Math.max(best, neighbour);
            int middle = (int) Math.round(Math.sqrt((double) low * high));
            if (middle <= low || middle >= high || measured(evidence, middle) || !evidence.predictedToFit(middle)) {
                continue;
            }
            double lowStep = low / evidence.throughput(low);
            double highStep = high / evidence.throughput(high);
            double step = lowStep + (highStep - lowStep) * (middle - low) / (high - low);
            double predicted = middle / step * efficiency(evidence, noise, middle);
            if (predicted > bar) {
                bar = predicted;
                proposal = middle;
            }
        }
        return proposal < 0 ? OptionalInt.empty() : OptionalInt.of(proposal);
    }

    @Override
    public List<Integer> contenders(Evidence evidence) {
        NoiseScale noise = evidence.noiseScale();
        if (!noise.isKnown()) {
            return throughput.contenders(evidence);
        }
        int best = best(evidence, noise, evidence.fittingSizes());
        TreeSet<Integer> contenders = new TreeSet<>(evidence.neighbours(best));
        contenders.add(best);
        return List.copyOf(contenders);
    }

    @Override
    public Choice choose(Evidence evidence) {
        NoiseScale noise = evidence.noiseScale();
        if (!noise.isKnown()) {
            return throughput.insteadOf(Goal.GOODPUT, evidence);
        }
        List<Integer> candidates = Candidates.of(evidence);
        int best = best(evidence, noise, candidates);
        SearchSettings settings = evidence.settings();
        StringBuilder text = new StringBuilder(String.format(
                Locale.ROOT,
                "Batch size %,d has the most goodput, throughput times statistical efficiency: %s at an"
                        + " efficiency of %.2f relative to batch size %,d, at a gradient noise scale of %,.0f.",
                best,
                Candidates.figure(evidence, best),
                efficiency(evidence, noise, best),
                settings.referenceBatchSize(),
                noise.bSimple()));
        for (int neighbour : evidence.neighbours(best)) {
            if (candidates.contains(neighbour)) {
                text.append(String.format(
                        Locale.ROOT,
                        " Batch size %,d: %s of that goodput.",
                        neighbour,
                        ThroughputRule.percent(goodput(evidence, noise, neighbour) / goodput(evidence, noise, best))));
            }
        }
        text.append(Candidates.basis(evidence, candidates));
        return new Choice(best, text.toString());
    }

    private static int best(Evidence evidence, NoiseScale noise, List<Integer> sizes) {
        int best = sizes.get(0);
        for (int size : sizes) {
            if (goodput(evidence, noise, size) > goodput(evidence, noise, best)) {
                best = size;
            }
        }
        return best;
    }

    private static double goodput(Evidence evidence, NoiseScale noise, int size) {
        return evidence.throughput(size) * efficiency(evidence, noise, size);
    }

    private static double efficiency(Evidence evidence, NoiseScale noise, long size) {
        SearchSettings settings = evidence.settings();
        return noise.efficiency((double) size * settings.devices(), settings.referenceBatchSize());
    }

    private static boolean measured(Evidence evidence, int size) {
        return evidence.trials().stream().anyMatch(t -> t.batchSize() == size);
    }
}
