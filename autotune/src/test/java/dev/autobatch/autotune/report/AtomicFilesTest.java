package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

    /** No process has this id: Linux caps process ids at 2^22. */
    private static final long NO_SUCH_PROCESS = 999_999_999L;

    @TempDir
    Path dir;

    @Test
    void writesEveryFileOfASetAndLeavesNoTemporary() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("report.md", bytes("md"));
        files.put("report.json", bytes("json"));

        List<Path> written = AtomicFiles.writeAll(dir.resolve("out"), files);

        assertEquals(List.of(dir.resolve("out/report.md"), dir.resolve("out/report.json")), written);
        assertEquals("json", Files.readString(dir.resolve("out/report.json")));
        assertEquals(List.of("report.json", "report.md"), names(dir.resolve("out")));
    }

    @Test
    void aSetWithANameTakenByADirectoryReplacesNoneOfTheEarlierFiles() throws IOException {
        AtomicFiles.write(dir.resolve("a.md"), bytes("old a"));
        Files.createDirectory(dir.resolve("b.md"));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a.md", bytes("new a"));
        files.put("b.md", bytes("new b"));

        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeAll(dir, files));

        assertTrue(e.getMessage().contains("b.md is a directory"), e.getMessage());
        assertEquals("old a", Files.readString(dir.resolve("a.md")));
        assertEquals(List.of("a.md", "b.md"), names(dir));
    }

    @Test
    void leftoversOfAWriterThatIsGoneAreDeletedAndLiveOnesKept() throws IOException {
        Instant old = Instant.now().minus(Duration.ofMinutes(5));
        Path dead = temp(".report.json.autobatch-" + NO_SUCH_PROCESS + "-0a1b2c3d.tmp", old);
        Path earlierVersion = temp(".report.md.123e4567-e89b-12d3-a456-426614174000.tmp", old);
        Path earlierCache = temp("." + "ab".repeat(32) + "8412693.tmp", old);
        Path fresh = temp(".chart.png.autobatch-" + NO_SUCH_PROCESS + "-0a1b2c3e.tmp", Instant.now());
        Path notOurs = temp(".editor-swap.tmp", old);

        int removed = AtomicFiles.removeLeftovers(dir);

        assertEquals(3, removed);
        assertFalse(Files.exists(dead));
        assertFalse(Files.exists(earlierVersion));
        assertFalse(Files.exists(earlierCache));
        assertTrue(Files.exists(fresh), "a writer elsewhere may still be writing it");
        assertTrue(Files.exists(notOurs));
    }

    @Test
    void aTemporaryOfARunningWriterIsKeptUnlessItsIdWasReusedSince() throws IOException {
        Instant started = ProcessHandle.current().info().startInstant().orElseThrow();
        Path ours = temp(
                ".report.json.autobatch-" + ProcessHandle.current().pid() + "-0a1b2c3d.tmp", started.plusSeconds(1));
        Path beforeWeStarted = temp(
                ".report.md.autobatch-" + ProcessHandle.current().pid() + "-0a1b2c3e.tmp",
                started.minus(Duration.ofHours(1)));
        Instant later = started.plusSeconds(1).plus(AtomicFiles.LEFTOVER_AGE).plusSeconds(1);

        assertFalse(AtomicFiles.isLeftover(ours, later));
        assertTrue(AtomicFiles.isLeftover(beforeWeStarted, later));
    }

    @Test
    void aWriteDeletesTheLeftoversInItsDirectory() throws IOException {
        Path dead = temp(".report.json.autobatch-" + NO_SUCH_PROCESS + "-0a1b2c3d.tmp", Instant.EPOCH);

        AtomicFiles.write(dir.resolve("report.json"), bytes("{}"));

        assertEquals(List.of("report.json"), names(dir));
        assertFalse(Files.exists(dead));
    }

    @Test
    void aDirectoryThatCannotBeWrittenIsFoundByTheCheck() throws IOException {
        // Tests may run as root, whom permissions do not stop; a regular file in the way stops anyone.
        Path file = Files.writeString(dir.resolve("file"), "x");

        assertThrows(IOException.class, () -> AtomicFiles.checkWritable(file.resolve("out")));
        AtomicFiles.checkWritable(dir.resolve("fine"));
        assertEquals(List.of(), names(dir.resolve("fine")));
    }

    @Test
    void aSignalLeavesOneWholeSetAndNoTemporary() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Set<String> outcomes = new HashSet<>();
        for (int run = 0; run < 3; run++) {
            Path out = Files.createDirectories(dir.resolve("run" + run));
            Process writer = new ProcessBuilder(
                            java.toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            SetWriterProcess.class.getName(),
                            out.toString())
                    .redirectErrorStream(true)
                    .start();
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                assertEquals("written", lines.readLine());
                Thread.sleep(50L * run);
                writer.destroy(); // SIGTERM, as kill and an orchestrator's stop send
                assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
            }
            Set<String> generations = new HashSet<>();
            for (String name : SetWriterProcess.NAMES) {
                generations.add(Files.readAllLines(out.resolve(name)).get(0));
            }
            assertEquals(1, generations.size(), "one set, not a mix: " + generations);
            assertEquals(
                    List.of(SetWriterProcess.NAMES).stream().sorted().toList(),
                    names(out),
                    "no temporary is left behind");
            outcomes.add(writer.exitValue() + "");
        }
        assertFalse(outcomes.contains("0"), "the writer was ended by the signal, not by itself: " + outcomes);
    }

    private Path temp(String name, Instant modified) throws IOException {
        Path file = Files.writeString(dir.resolve(name), "partial");
        Files.setLastModifiedTime(file, FileTime.from(modified));
        return file;
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
