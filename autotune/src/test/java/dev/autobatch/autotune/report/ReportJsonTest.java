package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.autobatch.autotune.StopReason;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class ReportJsonTest {

    @Test
    void readsBackExactlyTheResultItWrote() {
        for (TuningResult result : new TuningResult[] {
            ReportFixtures.h100Mlp(),
            ReportFixtures.h100MlpMaxFit(),
            ReportFixtures.cpuEveryOutcome(),
            ReportFixtures.bare(2, StopReason.DATASET_SIZE, Trial.measured(2, 0.1, -1)),
        }) {
            assertEquals(result, ReportJson.fromJson(ReportJson.toJson(result)));
        }
    }

    @Test
    void readsBackTheFileTheReportWriterWrote(@TempDir Path directory) throws IOException {
        TuningResult result = ReportFixtures.cpuEveryOutcome();
        ReportFiles files = ReportWriter.write(result, directory);

        assertEquals(result, ReportJson.read(files.json()));
    }

    @Test
    void namesTheSchemaAndWritesNullWhereNothingWasMeasured() {
        JsonObject json = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuEveryOutcome())).getAsJsonObject();

        assertEquals("autobatch-report/1", json.get("schema").getAsString());
        JsonObject outOfMemory = json.getAsJsonArray("trials").get(3).getAsJsonObject();
        assertEquals("out_of_memory", outOfMemory.get("outcome").getAsString());
        assertTrue(outOfMemory.get("samplesPerSecond").isJsonNull());
        assertTrue(outOfMemory.get("peakMemoryBytes").isJsonNull());
        assertTrue(outOfMemory.get("failure").isJsonNull());
        assertTrue(json.getAsJsonObject("hardware").get("engineInteropThreads").isJsonNull());
        assertEquals(73.25, json.get("elapsedSeconds").getAsDouble());
    }

    @Test
    void writesTheBudgetWithItsBasisAndTheChoiceInWords() {
        JsonObject json = JsonParser.parseString(ReportJson.toJson(ReportFixtures.h100Mlp())).getAsJsonObject();

        assertEquals(67_460_241_817L, json.getAsJsonObject("budget").get("bytes").getAsLong());
        assertEquals("80% of the 78.5 GiB free on gpu(0) (NVML)",
                json.getAsJsonObject("budget").get("basis").getAsString());
        JsonObject choice = json.getAsJsonObject("choice");
        assertEquals(4096, choice.get("batchSize").getAsInt());
        assertEquals("THROUGHPUT_SATURATED", choice.get("stopReason").getAsString());
        assertEquals("a larger batch no longer raised throughput by more than 5%",
                choice.get("stoppedBecause").getAsString());
        assertEquals("Batch size 4,096 is the smallest whose throughput (413,725 samples/s) is within 5% of the"
                + " best measured (432,799 samples/s at batch size 32,768).", choice.get("explanation").getAsString());
    }

    @Test
    void refusesAnotherSchemaAndWhatIsNoReport(@TempDir Path directory) throws IOException {
        String newer = ReportJson.toJson(ReportFixtures.h100Mlp()).replace("autobatch-report/1", "autobatch-report/2");
        Path file = Files.writeString(directory.resolve("report.json"), newer);

        IOException error = assertThrows(IOException.class, () -> ReportJson.read(file));
        assertTrue(error.getMessage().startsWith("Cannot read " + file + ": report schema autobatch-report/2"),
                error.getMessage());
        IllegalArgumentException notReport =
                assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson("{\"trials\": []}"));
        assertEquals("not an AutoBatch report: expected \"schema\": \"autobatch-report/1\", found null",
                notReport.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson("[1, 2"));
    }

    @Test
    void namesAMissingFieldAndABadConstant() {
        String json = ReportJson.toJson(ReportFixtures.h100Mlp());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ReportJson.fromJson(json.replace("\"elapsedSeconds\"", "\"elapsed\"")));
        assertTrue(missing.getMessage().startsWith("missing field \"elapsedSeconds\""), missing.getMessage());
        IllegalArgumentException constant = assertThrows(IllegalArgumentException.class,
                () -> ReportJson.fromJson(json.replace("\"THROUGHPUT_SATURATED\"", "\"BORED\"")));
        assertTrue(constant.getMessage().startsWith("field \"stopReason\" must name a StopReason"),
                constant.getMessage());
    }
}
