package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ForkedTuningTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> values) throws IOException {
        Properties properties = new Properties();
        properties.putAll(values);
        properties.setProperty(ForkedTuning.OUTPUT_DIRECTORY, dir.resolve("out").toString());
        Path file = dir.resolve("fork.properties");
        try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(writer, null);
        }
        return ForkedTuning.run(
                new String[] {file.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String failureLine() {
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(text.startsWith(ForkedTuning.FAILURE_MARKER), text);
        return text.lines().findFirst().orElseThrow().substring(ForkedTuning.FAILURE_MARKER.length());
    }

    private static Map<String, String> settings(String target) {
        return new TuneSettings(target, Map.of("goal", "THROUGHPUT", "saturationThreshold", "0.05")).toMap();
    }

    @Test
    void aMissingClassIsAConfigurationMistakeThatSaysWhereItLooked() throws IOException {
        assertEquals(ForkedTuning.EXIT_BAD_CONFIGURATION, run(settings("com.example.Missing")));
        String message = failureLine();
        assertTrue(
                message.startsWith(
                        "Tuning target class com.example.Missing was not found on the project's test class path"),
                message);
        assertTrue(Files.notExists(dir.resolve("out")));
    }

    @Test
    void aClassThatIsNotATargetIsAConfigurationMistake() throws IOException {
        assertEquals(ForkedTuning.EXIT_BAD_CONFIGURATION, run(settings(Targets.NotATarget.class.getName())));
        assertTrue(failureLine().contains("does not implement dev.autobatch.autotune.TuningTarget"));
    }

    @Test
    void aTargetWithoutANoArgumentConstructorIsAConfigurationMistake() throws IOException {
        assertEquals(ForkedTuning.EXIT_BAD_CONFIGURATION, run(settings(Targets.NeedsArguments.class.getName())));
        assertTrue(failureLine().contains("needs a public no-argument constructor"));
    }

    @Test
    void aFailingModelFailsTheTuningWithItsMessage() throws IOException {
        assertEquals(ForkedTuning.EXIT_TUNING_FAILED, run(settings(Targets.FailingModel.class.getName())));
        assertEquals(
                "Tuning " + Targets.FailingModel.class.getName() + " failed: IOException: "
                        + Targets.FailingModel.MESSAGE,
                failureLine());
        String progress = out.toString(StandardCharsets.UTF_8);
        assertTrue(
                progress.startsWith("Tuning " + Targets.FailingModel.class.getName() + ": goal THROUGHPUT"), progress);
    }

    @Test
    void badSettingsAreAConfigurationMistake() throws IOException {
        Map<String, String> values = new java.util.HashMap<>(settings("a.B"));
        values.put("memoryBudget", "lots");
        assertEquals(ForkedTuning.EXIT_BAD_CONFIGURATION, run(values));
        assertTrue(failureLine().startsWith("autobatch.memoryBudget must be"));
    }

    @Test
    void aMissingSettingsFileIsAConfigurationMistake() {
        int code = ForkedTuning.run(
                new String[] {dir.resolve("nothing.properties").toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(ForkedTuning.EXIT_BAD_CONFIGURATION, code);
    }
}
