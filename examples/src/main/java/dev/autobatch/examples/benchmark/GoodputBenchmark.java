package dev.autobatch.examples.benchmark;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import ai.djl.translate.TranslateException;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.advice.AccumulationPlan;
import dev.autobatch.autotune.advice.LearningRateAdvice;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.core.GradientAccumulation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Time to a target validation accuracy at the batch size each goal chooses ({@link Goal#BALANCED},
 * the default, {@link Goal#GOODPUT}, {@link Goal#THROUGHPUT} and {@link Goal#MAX_FIT}), on
 * Fashion-MNIST with the 784-128-10 MLP, on this machine.
 *
 * <p>For each goal: {@code AutoBatch.tune} (no cache) chooses the batch size and advises the
 * learning rate (SGD, linear scaling from 0.01 at batch 32, with its warm-up); then a model
 * initialised from the same seed trains at that size and rate, the training set reshuffled every
 * epoch, until the accuracy on the 10,000 test images reaches the target, or a limit of epochs or
 * seconds. Accuracy is checked four times an epoch (every step where an epoch has fewer than four)
 * with the clock stopped: the time is training time only ({@code > t}: not reached in {@code t}
 * seconds of training). Tuning time is shown beside it.
 *
 * <p>{@code --also-rates 0.1,0.5} also trains the other goals' choices at those fixed rates
 * without warm-up, so a poor scaled rate is not what decides the comparison.
 *
 * <p>Run: {@code java -cp ... dev.autobatch.examples.benchmark.GoodputBenchmark [--seed 1]
 * [--target 0.85] [--max-epochs 40] [--max-seconds 300] [--goals BALANCED,GOODPUT,THROUGHPUT,MAX_FIT]
 * [--also-rates r1,r2]}
 */
public final class GoodputBenchmark {

    private GoodputBenchmark() {}

    /**
     * Tunes, trains and prints a table.
     *
     * @param args options, see the class comment
     * @throws IOException if DJL cannot read a batch of the data
     * @throws TranslateException if DJL cannot batch the data
     */
    public static void main(String[] args) throws IOException, TranslateException {
        long seed = 1;
        double target = 0.85;
        int maxEpochs = 40;
        double maxSeconds = 300;
        List<Goal> goals = new ArrayList<>(List.of(Goal.BALANCED, Goal.GOODPUT, Goal.THROUGHPUT, Goal.MAX_FIT));
        List<Double> alsoRates = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--target" -> target = Double.parseDouble(args[++i]);
                case "--max-epochs" -> maxEpochs = Integer.parseInt(args[++i]);
                case "--max-seconds" -> maxSeconds = Double.parseDouble(args[++i]);
                case "--also-rates" -> {
                    for (String rate : args[++i].split(",")) {
                        alsoRates.add(Double.parseDouble(rate.trim()));
                    }
                }
                case "--goals" -> {
                    goals.clear();
                    for (String goal : args[++i].split(",")) {
                        goals.add(Goal.valueOf(goal.trim()));
                    }
                }
                default ->
                    throw new IllegalArgumentException(
                            "unknown argument " + args[i] + "; see the class comment of GoodputBenchmark");
            }
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            BenchmarkData.Splits splits = BenchmarkData.load(manager, seed);
            BenchmarkData.Split train = splits.train();
            BenchmarkData.Split validation = splits.validation();
            System.out.printf(
                    Locale.ROOT,
                    "Fashion-MNIST, 784-128-10 MLP, SGD; target %.1f%% test accuracy; seed %d; %d CPUs%n",
                    100 * target,
                    seed,
                    Runtime.getRuntime().availableProcessors());
            List<String> rows = new ArrayList<>();
            for (Goal goal : goals) {
                Engine.getInstance().setRandomSeed((int) seed);
                TuningResult result;
                try (Model model = BenchmarkData.mlp("mlp-784-128-10")) {
                    result = AutoBatch.tune(
                            model,
                            train.dataset(32, false),
                            TuneOptions.builder().optGoal(goal).optCache(false).build());
                }
                System.out.printf(
                        Locale.ROOT,
                        "%s: batch size %d; %s; %s%n",
                        goal,
                        result.batchSize(),
                        result.noiseScale().describe(),
                        result.learningRate().describe());
                List<LearningRateAdvice> rates = new ArrayList<>(List.of(result.learningRate()));
                if (goal != Goal.GOODPUT && goal != Goal.BALANCED) {
                    for (double rate : alsoRates) {
                        rates.add(new LearningRateAdvice(
                                LearningRateAdvice.Rule.UNCHANGED,
                                "Sgd",
                                32,
                                rate,
                                "given",
                                result.accumulation().globalBatchSize(),
                                rate,
                                0));
                    }
                }
                for (LearningRateAdvice advice : rates) {
                    Engine.getInstance().setRandomSeed((int) seed);
                    Outcome outcome =
                            train(train, validation, result.accumulation(), advice, target, maxEpochs, maxSeconds);
                    String label = advice == result.learningRate() ? goal.name() : goal + " (fixed lr)";
                    rows.add(String.format(
                            Locale.ROOT,
                            "%-21s %7d %8.4f %6d %8.1f %14s %7d %7.2f %9.2f%%",
                            label,
                            result.batchSize(),
                            advice.learningRate(),
                            advice.warmupEpochs(),
                            result.elapsed().toMillis() / 1000.0,
                            String.format(Locale.ROOT, outcome.reached() ? "%.1f" : "> %.1f", outcome.seconds()),
                            outcome.steps(),
                            outcome.epochs(),
                            100 * outcome.bestAccuracy()));
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%n%-21s %7s %8s %6s %8s %14s %7s %7s %10s%n",
                    "goal",
                    "batch",
                    "lr",
                    "warmup",
                    "tune s",
                    "s to target",
                    "steps",
                    "epochs",
                    "best acc");
            rows.forEach(System.out::println);
        }
    }

    /**
     * Trains a fresh MLP by the plan and the advice until the target accuracy or a limit.
     *
     * @return the time to the target, or the limits' outcome
     */
    private static Outcome train(
            BenchmarkData.Split train,
            BenchmarkData.Split validation,
            AccumulationPlan plan,
            LearningRateAdvice advice,
            double target,
            int maxEpochs,
            double maxSeconds)
            throws IOException, TranslateException {
        int micro = plan.microBatchSize();
        int k = plan.accumulationSteps();
        int stepsPerEpoch = Math.max(1, (train.size() + micro * k - 1) / (micro * k));
        Tracker rate = Tracker.fixed((float) advice.learningRate());
        if (advice.warmupEpochs() > 0) {
            rate = WarmUpTracker.builder()
                    .setMainTracker(rate)
                    .optWarmUpSteps(advice.warmupEpochs() * stepsPerEpoch)
                    .optWarmUpBeginValue((float) advice.referenceLearningRate())
                    .build();
        }
        DefaultTrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .optOptimizer(Optimizer.sgd().setLearningRateTracker(rate).build());
        int evaluateEvery = Math.max(1, stepsPerEpoch / 4);
        try (Model model = BenchmarkData.mlp("train");
                Trainer trainer = model.newTrainer(config)) {
            trainer.initialize(new Shape(1, 784));
            long trainingNanos = 0;
            int steps = 0;
            double best = 0;
            for (int epoch = 1; epoch <= maxEpochs; epoch++) {
                int micros = 0;
                long started = System.nanoTime();
                for (Batch batch : trainer.iterateDataset(train.dataset(micro, true))) {
                    GradientAccumulation.trainMicroBatch(trainer, batch, k);
                    batch.close();
                    if (++micros % k != 0) {
                        continue;
                    }
                    trainer.step();
                    steps++;
                    if (steps % evaluateEvery == 0) {
                        trainingNanos += System.nanoTime() - started;
                        double accuracy = accuracy(trainer, validation);
                        best = Math.max(best, accuracy);
                        double seconds = trainingNanos / 1e9;
                        if (accuracy >= target) {
                            return new Outcome(true, seconds, steps, (double) steps / stepsPerEpoch, best);
                        }
                        if (seconds > maxSeconds) {
                            return new Outcome(false, seconds, steps, (double) steps / stepsPerEpoch, best);
                        }
                        started = System.nanoTime();
                    }
                }
                trainingNanos += System.nanoTime() - started;
            }
            return new Outcome(false, trainingNanos / 1e9, steps, (double) steps / stepsPerEpoch, best);
        }
    }

    /** The share of the validation set the model classifies right. */
    private static double accuracy(Trainer trainer, BenchmarkData.Split validation) {
        int n = validation.size();
        long correct = 0;
        int chunk = 2000;
        for (int from = 0; from < n; from += chunk) {
            int to = Math.min(n, from + chunk);
            try (NDManager scope = trainer.getManager().newSubManager()) {
                NDArray x = validation.images().get(new NDIndex("{}:{}", from, to));
                NDArray y = validation.labels().get(new NDIndex("{}:{}", from, to));
                x.attach(scope);
                y.attach(scope);
                NDArray predictions = trainer.evaluate(new NDList(x)).singletonOrThrow();
                predictions.attach(scope);
                correct += predictions
                        .argMax(1)
                        .toType(y.getDataType(), false)
                        .eq(y)
                        .countNonzero()
                        .getLong();
            }
        }
        return (double) correct / n;
    }

    /**
     * How a training run ended.
     *
     * @param reached whether the target accuracy was reached
     * @param seconds training seconds until then, evaluation excluded
     * @param steps optimizer steps until then
     * @param epochs passes over the training set until then
     * @param bestAccuracy the best validation accuracy seen
     */
    private record Outcome(boolean reached, double seconds, int steps, double epochs, double bestAccuracy) {}
}
