package dev.autobatch.core.internal;

import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.Dataset;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.translate.TranslateException;
import dev.autobatch.core.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Serves a {@link RandomAccessDataset} in batches of any size without copying it: each batch is
 * gathered from the dataset's own records by index (one slice for an {@code ArrayDataset}).
 *
 * <p>The rule for the end of the data: only full batches are served. A last partial batch is
 * dropped and the next batch starts again at the first record, so every step trains on exactly
 * {@code batchSize} samples, as long as the dataset holds at least one batch.
 */
public final class Rebatcher {

    private Rebatcher() {}

    /**
     * Returns the dataset as one that can be re-batched, prepared and holding at least a sample.
     *
     * @param dataset the data
     * @return the same dataset, prepared
     * @throws IllegalArgumentException if it is not a {@link RandomAccessDataset} or is empty
     * @throws IllegalStateException if it cannot be prepared
     */
    public static RandomAccessDataset prepared(Dataset dataset) {
        if (!(dataset instanceof RandomAccessDataset random)) {
            throw new IllegalArgumentException("the dataset is a "
                    + dataset.getClass().getName()
                    + ", which cannot be re-batched; give a RandomAccessDataset such as"
                    + " ArrayDataset");
        }
        try {
            random.prepare();
        } catch (IOException | TranslateException e) {
            throw new IllegalStateException("could not prepare the dataset: " + e.getMessage(), e);
        }
        if (random.size() < 1) {
            throw new IllegalArgumentException("the dataset is empty; give at least one sample");
        }
        return random;
    }

    /**
     * Checks that a batch size is at least 1 and the dataset holds at least one batch of it.
     *
     * @param dataset the data
     * @param batchSize the batch size
     * @throws IllegalArgumentException naming both sizes otherwise
     */
    public static void requireOneBatch(RandomAccessDataset dataset, int batchSize) {
        Checks.atLeastOne(batchSize, "batch size", "");
        if (dataset.size() < batchSize) {
            throw new IllegalArgumentException("the dataset holds "
                    + dataset.size()
                    + " samples, fewer than one batch of "
                    + batchSize
                    + "; lower the batch size or give more data");
        }
    }

    /**
     * Returns an endless iterator of full batches. Each batch owns a sub-manager of {@code
     * manager}; close the batch to free it.
     *
     * @param dataset the data, holding at least {@code batchSize} records
     * @param manager the manager under which batches are created
     * @param batchSize the number of records a batch, at least 1
     * @return the batches, in dataset order, starting over after the last full batch
     * @throws IllegalArgumentException if the dataset holds fewer than {@code batchSize} records
     */
    public static Iterator<Batch> fullBatches(RandomAccessDataset dataset, NDManager manager, int batchSize) {
        requireOneBatch(dataset, batchSize);
        return new Iterator<>() {
            private Iterator<Batch> pass = newPass();

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                if (!pass.hasNext()) {
                    pass = newPass();
                    if (!pass.hasNext()) {
                        throw new NoSuchElementException("the dataset yielded no full batch");
                    }
                }
                return pass.next();
            }

            private Iterator<Batch> newPass() {
                BatchSampler sampler = new BatchSampler(new SequenceSampler(), batchSize, true);
                try {
                    return dataset.getData(manager, sampler).iterator();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not read the dataset", e);
                } catch (TranslateException e) {
                    throw new IllegalStateException("could not read the dataset: " + e.getMessage(), e);
                }
            }
        };
    }
}
