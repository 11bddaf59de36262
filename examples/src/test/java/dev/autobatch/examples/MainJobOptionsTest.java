package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.search.Goal;
import dev.autobatch.examples.data.FashionMnist;
import dev.autobatch.examples.training.ModelKind;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class MainJobOptionsTest {

    @Test
    void everyOptionHasADefault() throws UsageException {
        MainJobOptions o = MainJobOptions.parse();
        assertFalse(o.help());
        assertEquals(ModelKind.MLP, o.model());
        assertEquals(Goal.BALANCED, o.goal());
        assertFalse(o.budget().isBytes());
        assertEquals(0.8, o.budget().fraction());
        assertTrue(o.maxBatch().isEmpty());
        assertEquals(10, o.epochs());
        assertEquals(2, MainJobOptions.parse("--model", "cnn").epochs());
        assertEquals(FashionMnist.DEFAULT_DIRECTORY, o.data());
        assertEquals(Integer.MAX_VALUE, o.limit());
        assertEquals(Path.of("autobatch-out"), o.output());
        assertFalse(o.compare());
        assertEquals(20.0, o.timeBudgetSeconds());
        assertEquals(0.80, o.targetAccuracy());
        assertTrue(o.serveMetricsPort().isEmpty());
        assertFalse(o.retune());
    }

    @Test
    void goodputIsAGoalAndRetuneAFlag() throws UsageException {
        assertEquals(Goal.GOODPUT, MainJobOptions.parse("--goal", "goodput").goal());
        assertEquals(Goal.GOODPUT, MainJobOptions.parse("--goal=GOODPUT").goal());
        assertTrue(MainJobOptions.parse("--retune").retune());
        // Picocli wraps the help to its width: compare the words, not the line breaks.
        String usage = MainJobOptions.usage().replaceAll("\\s+", " ");
        assertTrue(
                usage.contains(
                        "goodput: the size that maximises throughput x statistical efficiency (gradient noise scale, Pollux)"),
                usage);
        assertTrue(MainJobOptions.usage().contains("--retune"), MainJobOptions.usage());
    }

    @Test
    void readsSpaceAndEqualsForms() throws UsageException {
        MainJobOptions o = MainJobOptions.parse(
                "--model=cnn",
                "--goal",
                "max-fit",
                "--epochs",
                "3",
                "--data=/tmp/fm",
                "--limit",
                "500",
                "--output",
                "out",
                "--compare",
                "--time-budget=2.5",
                "--target-accuracy",
                "0.7",
                "--serve-metrics",
                "9464",
                "--seed",
                "-3",
                "--max-batch",
                "512");
        assertEquals(ModelKind.CNN, o.model());
        assertEquals(Goal.MAX_FIT, o.goal());
        assertEquals(3, o.epochs());
        assertEquals(Path.of("/tmp/fm"), o.data());
        assertEquals(500, o.limit());
        assertEquals(Path.of("out"), o.output());
        assertTrue(o.compare());
        assertEquals(2.5, o.timeBudgetSeconds());
        assertEquals(0.7, o.targetAccuracy());
        assertEquals(9464, o.serveMetricsPort().getAsInt());
        assertEquals(-3, o.seed());
        assertEquals(512, o.maxBatch().getAsInt());
    }

    @Test
    void aBudgetIsASizeWithSuffixOrAFraction() throws UsageException {
        assertEquals(2L << 30, MainJobOptions.parse("--budget", "2g").budget().bytes());
        assertEquals(
                512L << 20, MainJobOptions.parse("--budget", "512m").budget().bytes());
        assertEquals(
                512L << 20, MainJobOptions.parse("--budget", "512MiB").budget().bytes());
        assertEquals(3L << 29, MainJobOptions.parse("--budget", "1.5G").budget().bytes());
        assertEquals(
                4_000_000_000L,
                MainJobOptions.parse("--budget", "4000000000").budget().bytes());
        MainJobOptions fraction = MainJobOptions.parse("--budget", "0.5");
        assertFalse(fraction.budget().isBytes());
        assertEquals(0.5, fraction.budget().fraction());
        assertEquals(1.0, MainJobOptions.parse("--budget", "1.0").budget().fraction());
        assertEquals(0.5, MainJobOptions.parse("--budget", "50%").budget().fraction());
    }

    @Test
    void badValuesAreNamedWithTheFix() {
        assertMessage("--budget as a fraction must be in (0, 1], got '1.5'", "--budget", "1.5");
        assertMessage("below 1 MiB", "--budget", "12");
        assertMessage("--budget must be a size in bytes with an optional k, m, g or t suffix", "--budget", "lots");
        assertMessage("--model: unknown model 'resnet'; choose mlp or cnn", "--model", "resnet");
        assertMessage("--goal must be balanced, throughput, goodput or max-fit, got 'speed'", "--goal", "speed");
        assertMessage("--epochs must be at least 1, got 0", "--epochs", "0");
        assertMessage("--limit needs a whole number, got 'many'", "--limit", "many");
        assertMessage("--target-accuracy must be in (0, 1], got 80", "--target-accuracy", "80");
        assertMessage("--time-budget must be a positive number, got -1", "--time-budget", "-1");
        assertMessage("--serve-metrics needs a port from 1 to 65535", "--serve-metrics", "70000");
        assertMessage("--epochs needs a value", "--epochs");
        assertMessage("--data needs a value", "--data", "--compare");
        assertMessage("unknown option '--frobnicate'", "--frobnicate");
        assertMessage("unknown option '--batch'", "--batch=64");
        assertMessage("unexpected argument 'train'", "train");
        assertMessage("--compare takes no value", "--compare=yes");
        assertMessage("--retune takes no value, got '--retune=yes'", "--retune=yes");
    }

    private static void assertMessage(String expected, String... args) {
        UsageException e = assertThrows(UsageException.class, () -> MainJobOptions.parse(args));
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
