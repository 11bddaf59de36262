package dev.autobatch.examples.training;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.BatchSampler;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The epochs and steps of one {@link TrainingRun}, as its builder set them: trains, keeps the
 * training clock, prints progress and has {@link Validation} measure held-out accuracy.
 */
final class TrainingLoop {

    private final TrainingRun.Builder b;
    private final Validation validation;

    TrainingLoop(TrainingRun.Builder builder) {
        this.b = builder;
        this.validation = new Validation(builder.validationSet, builder.batchSize);
    }

    /**
     * Trains the model.
     *
     * @return what the run did and reached
     */
    TrainingOutcome run() {
        TrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                // The model's device only, not every GPU there is (see Devices).
                .optDevices(new Device[] {b.model.getNDManager().getDevice()})
                .optOptimizer(Optimizer.sgd()
                        .setLearningRateTracker(tracker(b.trainingSet.size()))
                        .build());
        long trainSize = b.trainingSet.size();
        long budgetNanos = b.timeBudget == null ? Long.MAX_VALUE : b.timeBudget.toNanos();
        long evaluationNanos = b.evaluationInterval == null ? Long.MAX_VALUE : b.evaluationInterval.toNanos();
        long progressNanos = b.progressInterval.toNanos();
        List<Double> epochLosses = new ArrayList<>();
        List<Evaluation> evaluations = new ArrayList<>();
        SeededShuffle shuffle = new SeededShuffle(b.shuffleSeed);
        long trainingNanos = 0;
        long samples = 0;
        long nextEvaluation = evaluationNanos;
        long lastProgressWall = System.nanoTime();
        boolean diverged = false;

        try (Trainer trainer = b.model.newTrainer(config)) {
            trainer.initialize(b.inputShape);
            int epoch = 0;
            boolean timeUp = false;
            while (!timeUp && !diverged && (b.epochs == 0 || epoch < b.epochs)) {
                epoch++;
                double lossSum = 0;
                long epochSamples = 0;
                BatchSampler sampler = new BatchSampler(shuffle, b.batchSize, false);
                try (NDManager epochManager = trainer.getManager().newSubManager()) {
                    Iterator<Batch> batches = Validation.batches(b.trainingSet, epochManager, sampler);
                    while (true) {
                        long start = System.nanoTime();
                        if (!batches.hasNext()) {
                            break;
                        }
                        int size;
                        float loss;
                        // The batch owns a sub-manager of its own: closing it frees the step's arrays.
                        try (Batch batch = batches.next()) {
                            size = batch.getSize();
                            loss = step(trainer, batch);
                        }
                        long end = System.nanoTime();
                        trainingNanos += end - start;
                        samples += size;
                        epochSamples += size;
                        lossSum += (double) loss * size;
                        if (!Float.isFinite(loss)) {
                            diverged = true;
                            b.progress.accept(String.format(
                                    Locale.ROOT,
                                    "the loss became %s in epoch %d at learning rate %s;"
                                            + " stopping this run (lower the learning rate)",
                                    loss,
                                    epoch,
                                    b.learningRate));
                            break;
                        }
                        if (trainingNanos >= budgetNanos) {
                            timeUp = true;
                            break;
                        }
                        if (end - lastProgressWall >= progressNanos) {
                            lastProgressWall = end;
                            b.progress.accept(String.format(
                                    Locale.ROOT,
                                    "epoch %d, %,d/%,d samples, loss %.4f, %,.0f samples/s%s",
                                    epoch,
                                    epochSamples,
                                    trainSize,
                                    lossSum / epochSamples,
                                    samples / (trainingNanos / 1e9),
                                    evaluations.isEmpty()
                                            ? ""
                                            : String.format(
                                                    Locale.ROOT,
                                                    ", last validation accuracy %.4f",
                                                    evaluations
                                                            .get(evaluations.size() - 1)
                                                            .accuracy())));
                        }
                        if (trainingNanos >= nextEvaluation) {
                            while (nextEvaluation <= trainingNanos) {
                                nextEvaluation += evaluationNanos;
                            }
                            evaluations.add(validation.evaluate(
                                    trainer, trainingNanos, samples, epoch - 1 + (double) epochSamples / trainSize));
                        }
                    }
                }
                boolean complete = epochSamples == trainSize;
                if (complete) {
                    epochLosses.add(lossSum / epochSamples);
                }
                Evaluation atEnd = validation.evaluate(
                        trainer, trainingNanos, samples, epoch - 1 + (double) epochSamples / trainSize);
                evaluations.add(atEnd);
                if (complete && !diverged && b.epochLines) {
                    b.progress.accept(String.format(
                            Locale.ROOT,
                            "epoch %d%s: training loss %.4f, validation accuracy %.4f (%,.1f s, %,.0f samples/s)",
                            epoch,
                            b.epochs == 0 ? "" : "/" + b.epochs,
                            lossSum / epochSamples,
                            atEnd.accuracy(),
                            trainingNanos / 1e9,
                            samples / (trainingNanos / 1e9)));
                }
            }
        }
        return new TrainingOutcome(
                b.batchSize,
                b.learningRate,
                samples,
                trainingNanos / 1e9,
                epochLosses,
                evaluations,
                b.targetAccuracy,
                diverged);
    }

    /** The rate, fixed, after a linear ramp from the warm-up's start over its epochs if any. */
    private Tracker tracker(long trainSize) {
        Tracker fixed = Tracker.fixed(b.learningRate);
        if (b.warmUpEpochs == 0) {
            return fixed;
        }
        // The last, partial batch of an epoch is a step too.
        long stepsPerEpoch = (trainSize + b.batchSize - 1) / b.batchSize;
        return WarmUpTracker.builder()
                .setMainTracker(fixed)
                .optWarmUpSteps((int) Math.min(Integer.MAX_VALUE, stepsPerEpoch * b.warmUpEpochs))
                .optWarmUpBeginValue(b.warmUpStartRate)
                .build();
    }

    private static float step(Trainer trainer, Batch batch) {
        NDArray loss;
        try (GradientCollector collector = trainer.newGradientCollector()) {
            NDList predictions = trainer.forward(batch.getData(), batch.getLabels());
            loss = trainer.getLoss().evaluate(batch.getLabels(), predictions);
            collector.backward(loss);
        }
        trainer.step();
        return loss.toType(DataType.FLOAT32, false).getFloat();
    }
}
