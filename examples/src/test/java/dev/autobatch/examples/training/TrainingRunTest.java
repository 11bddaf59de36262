package dev.autobatch.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.ndarray.NDManager;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.data.FashionMnistFiles;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TrainingRunTest {

    private static NDManager manager;
    private static FashionMnist data;

    @BeforeAll
    static void load() {
        FashionMnistFiles.assumeInstalled();
        manager = NDManager.newBaseManager();
        data = FashionMnist.load(FashionMnist.DEFAULT_DIRECTORY, manager, FashionMnist.Layout.FLAT, 3000);
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    private static TrainingOutcome train(int seed, TrainingRun.Builder builder) {
        try (Model model = ModelKind.MLP.newModel("test", seed)) {
            return builder.setModel(model, ModelKind.MLP.inputShape())
                    .setTrainingSet(data.train())
                    .setValidationSet(data.validation())
                    .optShuffleSeed(seed)
                    .build()
                    .run();
        }
    }

    @Test
    void learnsWellAboveChanceAndReportsEveryEpoch() {
        List<String> lines = new ArrayList<>();
        TrainingOutcome outcome = train(
                1,
                TrainingRun.builder()
                        .setBatchSize(64)
                        .setLearningRate(0.02f)
                        .optEpochs(3)
                        .optProgress(lines::add)
                        // Only the epoch lines: on a loaded machine an epoch outlasts the 5 s between progress lines.
                        .optProgressInterval(Duration.ofDays(1)));
        assertEquals(3, outcome.epochLosses().size());
        assertEquals(3, outcome.evaluations().size());
        assertEquals(3 * 3000, outcome.samplesTrained(), "the last, partial batch of an epoch is trained too");
        assertTrue(outcome.finalAccuracy() > 0.6, "ten classes: chance is 0.1, got " + outcome.finalAccuracy());
        assertTrue(
                outcome.epochLosses().get(2) < outcome.epochLosses().get(0),
                outcome.epochLosses().toString());
        assertEquals(3, lines.stream().filter(l -> l.startsWith("epoch ")).count(), lines.toString());
        assertTrue(lines.get(0).contains("validation accuracy"), lines.get(0));
        assertFalse(outcome.diverged());
    }

    @Test
    void theSameSeedTrainsTheSameModel() {
        TrainingOutcome a = train(
                7,
                TrainingRun.builder().setBatchSize(100).setLearningRate(0.03f).optEpochs(1));
        TrainingOutcome b = train(
                7,
                TrainingRun.builder().setBatchSize(100).setLearningRate(0.03f).optEpochs(1));
        assertEquals(a.epochLosses(), b.epochLosses());
        assertEquals(a.finalAccuracy(), b.finalAccuracy());
    }

    @Test
    void stopsWhenTheTimeBudgetIsSpentAndTimesTheTarget() {
        List<String> lines = new ArrayList<>();
        TrainingOutcome outcome = train(
                3,
                TrainingRun.builder()
                        .setBatchSize(32)
                        .setLearningRate(0.01f)
                        .optEpochs(0)
                        // Generous for a loaded 2-core machine: the budget is what stops it.
                        .optTimeBudget(Duration.ofMillis(1500))
                        .optEvaluationInterval(Duration.ofMillis(250))
                        .optTargetAccuracy(0.25)
                        .optEpochLines(false)
                        .optProgress(lines::add)
                        .optProgressInterval(Duration.ofMillis(300)));
        assertTrue(outcome.trainingSeconds() >= 1.5 && outcome.trainingSeconds() < 30, "" + outcome.trainingSeconds());
        assertTrue(outcome.evaluations().size() >= 3, outcome.evaluations().toString());
        assertTrue(outcome.secondsToTarget().isPresent(), outcome.evaluations().toString());
        assertTrue(outcome.secondsToTarget().getAsDouble() <= outcome.trainingSeconds());
        assertTrue(lines.stream().noneMatch(l -> l.contains("training loss")), lines.toString());
        assertTrue(
                lines.stream().anyMatch(l -> l.contains("samples/s, last validation accuracy 0.")), lines.toString());
    }

    @Test
    void aWarmUpRampsTheRateUpFromItsStart() {
        // 1e6 diverges at once (see below); ramped from 0.01 over 10^8 epochs of 6 steps, the 12
        // steps of two epochs reach only 0.01 + 1e6 * 12 / 6e8 = 0.03.
        TrainingOutcome outcome = train(
                5,
                TrainingRun.builder()
                        .setBatchSize(500)
                        .setLearningRate(1e6f)
                        .optWarmUp(100_000_000, 0.01f)
                        .optEpochs(2));
        assertFalse(outcome.diverged());
        assertEquals(2, outcome.epochLosses().size());
        IllegalArgumentException start = assertThrows(
                IllegalArgumentException.class, () -> TrainingRun.builder().optWarmUp(2, 0f));
        assertTrue(start.getMessage().contains("got 0.0"), start.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrainingRun.builder().optWarmUp(-1, 0.01f));
    }

    @Test
    void theAdviceIsAutoBatchsLinearRuleCappedAt32() {
        assertEquals(0.01, TrainingRun.learningRateAdvice(32).learningRate(), 1e-12);
        assertEquals(0.08, TrainingRun.learningRateAdvice(256).learningRate(), 1e-12);
        assertEquals(0.32, TrainingRun.learningRateAdvice(6144).learningRate(), 1e-12);
        assertEquals("DJL's MNIST example", TrainingRun.learningRateAdvice(64).referenceSource());
    }

    @Test
    void aRateFarTooHighIsReportedAsDiverged() {
        TrainingOutcome outcome = train(
                5, TrainingRun.builder().setBatchSize(500).setLearningRate(1e6f).optEpochs(2));
        assertTrue(outcome.diverged(), "loss " + outcome.epochLosses());
    }

    @Test
    void refusesAnUnboundedRun() {
        try (Model model = ModelKind.MLP.newModel("unused", 1)) {
            TrainingRun.Builder builder = TrainingRun.builder()
                    .setBatchSize(32)
                    .setLearningRate(0.01f)
                    .optEpochs(0)
                    .setTrainingSet(data.train())
                    .setValidationSet(data.validation())
                    .setModel(model, ModelKind.MLP.inputShape());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
            assertTrue(e.getMessage().contains("optTimeBudget"), e.getMessage());
        }
    }
}
