package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

class RebatcherTest {

    /** Ten records whose single feature is their index. */
    private static ArrayDataset indexed(NDManager manager) {
        float[] x = new float[10];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return new ArrayDataset.Builder()
                .setData(manager.create(x, new Shape(10, 1)))
                .optLabels(manager.create(x, new Shape(10)))
                .setSampling(3, false) // the dataset's own batch size is ignored
                .build();
    }

    @Test
    void yieldsBatchesOfTheRequestedSize() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset data = indexed(manager);
            for (int size : new int[] {1, 4, 7, 10}) {
                Iterator<Batch> batches = Rebatcher.fullBatches(data, manager, size);
                for (int i = 0; i < 5; i++) {
                    try (Batch batch = batches.next()) {
                        assertEquals(size, batch.getSize());
                        assertEquals(new Shape(size, 1), batch.getData().head().getShape());
                        assertEquals(size, batch.getLabels().head().getShape().get(0));
                    }
                }
            }
        }
    }

    @Test
    void dropsTheLastPartialBatchAndStartsOverAtTheFirstRecord() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Iterator<Batch> batches = Rebatcher.fullBatches(indexed(manager), manager, 4);
            assertArrayEquals(new float[] {0, 1, 2, 3}, next(batches));
            assertArrayEquals(new float[] {4, 5, 6, 7}, next(batches));
            // Records 8 and 9 make only half a batch: dropped, and the data starts over.
            assertArrayEquals(new float[] {0, 1, 2, 3}, next(batches));
            assertTrue(batches.hasNext(), "the batches never run out");
        }
    }

    @Test
    void refusesADatasetSmallerThanOneBatchNamingBothSizes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> Rebatcher.fullBatches(indexed(manager), manager, 11));
            assertTrue(e.getMessage().contains("10 samples, fewer than one batch of 11"), e.getMessage());
        }
    }

    private static float[] next(Iterator<Batch> batches) {
        try (Batch batch = batches.next()) {
            return batch.getData().head().toFloatArray();
        }
    }
}
