package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.cache.ResultCache;
import dev.autobatch.examples.data.FashionMnistFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainJobTest {

    @TempDir
    Path dir;

    private static MainJobRun run(String... args) {
        return MainJobRun.of(args);
    }

    @Test
    void helpPrintsTheUsageAndSucceeds() {
        MainJobRun run = run("--help");
        assertEquals(MainJob.EXIT_OK, run.status());
        assertTrue(run.output().startsWith("Usage: bin/autobatch [options]"), run.output());
        for (String option : List.of(
                "--model",
                "--goal",
                "--budget",
                "--epochs",
                "--output",
                "--serve-metrics",
                "--compare",
                "--time-budget",
                "--target-accuracy",
                "--data",
                "--limit",
                "--max-batch",
                "--retune",
                "goodput")) {
            assertTrue(run.output().contains(option), option);
        }
    }

    @Test
    void anUnknownOptionIsOneLineOfErrorThenTheUsageAndStatus2() {
        MainJobRun run = run("--frobnicate");
        assertEquals(MainJob.EXIT_USAGE, run.status());
        List<String> lines = run.output().lines().toList();
        assertEquals("autobatch: unknown option '--frobnicate'; see --help for the options", lines.get(0));
        assertEquals("", lines.get(1));
        assertEquals("Usage: bin/autobatch [options]", lines.get(2));
    }

    @Test
    void aBadValueNamesItselfAndExitsWithStatus2() {
        MainJobRun run = run("--epochs", "zero");
        assertEquals(MainJob.EXIT_USAGE, run.status());
        assertTrue(run.output().startsWith("autobatch: --epochs needs a whole number, got 'zero'\n"), run.output());
        assertTrue(run.output().contains("Usage:"), run.output());
    }

    @Test
    void missingDataFailsWithHowToGetIt() {
        MainJobRun run =
                run("--data", dir.toString(), "--output", dir.resolve("out").toString());
        assertEquals(MainJob.EXIT_FAILED, run.status());
        assertTrue(
                run.output().contains("autobatch: Cannot load " + dir.resolve("train-images-idx3-ubyte.gz")),
                run.output());
        assertTrue(run.output().contains("sudo apt-get install dataset-fashion-mnist"), run.output());
        assertTrue(run.output().contains("--data DIR"), run.output());
    }

    @Test
    void tunesTrainsAndWritesTheReport() {
        FashionMnistFiles.assumeInstalled();
        Path out = dir.resolve("out");
        MainJobRun run = run("--limit", "2000", "--epochs", "1", "--max-batch", "256", "--output", out.toString());
        assertEquals(MainJob.EXIT_OK, run.status(), run.output());
        String text = run.output();
        assertTrue(text.contains("2,000 training images, 2,000 validation images"), text);
        assertTrue(text.contains("CPU: "), text);
        assertTrue(text.contains("Memory budget: "), text);
        assertTrue(Pattern.compile("trial batch +\\d+: ").matcher(text).find(), text);
        Matcher chosen = Pattern.compile("Chosen batch size: (\\d+)").matcher(text);
        assertTrue(chosen.find(), text);
        int batchSize = Integer.parseInt(chosen.group(1));
        assertTrue(batchSize >= 1 && batchSize <= 256, text);
        assertTrue(text.contains("at batch size " + batchSize + ", learning rate "), text);
        assertTrue(text.contains("Gradient noise scale: "), text);
        assertTrue(text.contains("Advised: learning rate "), text);
        assertTrue(text.contains("(linear scaling"), text);
        Matcher epoch = Pattern.compile("epoch 1/1: training loss [0-9.]+, validation accuracy (0\\.\\d{4})")
                .matcher(text);
        assertTrue(epoch.find(), text);
        Matcher accuracy = Pattern.compile("Validation accuracy after 1 epochs: (0\\.\\d{4})")
                .matcher(text);
        assertTrue(accuracy.find(), text);
        assertTrue(Double.parseDouble(accuracy.group(1)) > 0.1, "better than chance: " + text);
        for (String name : List.of("report.json", "report.md", "chart.png", "chart.svg", "training.md")) {
            Path file = out.resolve(name);
            assertTrue(Files.isRegularFile(file), name + " missing; output:\n" + text);
            assertTrue(file.toFile().length() > 0, name + " is empty");
            assertTrue(text.contains(file.toAbsolutePath().normalize().toString()), "path of " + name + " printed");
        }
    }

    @Test
    void aSecondRunTakesTheSizeFromTheCacheAndRetuneMeasuresAgain() {
        FashionMnistFiles.assumeInstalled();
        // The build turns the cache off for tests (autobatch.cache=false); this test turns it on,
        // in a directory of its own.
        String cacheWas = System.getProperty(ResultCache.ENABLED_PROPERTY);
        String directoryWas = System.getProperty(ResultCache.DIRECTORY_PROPERTY);
        System.setProperty(ResultCache.ENABLED_PROPERTY, "true");
        System.setProperty(ResultCache.DIRECTORY_PROPERTY, dir.resolve("cache").toString());
        try {
            String[] args = {
                "--limit",
                "500",
                "--epochs",
                "1",
                "--max-batch",
                "32",
                "--goal",
                "goodput",
                "--output",
                dir.resolve("out").toString()
            };
            MainJobRun first = run(args);
            assertEquals(MainJob.EXIT_OK, first.status(), first.output());
            Matcher chosen = Pattern.compile("Chosen batch size: (\\d+)").matcher(first.output());
            assertTrue(chosen.find(), first.output());
            assertTrue(first.output().contains("goal goodput"), first.output());

            MainJobRun second = run(args);
            assertEquals(MainJob.EXIT_OK, second.status(), second.output());
            assertTrue(
                    second.output()
                            .contains("Batch size " + chosen.group(1)
                                    + " from the cache (tuned earlier on this machine); --retune to measure again"),
                    second.output());
            assertFalse(second.output().contains("trial batch"), second.output());
            assertFalse(second.output().contains("Chosen batch size"), second.output());
            assertTrue(second.output().contains("Gradient noise scale: "), second.output());

            String[] again = Arrays.copyOf(args, args.length + 1);
            again[args.length] = "--retune";
            MainJobRun third = run(again);
            assertEquals(MainJob.EXIT_OK, third.status(), third.output());
            assertTrue(
                    Pattern.compile("trial batch +\\d+: ")
                            .matcher(third.output())
                            .find(),
                    third.output());
            assertTrue(third.output().contains("Chosen batch size: "), third.output());
        } finally {
            restore(ResultCache.ENABLED_PROPERTY, cacheWas);
            restore(ResultCache.DIRECTORY_PROPERTY, directoryWas);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    @Test
    void comparesTheUsualSizesWithTheTunedOne() throws Exception {
        FashionMnistFiles.assumeInstalled();
        Path out = dir.resolve("compare");
        MainJobRun run = run(
                "--compare",
                "--limit",
                "2000",
                "--time-budget",
                "0.5",
                "--max-batch",
                "128",
                "--target-accuracy",
                "0.5",
                "--output",
                out.toString());
        assertEquals(MainJob.EXIT_OK, run.status(), run.output());
        String text = run.output();
        assertTrue(text.contains("| batch size | learning rate |"), text);
        assertTrue(text.contains("time to 0.50 |"), text);
        for (String size : List.of("32", "64", "128", "256")) {
            assertTrue(
                    Pattern.compile("(?m)^\\| (\\*\\*)?" + size + "(\\*\\*)? ")
                            .matcher(text)
                            .find(),
                    "row " + size + ":\n" + text);
        }
        assertTrue(text.contains("(tuned)"), text);
        String markdown = Files.readString(out.resolve("compare.md"));
        assertTrue(markdown.contains("| batch size |"), markdown);
        assertTrue(Files.isRegularFile(out.resolve("report.json")));
    }

    @Test
    void servesMetricsAfterTheRunUntilInterrupted() throws Exception {
        FashionMnistFiles.assumeInstalled();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        AtomicInteger status = new AtomicInteger(-1);
        Thread job = new Thread(() -> status.set(MainJob.run(
                new String[] {
                    "--limit",
                    "1000",
                    "--epochs",
                    "1",
                    "--max-batch",
                    "64",
                    "--serve-metrics",
                    "0",
                    "--output",
                    dir.resolve("m").toString()
                },
                out)));
        job.start();
        Pattern serving = Pattern.compile("Serving metrics at (http://\\S+) until interrupted");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Matcher m = serving.matcher(bytes.toString(StandardCharsets.UTF_8));
        boolean found = false;
        while (!(found = m.find()) && job.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = serving.matcher(bytes.toString(StandardCharsets.UTF_8));
        }
        assertTrue(found, "the job says where it serves; output:\n" + bytes);
        assertTrue(job.isAlive(), "the job keeps serving; output:\n" + bytes);
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(URI.create(m.group(1))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertTrue(response.body().contains("autobatch_batch_size"), response.body());
        job.interrupt();
        job.join(10_000);
        assertEquals(MainJob.EXIT_OK, status.get(), bytes.toString(StandardCharsets.UTF_8));
        assertTrue(
                bytes.toString(StandardCharsets.UTF_8).endsWith("Interrupted: the metrics endpoint stops.\n"),
                bytes.toString(StandardCharsets.UTF_8));
    }
}
