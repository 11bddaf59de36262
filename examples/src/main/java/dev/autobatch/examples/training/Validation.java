package dev.autobatch.examples.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.dataset.SequenceSampler;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;

/**
 * Held-out accuracy of a {@link TrainingRun}'s model: the share of validation samples whose
 * largest logit is the label, in batches no larger than the training's.
 */
final class Validation {

    /** The largest batch evaluated at once; never above the training size, whose memory was tuned to fit. */
    private static final int EVALUATION_BATCH = 1000;

    private final RandomAccessDataset validationSet;
    private final int trainingBatchSize;

    Validation(RandomAccessDataset validationSet, int trainingBatchSize) {
        this.validationSet = validationSet;
        this.trainingBatchSize = trainingBatchSize;
    }

    /**
     * Measures the accuracy of the trainer's model on the held-out data.
     *
     * @param trainer the trainer of the model
     * @param trainingNanos training time so far
     * @param samples samples trained so far
     * @param epochs epochs trained so far, fractional mid-epoch
     * @return the evaluation
     */
    Evaluation evaluate(Trainer trainer, long trainingNanos, long samples, double epochs) {
        long correct = 0;
        long total = 0;
        int size = (int) Math.min(Math.min(EVALUATION_BATCH, trainingBatchSize), validationSet.size());
        BatchSampler sampler = new BatchSampler(new SequenceSampler(), size, false);
        try (NDManager manager = trainer.getManager().newSubManager()) {
            Iterator<Batch> batches = batches(validationSet, manager, sampler);
            while (batches.hasNext()) {
                try (Batch batch = batches.next()) {
                    NDArray logits = trainer.evaluate(batch.getData()).singletonOrThrow();
                    NDArray predicted = logits.argMax(1).toType(DataType.FLOAT32, false);
                    NDArray labels = batch.getLabels().singletonOrThrow().toType(DataType.FLOAT32, false);
                    correct += predicted.eq(labels).countNonzero().getLong();
                    total += batch.getSize();
                }
            }
        }
        return new Evaluation(trainingNanos / 1e9, samples, epochs, (double) correct / total);
    }

    /** The data's batches in the sampler's order, read into the manager. */
    static Iterator<Batch> batches(RandomAccessDataset data, NDManager manager, BatchSampler sampler) {
        try {
            return data.getData(manager, sampler).iterator();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the dataset", e);
        } catch (TranslateException e) {
            throw new IllegalStateException("could not read the dataset: " + e.getMessage(), e);
        }
    }
}
