package dev.autobatch.examples.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.core.MemoryMeasurement;
import dev.autobatch.core.Trial;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSizeComparisonTest {

    private static TrainingOutcome outcome(
            int batchSize, float rate, long samples, double seconds, double... accuracies) {
        List<Evaluation> evaluations = java.util.stream.IntStream.range(0, accuracies.length)
                .mapToObj(i -> new Evaluation(seconds * (i + 1) / accuracies.length, 0, 0, accuracies[i]))
                .toList();
        return new TrainingOutcome(batchSize, rate, samples, seconds, List.of(), evaluations, 0.8, false);
    }

    @Test
    void tableHasOneRowPerSizeAndMarksTheTunedOne() {
        Trial small = Trial.builder(32)
                .optSamplesPerSecond(8000)
                .optMedianStepSeconds(0.004)
                .optPeakMemoryBytes(600L << 20)
                .optBaselineMemoryBytes(590L << 20)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .build();
        Trial tuned = Trial.builder(1024)
                .optSamplesPerSecond(150_000)
                .optMedianStepSeconds(0.007)
                .optPeakMemoryBytes(620L << 20)
                .optBaselineMemoryBytes(600L << 20)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .build();
        List<ComparisonRow> rows = List.of(
                new ComparisonRow(32, false, small, outcome(32, 0.01f, 120_000, 20, 0.70, 0.78)),
                new ComparisonRow(1024, true, tuned, outcome(1024, 0.32f, 3_000_000, 20, 0.79, 0.81, 0.85)));
        String table = BatchSizeComparison.markdownTable(rows, 0.8, 60_000);
        List<String> lines = table.lines().toList();
        assertEquals(4, lines.size(), table);
        assertTrue(lines.get(0).startsWith("| batch size | learning rate | samples/s (trial) |"), table);
        assertTrue(lines.get(0).endsWith("| time to 0.80 |"), table);
        assertEquals("| 32 | 0.01 | 8,000 | 6,000 | 600 MiB | 10 MiB | 2.00 | 0.7800 | - |", lines.get(2));
        assertEquals(
                "| **1024** (tuned) | 0.32 | 150,000 | 150,000 | 620 MiB | 20 MiB | 50.00 | 0.8500 | 13.3 s |",
                lines.get(3));
    }

    @Test
    void theTrialsThroughputCarriesItsSpreadWhereKnown() {
        // A 4 ms median step at batch 32 and an IQR of 0.168 ms: the middle half of the steps within ±2.1%.
        Trial noisy = Trial.builder(32)
                .optSamplesPerSecond(8000)
                .optMedianStepSeconds(0.004)
                .optPeakMemoryBytes(600L << 20)
                .optBaselineMemoryBytes(590L << 20)
                .optMemoryMeasurement(MemoryMeasurement.HOST_PEAK_RSS)
                .build()
                .withStepTimeSpread(0.000168, 5);
        String table = BatchSizeComparison.markdownTable(
                List.of(new ComparisonRow(32, false, noisy, outcome(32, 0.01f, 120_000, 20, 0.70, 0.78))), 0.8, 60_000);

        assertEquals(
                "| 32 | 0.01 | 8,000 ±2.1% | 6,000 | 600 MiB | 10 MiB | 2.00 | 0.7800 | - |",
                table.lines().toList().get(2));
    }

    @Test
    void aFailedTrialShowsDashes() {
        Trial oom = Trial.outOfMemory(4096);
        String table = BatchSizeComparison.markdownTable(
                List.of(new ComparisonRow(4096, false, oom, outcome(4096, 0.32f, 0, 0, 0.1))), 0.8, 60_000);
        assertTrue(table.contains("| 4096 | 0.32 | - | - | - | - | 0.00 | 0.1000 | - |"), table);
    }

    @Test
    void refusesDataLoadedForAnotherModel() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> BatchSizeComparison.builder()
                        .setModel(ModelKind.CNN)
                        .setData(new dev.autobatch.examples.data.FashionMnist(
                                java.nio.file.Path.of("."),
                                null,
                                null,
                                dev.autobatch.examples.data.FashionMnist.Layout.FLAT))
                        .setTimeBudget(Duration.ofSeconds(1))
                        .build());
        assertTrue(e.getMessage().contains("FLAT") && e.getMessage().contains("IMAGE"), e.getMessage());
    }
}
