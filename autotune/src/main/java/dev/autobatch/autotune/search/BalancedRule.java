package dev.autobatch.autotune.search;

import dev.autobatch.autotune.advice.NoiseScale;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;

/**
 * {@link Goal#BALANCED}: the {@link ThroughputRule} choice among the sizes whose statistical
 * efficiency {@code (B_noise + B0) / (B_noise + B)} is at least {@value #MIN_EFFICIENCY}, with
 * {@code B_noise} the gradient noise scale the trials measured and {@code B0} the reference batch
 * size: throughput, but never so large a batch that a sample does less than a quarter of the work
 * it does at the reference size (about three times the noise scale). The noise scale measured at
 * the start of training is the smallest it will be (it grows as the loss falls), which is why the
 * bound is this loose.
 *
 * <p>The doubling stops where {@link ThroughputRule} stops it, or once a size past the bound was
 * measured. Without a usable noise scale the rule chooses as {@link ThroughputRule} does, and says
 * so.
 */
final class BalancedRule implements ChoiceRule {

    /** The least statistical efficiency a chosen size may have. */
    static final double MIN_EFFICIENCY = 0.25;

    private final ThroughputRule throughput = new ThroughputRule();

    @Override
    public boolean stopsDoubling(Evidence evidence, boolean nextTrialExpensive) {
        NoiseScale noise = evidence.noiseScale();
        List<Integer> sizes = evidence.fittingSizes();
        return throughput.stopsDoubling(evidence, nextTrialExpensive)
                || (noise.isKnown() && sizes.size() >= 2 && !efficient(evidence, noise, sizes.get(sizes.size() - 1)));
    }

    @Override
    public OptionalInt refinement(Evidence evidence) {
        return OptionalInt.empty();
    }

    @Override
    public List<Integer> contenders(Evidence evidence) {
        NoiseScale noise = evidence.noiseScale();
        List<Integer> within = within(evidence, noise, evidence.fittingSizes());
        if (!noise.isKnown() || within.isEmpty()) {
            return throughput.contenders(evidence);
        }
        ThroughputRule.Verdict verdict = ThroughputRule.judge(evidence, within);
        List<Integer> contenders = new ArrayList<>();
        for (int size : within) {
            if (size == verdict.size()
                    || size == verdict.best()
                    || evidence.neighbours(verdict.size()).contains(size)) {
                contenders.add(size);
            }
        }
        return contenders;
    }

    @Override
    public Choice choose(Evidence evidence) {
        NoiseScale noise = evidence.noiseScale();
        if (!noise.isKnown()) {
            return throughput.insteadOf(Goal.BALANCED, evidence);
        }
        List<Integer> candidates = Candidates.of(evidence);
        List<Integer> within = within(evidence, noise, candidates);
        if (within.isEmpty()) {
            int smallest = candidates.get(0);
            return new Choice(
                    smallest,
                    String.format(
                            Locale.ROOT,
                            "Batch size %,d is the smallest measured; even it has a statistical efficiency of %.2f, below"
                                    + " the %.2f this goal allows (gradient noise scale %,.0f).",
                            smallest,
                            efficiency(evidence, noise, smallest),
                            MIN_EFFICIENCY,
                            noise.bSimple()));
        }
        Choice choice = throughput.choose(evidence, within);
        int bound = within.get(within.size() - 1);
        List<Integer> fitting = evidence.fittingSizes();
        String bounded = bound < fitting.get(fitting.size() - 1)
                ? String.format(
                        Locale.ROOT,
                        " Larger sizes were left out: past batch size %,d a sample's statistical efficiency falls"
                                + " below %.2f of its worth at batch size %,d (gradient noise scale %,.0f).",
                        bound,
                        MIN_EFFICIENCY,
                        evidence.settings().referenceBatchSize(),
                        noise.bSimple())
                : String.format(
                        Locale.ROOT,
                        " Every size that ran has a statistical efficiency of at least %.2f"
                                + " (gradient noise scale %,.0f).",
                        MIN_EFFICIENCY,
                        noise.bSimple());
        return new Choice(choice.batchSize(), choice.explanation() + bounded);
    }

    private static List<Integer> within(Evidence evidence, NoiseScale noise, List<Integer> sizes) {
        List<Integer> within = new ArrayList<>();
        for (int size : sizes) {
            if (noise.isKnown() && efficient(evidence, noise, size)) {
                within.add(size);
            }
        }
        return within;
    }

    private static boolean efficient(Evidence evidence, NoiseScale noise, int size) {
        return efficiency(evidence, noise, size) >= MIN_EFFICIENCY;
    }

    private static double efficiency(Evidence evidence, NoiseScale noise, int size) {
        SearchSettings settings = evidence.settings();
        return noise.efficiency((double) size * settings.devices(), settings.referenceBatchSize());
    }
}
