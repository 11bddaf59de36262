package dev.autobatch.autotune.advice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.training.tracker.WarmUpTracker;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.advice.LearningRateAdvice.Rule;
import dev.autobatch.autotune.internal.OptimizerLearningRate;
import org.junit.jupiter.api.Test;

class LearningRateAdviceTest {

    @Test
    void sgdScalesLinearlyWithOneWarmUpEpochPerDoublingUpToFive() {
        LearningRateAdvice advice = LearningRateAdvice.advise(
                Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.01f)).build(), 32, 0.01, 512);

        assertEquals(Rule.LINEAR, advice.rule());
        assertEquals("Sgd", advice.optimizer());
        assertEquals(0.16, advice.learningRate(), 1e-12);
        assertEquals(4, advice.warmupEpochs());
        assertEquals(
                5,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.1, "given", 8192)
                        .warmupEpochs());
        assertEquals(
                1,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.1, "given", 64)
                        .warmupEpochs());
        assertEquals(
                2,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.1, "given", 96)
                        .warmupEpochs());
        assertEquals(
                "learning rate 0.1600 at batch size 512 (linear scaling for Sgd from 0.01000 at 32, given),"
                        + " warmed up linearly over the first 4 epochs",
                advice.describe());
    }

    @Test
    void nesterovScalesLinearlyAndTheAdamFamilyByTheSquareRoot() {
        assertEquals(
                Rule.LINEAR,
                LearningRateAdvice.ruleFor(Optimizer.nag()
                        .setLearningRateTracker(Tracker.fixed(0.1f))
                        .setMomentum(0.9f)
                        .build()));
        assertEquals(
                Rule.SQUARE_ROOT, LearningRateAdvice.ruleFor(Optimizer.adam().build()));
        assertEquals(
                Rule.SQUARE_ROOT, LearningRateAdvice.ruleFor(Optimizer.adamW().build()));
        assertEquals(
                Rule.SQUARE_ROOT, LearningRateAdvice.ruleFor(Optimizer.rmsprop().build()));
        assertEquals(
                Rule.UNCHANGED, LearningRateAdvice.ruleFor(Optimizer.adagrad().build()));
        assertEquals(Rule.UNCHANGED, LearningRateAdvice.ruleFor(null));

        LearningRateAdvice adam = LearningRateAdvice.advise(Optimizer.adam().build(), 32, 0.001, 512);
        assertEquals(0.004, adam.learningRate(), 1e-12);
        assertEquals(2, adam.warmupEpochs(), "the rate rises 4-fold: two doublings");
    }

    @Test
    void capsTheFactorAt32AndWarmsUpFromTheCappedFactor() {
        assertEquals(
                0.32,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 1024)
                        .learningRate(),
                1e-12);
        for (int batchSize : new int[] {4096, 1 << 20}) {
            LearningRateAdvice capped = LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", batchSize);
            assertEquals(0.32, capped.learningRate(), 1e-12);
            assertEquals(5, capped.warmupEpochs(), "32-fold: five doublings");
            assertTrue(capped.isCapped());
            assertTrue(capped.describe().contains("given; factor capped at 32x)"), capped.describe());
        }
        LearningRateAdvice notCapped = LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 256);
        assertEquals(0.08, notCapped.learningRate(), 1e-12);
        assertFalse(notCapped.isCapped());

        // sqrt(2^20 / 32) = 181: capped at 32 too.
        LearningRateAdvice adam = LearningRateAdvice.advise(Rule.SQUARE_ROOT, "Adam", 32, 0.001, "given", 1 << 20);
        assertEquals(0.032, adam.learningRate(), 1e-12);
        assertEquals(5, adam.warmupEpochs());
        assertTrue(adam.isCapped());
        assertFalse(LearningRateAdvice.advise(Rule.UNCHANGED, "Adagrad", 32, 0.05, "given", 1 << 20)
                .isCapped());
    }

    @Test
    void keepsTheReferenceRateAtTheReferenceBatchAndScalesDownLinearly() {
        assertEquals(
                0.01,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 32)
                        .learningRate(),
                1e-12);
        assertEquals(
                0.005,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 16)
                        .learningRate(),
                1e-12);
        assertEquals(
                0.01 / 32,
                LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 1)
                        .learningRate(),
                1e-15);
    }

    @Test
    void aSmallerBatchLowersTheRateWithoutWarmUpAndAnUnknownOptimizerKeepsIt() {
        LearningRateAdvice smaller = LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.01, "given", 8);
        assertEquals(0.0025, smaller.learningRate(), 1e-12);
        assertEquals(0, smaller.warmupEpochs());

        LearningRateAdvice unknown =
                LearningRateAdvice.advise(Optimizer.adagrad().build(), 32, 0.05, 4096);
        assertEquals(0.05, unknown.learningRate(), 1e-12);
        assertEquals(0, unknown.warmupEpochs());
        assertTrue(unknown.describe().contains("unchanged"), unknown.describe());
    }

    @Test
    void noAdviceWhereTheOptimizerIsNotKnown() {
        LearningRateAdvice none = LearningRateAdvice.none(128);

        assertFalse(none.isAdvised());
        assertEquals(128, none.batchSize());
        assertEquals("no learning-rate advice: the optimizer is not known", none.describe());
    }

    @Test
    void readsTheBaseRateOfDjlsOptimizersThroughAWarmUp() {
        assertEquals(
                0.05,
                OptimizerLearningRate.read(Optimizer.sgd()
                                .setLearningRateTracker(Tracker.fixed(0.05f))
                                .build())
                        .orElseThrow(),
                1e-7);
        assertEquals(0.001, OptimizerLearningRate.read(Optimizer.adam().build()).orElseThrow(), 1e-7);
        WarmUpTracker warmUp = WarmUpTracker.builder()
                .setMainTracker(Tracker.fixed(0.2f))
                .optWarmUpSteps(100)
                .optWarmUpBeginValue(0.001f)
                .build();
        assertEquals(
                0.2,
                OptimizerLearningRate.read(
                                Optimizer.sgd().setLearningRateTracker(warmUp).build())
                        .orElseThrow(),
                1e-7);
        assertTrue(OptimizerLearningRate.read(null).isEmpty());
    }

    @Test
    void rejectsBadInputWithMessagesThatNameTheValue() {
        IllegalArgumentException rate = assertThrows(
                IllegalArgumentException.class,
                () -> LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0, "given", 64));
        assertTrue(rate.getMessage().contains("got 0.0"), rate.getMessage());
        IllegalArgumentException reference = assertThrows(
                IllegalArgumentException.class,
                () -> LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 0, 0.1, "given", 64));
        assertTrue(
                reference.getMessage().contains("reference batch size must be at least 1, got 0"),
                reference.getMessage());
        IllegalArgumentException size = assertThrows(
                IllegalArgumentException.class,
                () -> LearningRateAdvice.advise(Rule.LINEAR, "Sgd", 32, 0.1, "given", 0));
        assertTrue(size.getMessage().contains("batch size must be at least 1, got 0"), size.getMessage());
        IllegalArgumentException option = assertThrows(
                IllegalArgumentException.class, () -> TuneOptions.builder().optReferenceLearningRate(-1));
        assertTrue(option.getMessage().contains("got -1.0"), option.getMessage());
    }
}
