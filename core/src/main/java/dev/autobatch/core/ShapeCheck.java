package dev.autobatch.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.RandomAccessDataset;
import ai.djl.training.loss.L1Loss;
import ai.djl.training.loss.L2Loss;
import ai.djl.training.loss.Loss;
import ai.djl.training.loss.SoftmaxCrossEntropyLoss;
import dev.autobatch.core.internal.Rebatcher;
import java.util.Arrays;
import java.util.Iterator;
import java.util.stream.Collectors;

/**
 * Checks, before any trial, that the model takes the data and the loss takes the labels: one
 * forward pass in inference mode (no batch-norm statistic moves) on the first sample, and for
 * DJL's softmax cross-entropy, L1 and L2 losses the labels' shape against the predictions'. A
 * mismatch is an {@link IllegalArgumentException} naming both shapes, where the engine would
 * otherwise fail every trial with its own message (or train on labels of the wrong shape).
 */
final class ShapeCheck {

    private ShapeCheck() {}

    /**
     * Runs the check.
     *
     * @param trainer the initialised trainer
     * @param dataset the data
     * @param initialisedFor the input shapes the block had been initialised for before, or
     *     {@code null} if the trainer initialised it
     * @throws IllegalArgumentException if the model cannot take the samples or the loss the labels
     */
    static void check(Trainer trainer, RandomAccessDataset dataset, Shape[] initialisedFor) {
        Iterator<Batch> batches = Rebatcher.fullBatches(dataset, trainer.getManager(), 1);
        try (Batch batch = batches.next()) {
            NDList data = batch.getData();
            NDList predictions;
            try {
                predictions = trainer.evaluate(data);
            } catch (RuntimeException e) {
                String model = initialisedFor == null ? "" : " (it was initialised for " + shapes(initialisedFor) + ")";
                throw new IllegalArgumentException(
                        "the model fails on the data's first sample, of shape " + shapes(withoutBatch(data))
                                + model + ": " + firstLine(e)
                                + "; check that the data have the shape the model's first layer expects",
                        e);
            }
            checkLabels(trainer.getLoss(), batch.getLabels(), predictions);
        }
    }

    private static void checkLabels(Loss loss, NDList labels, NDList predictions) {
        if (labels.size() != 1 || predictions.size() != 1) {
            return;
        }
        NDArray label = labels.head();
        NDArray prediction = predictions.head();
        long batch = prediction.getShape().get(0);
        long perSampleLabel = label.size() / Math.max(1, batch);
        long perSamplePrediction = prediction.size() / Math.max(1, batch);
        boolean fits;
        String expected;
        if (loss instanceof SoftmaxCrossEntropyLoss) {
            fits = label.getShape().get(0) == batch && (perSampleLabel == 1 || perSampleLabel == perSamplePrediction);
            expected = "one class index a sample, shape " + new Shape(batch) + ", or one-hot labels of shape "
                    + prediction.getShape();
        } else if (loss instanceof L1Loss || loss instanceof L2Loss) {
            fits = label.size() == prediction.size();
            expected = "as many values as the predictions, shape " + prediction.getShape();
        } else {
            return;
        }
        if (!fits) {
            throw new IllegalArgumentException(
                    "the labels do not fit the loss " + loss.getName() + ": " + samples(batch) + " labels of shape "
                            + label.getShape() + " against predictions of shape " + prediction.getShape()
                            + "; give " + expected);
        }
    }

    private static String samples(long n) {
        return n == 1 ? "a sample's" : n + " samples'";
    }

    private static Shape[] withoutBatch(NDList data) {
        return data.stream().map(array -> array.getShape().slice(1)).toArray(Shape[]::new);
    }

    private static String shapes(Shape[] shapes) {
        return Arrays.stream(shapes).map(Shape::toString).collect(Collectors.joining(" and "));
    }

    private static String firstLine(RuntimeException e) {
        String message = e.getMessage() == null
                ? ""
                : e.getMessage().lines().findFirst().orElse("").trim();
        return e.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
