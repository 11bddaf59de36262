package dev.autobatch.examples.training;

import dev.autobatch.autotune.advice.LearningRateAdvice;
import java.util.List;
import java.util.Locale;

/**
 * The main job's own report files, {@code training.md} and {@code compare.md}, rendered in memory
 * so that the main job writes them in one set with the tuning's report ({@code
 * dev.autobatch.autotune.report.AtomicFiles}): an interrupted run leaves the earlier set whole.
 */
public final class RunMarkdown {

    private RunMarkdown() {}

    /**
     * Renders {@code training.md}: the run's settings and a row an epoch.
     *
     * @param kind the model trained
     * @param outcome what the training did
     * @param advice the learning-rate advice it trained with
     * @param seed the seed of initial parameters and sample order
     * @return Markdown text
     */
    public static String training(ModelKind kind, TrainingOutcome outcome, LearningRateAdvice advice, int seed) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(
                Locale.ROOT, "# Training at the tuned batch size: %s on Fashion-MNIST%n%n", kind.description()));
        md.append(String.format(
                Locale.ROOT,
                "Batch size %d, %s; seed %d, %,.0f samples/s over %.1f s of training.%n%n",
                outcome.batchSize(),
                advice.describe(),
                seed,
                outcome.samplesPerSecond(),
                outcome.trainingSeconds()));
        md.append("| epoch | training loss | validation accuracy | training time (s) |\n");
        md.append("| ---: | ---: | ---: | ---: |\n");
        List<Evaluation> evaluations = outcome.evaluations();
        for (int i = 0; i < outcome.epochLosses().size(); i++) {
            Evaluation e = evaluations.get(i);
            md.append(String.format(
                    Locale.ROOT,
                    "| %d | %.4f | %.4f | %.1f |%n",
                    i + 1,
                    outcome.epochLosses().get(i),
                    e.accuracy(),
                    e.trainingSeconds()));
        }
        return md.toString();
    }

    /**
     * Renders {@code compare.md}: how the sizes were compared, then the table.
     *
     * @param kind the model trained
     * @param seed the seed every size trained from
     * @param seconds the training seconds each size got
     * @param validationImages the held-out images accuracy was measured on
     * @param table the table of {@link BatchSizeComparison#markdownTable}
     * @return Markdown text
     */
    public static String comparison(ModelKind kind, int seed, double seconds, long validationImages, String table) {
        return String.format(
                        Locale.ROOT,
                        "# Batch sizes compared: %s on Fashion-MNIST%n%n"
                                + "Each size trained a fresh model from seed %d for %.1f s of training time"
                                + " (evaluations excluded), learning rate 0.01 at batch 32 scaled linearly"
                                + " (at most %.0fx, no warm-up); accuracy on the %,d held-out validation images;"
                                + " samples/s and peak memory (process RSS) also from a 7-step trial at each size.%n%n",
                        kind.description(),
                        seed,
                        seconds,
                        LearningRateAdvice.MAX_FACTOR,
                        validationImages)
                + table;
    }
}
