package dev.autobatch.core;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.Record;
import ai.djl.training.dataset.Sampler;
import ai.djl.translate.TranslateException;
import ai.djl.util.Progress;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;

/**
 * A {@link RandomAccessDataset} served at another batch size, without copying or reloading it: a
 * DJL dataset fixes its batch size when it is built, and this applies the size a tuning chose to
 * the dataset already in memory.
 *
 * <pre>{@code
 * RandomAccessDataset tuned = RebatchedDataset.of(trainingSet, result.batchSize(), true);
 * EasyTrain.fit(trainer, epochs, tuned, validateSet);
 * }</pre>
 *
 * <p>Every record, transform and batchifier is the original's: this only changes the sampler, and
 * asks the original for its batches with it (an {@code ArrayDataset} then still slices its arrays
 * in bulk). Preparing it prepares the original.
 */
public final class RebatchedDataset extends RandomAccessDataset {

    private final RandomAccessDataset original;

    private RebatchedDataset(Builder builder, RandomAccessDataset original) {
        super(builder);
        this.original = original;
    }

    /**
     * Serves {@code dataset} in batches of {@code batchSize}, the last one partial (as DJL's
     * {@code setSampling(batchSize, shuffle)} does).
     *
     * @param dataset the dataset, not changed
     * @param batchSize the batch size, at least 1
     * @param shuffle whether each epoch visits the records in a new random order
     * @return the dataset at the new batch size
     * @throws IllegalArgumentException if the batch size is below 1
     */
    public static RebatchedDataset of(RandomAccessDataset dataset, int batchSize, boolean shuffle) {
        Objects.requireNonNull(dataset, "dataset");
        Checks.atLeastOne(batchSize, "batch size", "give the size the tuning chose, result.batchSize()");
        RandomAccessDataset original = dataset instanceof RebatchedDataset rebatched ? rebatched.original : dataset;
        return new RebatchedDataset(new Builder().setSampling(batchSize, shuffle), original);
    }

    /**
     * Returns the dataset this serves.
     *
     * @return the original dataset
     */
    public RandomAccessDataset original() {
        return original;
    }

    @Override
    public Record get(NDManager manager, long index) throws IOException {
        return original.get(manager, index);
    }

    @Override
    public Iterable<Batch> getData(NDManager manager, Sampler sampler, ExecutorService executorService)
            throws IOException, TranslateException {
        return original.getData(manager, sampler, executorService);
    }

    @Override
    protected long availableSize() {
        return original.size();
    }

    @Override
    public void prepare(Progress progress) throws IOException, TranslateException {
        original.prepare(progress);
    }

    private static final class Builder extends BaseBuilder<Builder> {

        @Override
        protected Builder self() {
            return this;
        }
    }
}
