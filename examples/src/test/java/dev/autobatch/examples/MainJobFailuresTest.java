package dev.autobatch.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.examples.data.FashionMnistFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job's failures: each found before the work it would waste, each one line in its words. */
class MainJobFailuresTest {

    @TempDir
    Path dir;

    private static MainJobRun run(String... args) {
        return MainJobRun.of(args);
    }

    @Test
    void anUnwritableOutputIsFoundBeforeAnyWork() throws IOException {
        // Tests may run as root, whom permissions do not stop; a regular file in the way stops anyone.
        Path file = Files.writeString(dir.resolve("file"), "x");

        MainJobRun run = run("--output", file.resolve("out").toString());

        assertEquals(MainJob.EXIT_FAILED, run.status(), run.output());
        assertEquals(
                List.of(
                        "autobatch: cannot write to --output " + file.resolve("out") + " (" + file.resolve("out")
                                + ": Not a directory); give a directory that this process may create and write with --output DIR"),
                run.output().lines().toList());
    }

    @Test
    void temporariesAnInterruptedRunLeftInTheOutputAreDeleted() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path leftover = Files.writeString(out.resolve(".training.md.autobatch-999999999-0a1b2c3d.tmp"), "half");
        Files.setLastModifiedTime(leftover, FileTime.from(Instant.EPOCH));

        // Missing data fails the run after the output check.
        MainJobRun run = run("--data", dir.resolve("no-data").toString(), "--output", out.toString());

        assertEquals(MainJob.EXIT_FAILED, run.status(), run.output());
        assertEquals(List.of(), names(out));
    }

    @Test
    void aPortInUseIsSaidOnceInTheCommandLinesWords() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            MainJobRun run = run("--serve-metrics", Integer.toString(taken.getLocalPort()), "--output", dir.toString());

            assertEquals(MainJob.EXIT_FAILED, run.status(), run.output());
            assertEquals(
                    List.of(
                            "autobatch: cannot serve metrics on 127.0.0.1:" + taken.getLocalPort()
                                    + " (Address already in use); choose a free port with --serve-metrics PORT, or 0 for any free one"),
                    run.output().lines().toList());
        }
    }

    @Test
    void aBudgetTheProcessAloneExceedsFailsBeforeAnyTrialInTheCommandLinesWords() {
        FashionMnistFiles.assumeInstalled();

        MainJobRun run = run("--limit", "200", "--budget", "1m", "--retune", "--output", dir.toString());

        assertEquals(MainJob.EXIT_FAILED, run.status(), run.output());
        String last = run.output().lines().reduce((a, b) -> b).orElse("");
        assertTrue(last.startsWith("autobatch: Before any trial, this process already holds "), run.output());
        assertTrue(last.contains("Give a larger budget with --budget SIZE|FRACTION"), last);
        assertTrue(last.contains("train on fewer samples with --limit N"), last);
        assertFalse(run.output().contains("optMemoryBudgetBytes"), run.output());
        assertFalse(run.output().contains("trial batch"), run.output());
        assertFalse(run.output().contains("\tat "), "no stack trace: " + run.output());
    }

    @Test
    void aSingleSampleTunesAtBatchSizeOneInsteadOfFailingInTheApisWords() {
        FashionMnistFiles.assumeInstalled();

        MainJobRun run = run("--limit", "1", "--epochs", "1", "--retune", "--output", dir.toString());

        assertEquals(MainJob.EXIT_OK, run.status(), run.output());
        assertTrue(run.output().contains("Chosen batch size: 1 "), run.output());
    }

    @Test
    void aHeapTooSmallForTheDataSaysSoAndHowToGiveMore() throws Exception {
        FashionMnistFiles.assumeInstalled();

        Child child = child(List.of("-Xmx48m"), "--output", dir.toString());

        assertEquals(MainJob.EXIT_FAILED, child.status(), child.output());
        assertTrue(
                child.output().contains("autobatch: the Java heap ran out (Java heap space, at most ")
                        && child.output()
                                .contains(") while loading Fashion-MNIST. Give the JVM a larger heap"
                                        + " (JAVA_OPTS=-Xmx2g; in a container the default is a quarter of its memory limit) or use"
                                        + " fewer samples with --limit N."),
                child.output());
        assertFalse(child.output().contains("Exception in thread"), child.output());
    }

    @Test
    void aSignalWhileServingMetricsSaysTheEndpointStops() throws Exception {
        FashionMnistFiles.assumeInstalled();
        Process job = start(
                List.of(),
                "--limit",
                "500",
                "--epochs",
                "1",
                "--max-batch",
                "16",
                "--retune",
                "--serve-metrics",
                "0",
                "--output",
                dir.toString());
        List<String> lines = new ArrayList<>();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(job.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                lines.add(line);
                if (line.startsWith("Serving metrics at ")) {
                    // SIGTERM through the handle, which unlike Process.destroy leaves the output open to read.
                    job.toHandle().destroy();
                }
            }
            assertTrue(job.waitFor(60, TimeUnit.SECONDS));
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Serving metrics at ")), String.join("\n", lines));
        assertEquals("Interrupted: the metrics endpoint stops.", lines.get(lines.size() - 1), String.join("\n", lines));
    }

    private record Child(int status, String output) {}

    private static Child child(List<String> jvm, String... args) throws Exception {
        Process process = start(jvm, args);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS));
        return new Child(process.exitValue(), output);
    }

    private static Process start(List<String> jvm, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(List.of(
                "-Doffline=true",
                "-Dautobatch.cache=false",
                "-Dai.djl.pytorch.num_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                MainJob.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DJL_OFFLINE", "true");
        return builder.start();
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
