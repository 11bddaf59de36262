package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.BatchSizeSearch;
import dev.autobatch.autotune.search.Goal;
import dev.autobatch.autotune.search.SearchSettings;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ReportWriterTest {

    @Test
    void writesTheJsonTheMarkdownAndBothCharts(@TempDir Path directory) throws IOException {
        ReportFiles files = ReportWriter.write(ReportFixtures.h100Mlp(), directory);

        assertEquals(
                List.of(
                        directory.resolve("report.json"),
                        directory.resolve("report.md"),
                        directory.resolve("chart.svg"),
                        directory.resolve("chart.png")),
                files.all());
        for (Path file : files.all()) {
            assertTrue(Files.size(file) > 0, file + " is empty");
        }
        assertEquals(
                List.of("chart.png", "chart.svg", "report.json", "report.md"),
                names(directory),
                "no temporary file is left behind");
    }

    @Test
    void createsMissingDirectoriesAndReplacesAnEarlierReport(@TempDir Path directory) throws IOException {
        Path nested = directory.resolve("out/tuning");
        ReportWriter.write(ReportFixtures.cpuEveryOutcome(), nested);
        ReportFiles files = ReportWriter.write(ReportFixtures.h100Mlp(), nested);

        assertEquals(ReportFixtures.h100Mlp(), ReportJson.read(files.json()));
        assertTrue(Files.readString(files.markdown()).startsWith("# AutoBatch report: batch size 8,192\n"));
        assertEquals(List.of("chart.png", "chart.svg", "report.json", "report.md"), names(nested));
    }

    @Test
    void aDirectoryThatCannotBeCreatedGivesAClearErrorAndLeavesNothingBehind(@TempDir Path directory)
            throws IOException {
        // Tests may run as root, whom permissions do not stop; a regular file in the way stops anyone.
        Path file = Files.writeString(directory.resolve("not-a-directory"), "x");
        Path target = file.resolve("reports");

        IOException error = assertThrows(IOException.class, () -> ReportWriter.write(ReportFixtures.h100Mlp(), target));

        assertTrue(
                error.getMessage().startsWith("Cannot write the AutoBatch report into " + target.toAbsolutePath()),
                error.getMessage());
        assertTrue(
                error.getMessage()
                        .endsWith("Give a directory that exists or can be created, and that this process may write."),
                error.getMessage());
        assertEquals(List.of("not-a-directory"), names(directory));
        assertEquals("x", Files.readString(file));
    }

    @Test
    void aRegularFileGivenAsTheDirectoryIsRefusedAndLeftAsItWas(@TempDir Path directory) throws IOException {
        Path file = Files.writeString(directory.resolve("report"), "keep me");

        IOException error = assertThrows(IOException.class, () -> ReportWriter.write(ReportFixtures.h100Mlp(), file));

        assertTrue(error.getMessage().contains(file.toString()), error.getMessage());
        assertEquals(List.of("report"), names(directory));
        assertEquals("keep me", Files.readString(file));
    }

    @Test
    void theMarkdownGivesTheExplanationOfTheRuleThatChoseWordForWord(@TempDir Path directory) throws IOException {
        // On a loaded CPU one measurement of 2,048 ran 10x slower; confirmation rounds measured it again.
        TuningResult result = ReportFixtures.chosen(
                StopReason.DATASET_SIZE,
                List.of(
                        Trial.measured(1024, 150_000, 1 << 20),
                        Trial.measured(2048, 14_703, 2 << 20),
                        Trial.measured(4096, 160_000, 3 << 20),
                        Trial.measured(4096, 158_000, 3 << 20),
                        Trial.measured(2048, 155_000, 2 << 20),
                        Trial.measured(1024, 149_000, 1 << 20),
                        Trial.measured(1024, 151_000, 1 << 20),
                        Trial.measured(2048, 157_000, 2 << 20),
                        Trial.measured(4096, 159_000, 3 << 20)),
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, 1 << 30, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                java.time.Duration.ofSeconds(3),
                dev.autobatch.autotune.TuningContext.none());
        String markdown = Files.readString(ReportWriter.write(result, directory).markdown());

        assertEquals(1024, result.batchSize(), result::toString);
        assertTrue(
                result.explanation()
                        .startsWith("Batch size 1,024 is the smallest whose throughput is within 4%"
                                + " of the best (the 5% threshold less a fifth kept for gains beyond the largest size measured):"
                                + " 150,000 samples/s ±"),
                result.explanation());
        assertTrue(result.explanation().contains("(3 measurements) against 159,000 samples/s"), result.explanation());
        assertTrue(markdown.contains("\n\n" + result.explanation() + "\n\n"), markdown);
    }

    @Test
    void theMarkdownStatesTheChoiceWhyAndEveryTrial(@TempDir Path directory) throws IOException {
        TuningResult result = ReportFixtures.h100Mlp();
        String markdown = Files.readString(ReportWriter.write(result, directory).markdown(), StandardCharsets.UTF_8);

        assertTrue(
                markdown.startsWith("# AutoBatch report: batch size 8,192\n\n"
                        + "Batch size 8,192 is the smallest whose throughput is within 4% of the best (the 5% threshold less"
                        + " a fifth kept for gains beyond the largest size measured): 424,234 samples/s (one measurement)"
                        + " against 432,799 samples/s (one measurement) at batch size 32,768. Batch size 4,096 gave 95.6% of"
                        + " the best. Each size was measured once.\n\n"
                        + "The search stopped because a larger batch no longer paid: the last two doublings raised"
                        + " throughput by at most 2.5% (one doubling where the next trial was expensive).\n"),
                markdown);
        assertTrue(
                markdown.contains("| Memory budget | 62.8 GiB (80% of the 78.5 GiB free on gpu(0) (NVML)) |"),
                markdown);
        assertTrue(
                markdown.contains(" measured training steps; a step is `EasyTrain.trainBatch` (the batch split"),
                markdown);
        assertTrue(
                markdown.contains("| GPU 0 | NVIDIA H100 80GB HBM3, 79.2 GiB (78.5 GiB free, read through NVML) |"),
                markdown);
        assertTrue(
                markdown.contains(
                        "| **8,192** | **ok, chosen** | 424,234 |  | 19.31 ms | 746.2 MiB | 529.2 MiB | 0.4031 |"),
                markdown);
        assertEquals(
                result.trials().size(),
                markdown.lines()
                        .filter(line -> line.matches("\\| (\\*\\*)?[0-9,]+.*"))
                        .count());
        assertTrue(markdown.contains("![Throughput and peak memory against batch size](chart.png)"), markdown);
    }

    @Test
    void theMarkdownShowsTheCapThatAppliedAndNoMaximumWhereNoneWasGiven(@TempDir Path directory) throws IOException {
        int none = BatchSizeSearch.DEFAULT_MAX_BATCH_SIZE;
        Map<SearchSettings, String> rows = new LinkedHashMap<>();
        rows.put(
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, none, 60_000, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                "| Batch sizes | from 2, at most 15,000 (a quarter of the 60,000 training samples) |");
        rows.put(
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, 256, 60_000, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                "| Batch sizes | from 2, at most 256 (the maximum given) |");
        rows.put(
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, none, 6, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                "| Batch sizes | from 2, at most 2 (the start: the 6 training samples allow no larger) |");
        rows.put(
                new SearchSettings(
                        Goal.THROUGHPUT, 1L << 30, 0.05, 2, none, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                "| Batch sizes | from 2 |");
        for (Map.Entry<SearchSettings, String> row : rows.entrySet()) {
            TuningResult result = ReportFixtures.chosen(
                    StopReason.MEMORY_BUDGET,
                    List.of(Trial.measured(2, 100, 1 << 20)),
                    row.getKey(),
                    java.time.Duration.ofSeconds(3),
                    dev.autobatch.autotune.TuningContext.none());

            String markdown =
                    Files.readString(ReportWriter.write(result, directory).markdown());

            assertTrue(markdown.contains(row.getValue() + "\n"), markdown);
            assertFalse(markdown.contains("1,073,741,824"), markdown);
        }
    }

    @Test
    void theMarkdownShowsFailuresAndKeepsThemInsideTheirCell(@TempDir Path directory) throws IOException {
        String markdown = Files.readString(
                ReportWriter.write(ReportFixtures.cpuEveryOutcome(), directory).markdown(), StandardCharsets.UTF_8);

        assertTrue(
                markdown.contains(
                        "\n| 128 | failed: The loss was NaN at measured step 3 \\| a \\| pipe. |  |  |  |  |  |  |\n"),
                markdown);
        assertTrue(markdown.contains("| 256 | out of memory |"), markdown);
        assertTrue(markdown.contains("The search stopped because batch size 256 ran out of memory."), markdown);
        assertTrue(
                markdown.contains("| Host memory | 32.0 GiB (28.0 GiB available, container limit 16.0 GiB) |"),
                markdown);
        assertTrue(
                markdown.contains("| Engine | PyTorch 2.7.1, 8 intra-op threads, inter-op threads unknown |"),
                markdown);
    }

    @ParameterizedTest
    @EnumSource(StopReason.class)
    void theMarkdownSaysEveryStopReasonInWords(StopReason reason, @TempDir Path directory) throws IOException {
        TuningResult result = ReportFixtures.chosen(
                reason,
                List.of(Trial.measured(4, 100, 1 << 20), Trial.measured(8, 104, 2 << 20)),
                new SearchSettings(
                        Goal.MAX_FIT, 1L << 30, 0.05, 4, 16, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                java.time.Duration.ofSeconds(3),
                dev.autobatch.autotune.TuningContext.none());
        String markdown = Files.readString(ReportWriter.write(result, directory).markdown());

        String expected = switch (reason) {
            case OUT_OF_MEMORY -> "a trial ran out of memory";
            case MEMORY_BUDGET ->
                "the next batch size's predicted peak memory was above the budget of 1.0 GiB," + " so it was not run";
            case THROUGHPUT_SATURATED ->
                "a larger batch no longer paid: the last two doublings raised throughput by"
                        + " at most 2.5% (one doubling where the next trial was expensive)";
            case MAX_BATCH_SIZE -> "the next batch size would exceed the maximum of 16";
            case DATASET_SIZE -> "the next batch size would exceed the cap derived from the training set's size";
            case TIME_BUDGET -> "the next trial was predicted to overrun the time budget of 60 s";
            case TRIAL_FAILED -> "a trial failed";
        };
        assertTrue(markdown.contains("The search stopped because " + expected + ".\n"), markdown);
        assertTrue(
                markdown.contains(
                        "Batch size 8 is the largest that ran within the memory budget: peak 2.0 MiB" + " of 1.0 GiB."),
                markdown);
    }

    @Test
    void aSaturatedStopIsWordedForTheGoalThatStopped(@TempDir Path directory) throws IOException {
        for (Goal goal : List.of(Goal.BALANCED, Goal.GOODPUT)) {
            TuningResult result = ReportFixtures.chosen(
                    StopReason.THROUGHPUT_SATURATED,
                    List.of(Trial.measured(4, 100, 1 << 20), Trial.measured(8, 190, 2 << 20)),
                    new SearchSettings(goal, 1L << 30, 0.05, 4, 16, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                    java.time.Duration.ofSeconds(3),
                    dev.autobatch.autotune.TuningContext.none());
            String markdown = Files.readString(
                    ReportWriter.write(result, directory.resolve(goal.name())).markdown());

            String expected = goal == Goal.BALANCED
                    ? ", or a size past the statistical-efficiency bound ran.\n"
                    : ", or goodput fell more than 5% below its best.\n";
            assertTrue(markdown.contains("(one doubling where the next trial was expensive)" + expected), markdown);
        }
    }

    @Test
    void theMarkdownSaysTheNoiseScaleThePlanAndTheLearningRate(@TempDir Path directory) throws IOException {
        String markdown = Files.readString(
                ReportWriter.write(ReportFixtures.cpuGoodputPlanned(), directory)
                        .markdown(),
                StandardCharsets.UTF_8);

        assertTrue(
                markdown.contains("Batch size 128 has the most goodput, throughput times statistical efficiency:"
                        + " 133,333 samples/s (one measurement) at an efficiency of 0.84 relative to batch size 32, at a"
                        + " gradient noise scale of 480. Batch size 64: 83.8% of that goodput. Batch size 256: 99.1% of that"
                        + " goodput."),
                markdown);
        assertTrue(
                markdown.contains("| Gradient noise scale | B_simple ≈ 480 samples (one standard error: "), markdown);
        assertTrue(
                markdown.contains("| Batch per step | micro-batch 1,000 x 1 device x 10 accumulation steps"
                        + " = global batch 10,000 (target 10,000) |"),
                markdown);
        assertTrue(
                markdown.contains(
                        "| Learning rate | learning rate 0.3200 at batch size 10,000 (linear scaling for"
                                + " Sgd from 0.01000 at 32, read from the optimizer; factor capped at 32x), warmed up linearly over the first 5 epochs |"),
                markdown);
        assertTrue(markdown.contains("accumulate the gradients of 10 micro-batches of 1,000"), markdown);
        assertTrue(markdown.contains("| 16 | ok | "), markdown);
        assertTrue(markdown.contains("| 7.750 ± 2.3 |"), markdown);
    }

    @Test
    void theMarkdownSaysWhenGoodputFellBackToThroughput(@TempDir Path directory) throws IOException {
        TuningResult result = ReportFixtures.chosen(
                StopReason.THROUGHPUT_SATURATED,
                List.of(Trial.measured(4, 100, 1 << 20), Trial.measured(8, 190, 2 << 20)),
                new SearchSettings(
                        Goal.GOODPUT, 1L << 30, 0.05, 4, 16, -1, 32, 0, 1, SearchSettings.DEFAULT_TIME_BUDGET),
                java.time.Duration.ofSeconds(3),
                dev.autobatch.autotune.TuningContext.none());
        String markdown = Files.readString(ReportWriter.write(result, directory).markdown());

        assertTrue(
                markdown.contains("The gradient noise scale is unknown: no trial recorded gradient norms, so"
                        + " GOODPUT chose as THROUGHPUT does. Batch size 8 gave the best throughput, 190 samples/s (one"
                        + " measurement). Batch size 4 gave 52.6% of the best. Each size was measured once."),
                markdown);
        assertTrue(
                markdown.contains("| Learning rate | no learning-rate advice: the optimizer is not known |"), markdown);
    }

    @Test
    void theMarkdownShowsEachTrialsSpreadAndSaysWhatItIs(@TempDir Path directory) throws IOException {
        String markdown = Files.readString(
                ReportWriter.write(ReportFixtures.cpuWithSpread(), directory).markdown(), StandardCharsets.UTF_8);

        assertTrue(
                markdown.contains("\n| batch size | outcome | samples/s | spread | median step | peak memory"
                        + " | above baseline |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |\n"),
                markdown);
        assertTrue(markdown.contains("\n| 32 | ok | 9,800 | ±15.5% | 3.27 ms | 507.0 MiB | 7.0 MiB |\n"), markdown);
        assertTrue(
                markdown.contains(
                        "\n| **1,024** | **ok, chosen** | 50,100 | ±2.0% | 20.44 ms | 516.0 MiB | 16.0 MiB |\n"),
                markdown);
        assertTrue(
                markdown.contains("In the order they ran. Spread is half the interquartile range of the measured"
                        + " steps' times relative to their median: the middle half of the steps ran within that much of the"
                        + " median step time (blank where the trial recorded no spread)."),
                markdown);
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }
}
