package dev.autobatch.core;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.listener.TrainingListener.BatchData;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;

/**
 * Gradient accumulation for a DJL training loop: one optimizer step over several micro-batches,
 * so a batch larger than what fits in memory trains as if it were one batch.
 *
 * <p>Each micro-batch's loss is divided by the number of micro-batches before its backward pass.
 * DJL's gradient collectors add to the gradients already there (PyTorch's {@code backward}
 * accumulates; DJL's PyTorch {@code GradientCollector} does not zero them), and the optimizer
 * zeroes them when it updates. So after {@code k} micro-batches of {@code b} samples the gradients
 * are the mean over all {@code k * b} samples, and one {@link Trainer#step()} updates the
 * parameters exactly as {@code EasyTrain.trainBatch} on one batch of {@code k * b} would, within
 * float rounding. Two conditions: the loss is a mean over the batch (DJL's losses are), and no
 * layer mixes samples of a batch (batch normalisation computes its statistics per micro-batch).
 *
 * <p>In your own loop, with {@code k} micro-batches a step:
 *
 * <pre>{@code
 * int k = plan.accumulationSteps();
 * int seen = 0;
 * for (Batch batch : trainer.iterateDataset(trainingSet)) {   // micro-batches of plan.microBatchSize()
 *     GradientAccumulation.trainMicroBatch(trainer, batch, k);
 *     batch.close();
 *     if (++seen % k == 0) {
 *         trainer.step();
 *     }
 * }
 * }</pre>
 *
 * <p>or, with the micro-batches in hand, {@link #trainStep(Trainer, List)}.
 */
public final class GradientAccumulation {

    private GradientAccumulation() {}

    /**
     * Trains one micro-batch without stepping: splits it across the trainer's devices, runs the
     * forward pass and the loss, divides the loss by {@code microBatches}, runs the backward pass
     * (adding to the gradients already there), and tells the trainer's listeners of the batch as
     * {@code EasyTrain.trainBatch} does (evaluators see the loss before the division). Call {@link
     * Trainer#step()} after the last micro-batch of a step.
     *
     * @param trainer the trainer
     * @param microBatch the micro-batch; the caller closes it
     * @param microBatches how many micro-batches the step accumulates, at least 1 (1 is {@code
     *     EasyTrain.trainBatch})
     * @throws IllegalArgumentException if {@code microBatches} is below 1
     */
    public static void trainMicroBatch(Trainer trainer, Batch microBatch, int microBatches) {
        Objects.requireNonNull(trainer, "trainer");
        Objects.requireNonNull(microBatch, "microBatch");
        checkCount(microBatches);
        BatchData batchData = forwardBackward(trainer, microBatch, microBatches).batchData();
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, batchData));
    }

    /**
     * Trains one step over the given micro-batches: {@link #trainMicroBatch} on each, then one
     * {@link Trainer#step()}. The update equals that of one batch holding every micro-batch's
     * samples (see the class comment for the two conditions).
     *
     * @param trainer the trainer
     * @param microBatches the micro-batches of the step, at least one; the caller closes them
     * @throws IllegalArgumentException if the list is empty
     */
    public static void trainStep(Trainer trainer, List<Batch> microBatches) {
        Objects.requireNonNull(microBatches, "microBatches");
        if (microBatches.isEmpty()) {
            throw new IllegalArgumentException("a step needs at least one micro-batch, got none");
        }
        for (Batch batch : microBatches) {
            trainMicroBatch(trainer, batch, microBatches.size());
        }
        trainer.step();
    }

    /**
     * One micro-batch's forward and backward passes as {@code EasyTrain.trainBatch} runs them
     * (with its "backward" and "training-metrics" metrics), without the listeners: split across the trainer's devices, the splits run on the trainer's
     * executor where it has one and there are several, each loss divided by {@code microBatches}
     * before its backward pass. What {@link DjlTrialRunner} times.
     *
     * @return the labels and predictions by device, and each split's loss before the division
     */
    static Pass forwardBackward(Trainer trainer, Batch microBatch, int microBatches) {
        Batch[] splits = microBatch.split(trainer.getDevices(), false);
        BatchData batchData = new BatchData(microBatch, new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        NDArray[] losses = new NDArray[splits.length];
        try (GradientCollector collector = trainer.newGradientCollector()) {
            Optional<ExecutorService> executor = trainer.getExecutorService();
            if (splits.length > 1 && executor.isPresent()) {
                CompletableFuture<?>[] futures = new CompletableFuture<?>[splits.length];
                for (int i = 0; i < splits.length; i++) {
                    int split = i;
                    futures[i] = CompletableFuture.runAsync(
                            () -> losses[split] = pass(trainer, collector, splits[split], batchData, microBatches),
                            executor.get());
                }
                CompletableFuture.allOf(futures).join();
            } else {
                for (int i = 0; i < splits.length; i++) {
                    losses[i] = pass(trainer, collector, splits[i], batchData, microBatches);
                }
            }
        }
        return new Pass(batchData, losses);
    }

    private static NDArray pass(
            Trainer trainer, GradientCollector collector, Batch split, BatchData batchData, int microBatches) {
        NDList labels = split.getLabels();
        NDList predictions = trainer.forward(split.getData(), labels);
        long time = System.nanoTime();
        NDArray loss = trainer.getLoss().evaluate(labels, predictions);
        // Dividing the loss, not the gradients: the backward pass then yields the share of this
        // micro-batch in the mean gradient of the whole step, with no extra pass over the gradients.
        collector.backward(microBatches == 1 ? loss : loss.div(microBatches));
        trainer.addMetric("backward", time);
        time = System.nanoTime();
        batchData.getLabels().put(labels.get(0).getDevice(), labels);
        batchData.getPredictions().put(predictions.get(0).getDevice(), predictions);
        trainer.addMetric("training-metrics", time);
        return loss;
    }

    private static void checkCount(int microBatches) {
        if (microBatches < 1) {
            throw new IllegalArgumentException(
                    "a step accumulates at least 1 micro-batch, got " + microBatches + "; 1 means no accumulation");
        }
    }

    /**
     * One micro-batch's passes.
     *
     * @param batchData the labels and predictions by device, as listeners and evaluators see them
     * @param losses each split's loss, before the division
     */
    record Pass(BatchData batchData, NDArray[] losses) {}
}
