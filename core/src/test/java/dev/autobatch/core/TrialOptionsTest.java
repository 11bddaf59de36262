package dev.autobatch.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.TrainingConfig;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class TrialOptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        TrialOptions options = TrialOptions.defaults();

        assertEquals(TrialOptions.DEFAULT_WARMUP_STEPS, options.warmupSteps());
        assertEquals(2, options.warmupSteps());
        assertEquals(5, options.measuredSteps());
        assertEquals(0.25, options.minMeasuredSeconds());
        assertEquals(0.02, options.targetPrecision());
        assertEquals(10, options.maxTrialSeconds());
        assertTrue(options.trainingConfig().isEmpty());
        assertTrue(options.trainingConfigSupplier().isEmpty());
    }

    @Test
    void aConfigurationAndASupplierReplaceEachOther() {
        TrainingConfig config = DjlTrialRunner.defaultTrainingConfig();
        Supplier<TrainingConfig> configs = DjlTrialRunner::defaultTrainingConfig;

        TrialOptions supplied = TrialOptions.builder()
                .optTrainingConfig(config)
                .optTrainingConfig(configs)
                .build();
        TrialOptions given = supplied.toBuilder().optTrainingConfig(config).build();

        assertTrue(supplied.trainingConfig().isEmpty());
        assertSame(configs, supplied.trainingConfigSupplier().orElseThrow());
        assertSame(config, given.trainingConfig().orElseThrow());
        assertTrue(given.trainingConfigSupplier().isEmpty());
    }

    @Test
    void toBuilderKeepsEveryValueAndLeavesTheOriginalAlone() {
        TrialOptions original = TrialOptions.builder()
                .optWarmupSteps(0)
                .optMeasuredSteps(7)
                .optMinMeasuredSeconds(0.5)
                .optTargetPrecision(0.1)
                .optMaxTrialSeconds(3)
                .build();

        TrialOptions copy = original.toBuilder().build();
        TrialOptions changed = original.toBuilder().optMeasuredSteps(9).build();

        assertEquals(
                "0 7 0.5 0.1 3.0",
                copy.warmupSteps() + " " + copy.measuredSteps() + " " + copy.minMeasuredSeconds() + " "
                        + copy.targetPrecision() + " " + copy.maxTrialSeconds());
        assertEquals(9, changed.measuredSteps());
        assertEquals(7, original.measuredSteps());
    }

    @Test
    void errorsNameTheValueTheFixAndWhatWasGiven() {
        assertMessage(
                "measured steps must be at least 1, got 0; 5 is the default",
                () -> TrialOptions.builder().optMeasuredSteps(0));
        assertMessage(
                "warm-up steps must be zero or more, got -1",
                () -> TrialOptions.builder().optWarmupSteps(-1));
        assertMessage(
                "minimum measured seconds must be positive and finite, got -1.0; 0.25 is the default",
                () -> TrialOptions.builder().optMinMeasuredSeconds(-1));
        assertMessage(
                "minimum measured seconds must be positive and finite, got NaN",
                () -> TrialOptions.builder().optMinMeasuredSeconds(Double.NaN));
        assertMessage(
                "maximum trial seconds must be positive and finite, got 0.0; 10 is the default",
                () -> TrialOptions.builder().optMaxTrialSeconds(0));
        assertMessage(
                "maximum trial seconds must be positive and finite, got Infinity",
                () -> TrialOptions.builder().optMaxTrialSeconds(Double.POSITIVE_INFINITY));
        assertMessage(
                "target precision must be in (0, 1), got 0.0; 0.02 (2%) is the default",
                () -> TrialOptions.builder().optTargetPrecision(0));
        assertMessage(
                "target precision must be in (0, 1), got 1.5",
                () -> TrialOptions.builder().optTargetPrecision(1.5));
        assertThrows(NullPointerException.class, () -> TrialOptions.builder().optTrainingConfig((TrainingConfig) null));
    }

    @Test
    void anEntryPointThatReadsOptionsByNameHasItsNamesInTheErrors() {
        TrialOptions.Builder named = TrialOptions.builder().namingOptionsWith("autobatch.");

        assertMessage("autobatch.warmupSteps must be zero or more, got -1", () -> named.optWarmupSteps(-1));
        assertMessage("autobatch.measuredSteps must be at least 1, got 0", () -> named.optMeasuredSteps(0));
        assertMessage("autobatch.maxTrialSeconds must be positive", () -> named.optMaxTrialSeconds(-2));
        assertMessage("autobatch.minMeasuredSeconds must be positive", () -> named.optMinMeasuredSeconds(0));
        assertMessage("autobatch.targetPrecision must be in (0, 1)", () -> named.optTargetPrecision(2));
    }

    private static void assertMessage(String expected, Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(
                e.getMessage().startsWith(expected),
                () -> "'" + e.getMessage() + "' does not start with '" + expected + "'");
    }
}
