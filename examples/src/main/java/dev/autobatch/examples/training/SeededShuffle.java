package dev.autobatch.examples.training;

import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Sampler;
import java.util.Iterator;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * Visits a dataset in a random order drawn from its own seeded generator, a new permutation each
 * pass. Two runs built with the same seed see the same sample order whatever else draws random
 * numbers meanwhile (DJL's {@code RandomSampler} shares the engine's generator).
 */
final class SeededShuffle implements Sampler.SubSampler {

    private final Random random;

    SeededShuffle(long seed) {
        this.random = new Random(seed);
    }

    @Override
    public Iterator<Long> sample(RandomAccessDataset dataset) {
        long size = dataset.size();
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot shuffle " + size + " samples; at most 2^31 - 1");
        }
        long[] order = LongStream.range(0, size).toArray();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return LongStream.of(order).iterator();
    }
}
