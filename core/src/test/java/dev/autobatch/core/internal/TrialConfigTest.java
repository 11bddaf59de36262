package dev.autobatch.core.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.TrainingDivergedException;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.EasyTrain;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.evaluator.Accuracy;
import ai.djl.training.listener.EvaluatorTrainingListener;
import ai.djl.training.listener.SaveModelTrainingListener;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import dev.autobatch.core.TestModels;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trials' own listeners in place of a user's: DJL's per-batch ones run, in silence, so a trial
 * step costs what a training step costs; nothing of the user's runs, prints or is written.
 */
class TrialConfigTest {

    private static final int FEATURES = 20;
    private static final int CLASSES = 10;

    @TempDir
    Path outputDir;

    @Test
    void theTrialsHaveTheirOwnCopiesOfDjlsPerBatchListenersAndNoneOfTheUsers() {
        DefaultTrainingConfig user = trainMnistLike();
        List<TrainingListener> trials = TrialConfig.of(user).getTrainingListeners();

        // TrainMnist's seven: epoch, memory, evaluator, divergence check, logging, timing, checkpoint.
        assertEquals(7, user.getTrainingListeners().size());
        // The epoch listener works on epochs alone and the checkpoint is the user's: both left out.
        assertEquals(5, trials.size(), trials::toString);
        for (TrainingListener listener : trials) {
            assertTrue(
                    user.getTrainingListeners().stream().noneMatch(own -> own == listener),
                    () -> "a trial listener is the user's own: " + listener);
        }
        assertEquals(7, user.getTrainingListeners().size(), "the user's list is not changed");
    }

    @Test
    void aTrialTrainerDoesTheListenersPerBatchWorkWithoutPrintingOrWritingAnything() throws IOException {
        DefaultTrainingConfig user = trainMnistLike();
        String printedByTheUsersTrainer;
        try (Model model = TestModels.model("user", TestModels.mlp(16, CLASSES));
                NDManager manager = NDManager.newBaseManager()) {
            printedByTheUsersTrainer = train(model, user, TestModels.randomData(manager, 256, FEATURES, CLASSES));
        }
        // The capture sees what the user's own listeners print: the logging listener's progress bar.
        assertTrue(printedByTheUsersTrainer.contains("Training:"), printedByTheUsersTrainer);
        clear(outputDir);

        Metrics metrics = new Metrics();
        String printedInTrials;
        try (Model model = TestModels.model("trials", TestModels.mlp(16, CLASSES));
                NDManager manager = NDManager.newBaseManager()) {
            TrainingConfig trials = TrialConfig.of(user);
            printedInTrials = train(model, trials, TestModels.randomData(manager, 256, FEATURES, CLASSES), metrics);
        }
        assertEquals("", printedInTrials);
        // The timing listener's per-batch metric and the evaluator listener's.
        assertTrue(metrics.hasMetric("train"), "the timing listener ran");
        String accuracy = EvaluatorTrainingListener.metricName(new Accuracy(), EvaluatorTrainingListener.TRAIN_ALL);
        assertTrue(metrics.hasMetric(accuracy), "the evaluator listener ran");
        try (Stream<Path> written = Files.list(outputDir)) {
            assertEquals(List.of(), written.toList(), "no listener wrote to the user's output directory");
        }
    }

    @Test
    void aTrialWhoseLossBecameNanIsNotStoppedButTheUsersTrainingStillIs() {
        DefaultTrainingConfig user = trainMnistLike();
        try (Model model = TestModels.model("nan", TestModels.mlp(16, CLASSES));
                NDManager manager = NDManager.newBaseManager()) {
            ArrayDataset nan = new ArrayDataset.Builder()
                    .setData(manager.full(new Shape(64, FEATURES), Float.NaN))
                    .optLabels(manager.zeros(new Shape(64)))
                    .setSampling(32, false)
                    .build();
            try (Trainer trials = model.newTrainer(TrialConfig.of(user))) {
                trials.initialize(new Shape(1, FEATURES));
                assertDoesNotThrow(() -> oneBatch(trials, nan));
            }
            try (Trainer own = model.newTrainer(user)) {
                own.initialize(new Shape(1, FEATURES));
                assertThrows(TrainingDivergedException.class, () -> oneBatch(own, nan));
            }
        }
    }

    /** TrainMnist's configuration (its listeners verbatim, a checkpoint into the test's directory). */
    private DefaultTrainingConfig trainMnistLike() {
        return new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                .addEvaluator(new Accuracy())
                .addTrainingListeners(TrainingListener.Defaults.logging(outputDir.toString()))
                .addTrainingListeners(new SaveModelTrainingListener(outputDir.toString()));
    }

    private static String train(Model model, TrainingConfig config, ArrayDataset data) {
        return train(model, config, data, new Metrics());
    }

    /** Trains one epoch with DJL's own loop and returns what was printed meanwhile. */
    private static String train(Model model, TrainingConfig config, ArrayDataset data, Metrics metrics) {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try (Trainer trainer = model.newTrainer(config)) {
            trainer.setMetrics(metrics);
            trainer.initialize(new Shape(1, FEATURES));
            for (Batch batch : trainer.iterateDataset(data)) {
                EasyTrain.trainBatch(trainer, batch);
                trainer.step();
                batch.close();
            }
        } catch (IOException | ai.djl.translate.TranslateException e) {
            throw new IllegalStateException(e);
        } finally {
            System.setOut(out);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static void oneBatch(Trainer trainer, ArrayDataset data) throws Exception {
        try (Batch batch = trainer.iterateDataset(data).iterator().next()) {
            EasyTrain.trainBatch(trainer, batch);
        }
    }

    private static void clear(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!file.equals(dir)) {
                    Files.delete(file);
                }
            }
        }
        assertFalse(Files.list(dir).findAny().isPresent());
    }
}
