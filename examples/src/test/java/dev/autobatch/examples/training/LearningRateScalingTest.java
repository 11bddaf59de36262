package dev.autobatch.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LearningRateScalingTest {

    private static float rate(int batchSize) {
        return LearningRateScaling.scaledLearningRate(
                LearningRateScaling.REFERENCE_LEARNING_RATE,
                LearningRateScaling.REFERENCE_BATCH_SIZE,
                batchSize,
                LearningRateScaling.MAX_FACTOR);
    }

    @Test
    void keepsTheReferenceRateAtTheReferenceBatch() {
        assertEquals(0.01f, rate(32), 1e-7f);
    }

    @Test
    void scalesLinearlyWithTheBatchSize() {
        assertEquals(0.02f, rate(64), 1e-7f);
        assertEquals(0.08f, rate(256), 1e-7f);
        assertEquals(0.005f, rate(16), 1e-7f);
        assertEquals(0.01f / 32, rate(1), 1e-9f);
    }

    @Test
    void capsTheFactor() {
        assertEquals(0.32f, rate(1024), 1e-6f);
        assertEquals(0.32f, rate(4096), 1e-6f);
        assertEquals(0.32f, rate(1 << 20), 1e-6f);
        assertEquals(0.02f, LearningRateScaling.scaledLearningRate(0.01f, 32, 4096, 2f), 1e-7f);
    }

    @Test
    void rejectsMeaninglessArguments() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateScaling.scaledLearningRate(0f, 32, 64, 8f));
        assertThrows(IllegalArgumentException.class, () -> LearningRateScaling.scaledLearningRate(0.01f, 0, 64, 8f));
        assertThrows(IllegalArgumentException.class, () -> LearningRateScaling.scaledLearningRate(0.01f, 32, 0, 8f));
        assertThrows(IllegalArgumentException.class, () -> LearningRateScaling.scaledLearningRate(0.01f, 32, 64, 0.5f));
    }
}
