package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportJsonTest {

    @Test
    void readsBackExactlyTheResultItWrote() {
        for (TuningResult result : new TuningResult[] {
            ReportFixtures.h100Mlp(),
            ReportFixtures.h100MlpMaxFit(),
            ReportFixtures.cpuEveryOutcome(),
            ReportFixtures.cpuGoodputPlanned(),
            ReportFixtures.cpuWithSpread(),
            ReportFixtures.bare(
                    2,
                    StopReason.OUT_OF_MEMORY,
                    Trial.measured(2, 10, 100).withStepTimeSpread(0.0125, 0),
                    Trial.outOfMemory(4)),
            ReportFixtures.bare(2, StopReason.DATASET_SIZE, Trial.measured(2, 0.1, -1)),
        }) {
            assertEquals(result, ReportJson.fromJson(ReportJson.toJson(result)));
        }
    }

    @Test
    void writesTheNoiseScaleThePlanAndTheLearningRate() {
        TuningResult result = ReportFixtures.cpuGoodputPlanned();
        JsonObject json = JsonParser.parseString(ReportJson.toJson(result)).getAsJsonObject();

        JsonObject noise = json.getAsJsonObject("noiseScale");
        assertEquals(480.0, noise.get("bSimple").getAsDouble(), 1e-6);
        assertEquals(7, noise.get("batchSizes").getAsInt());
        assertTrue(
                noise.get("description").getAsString().startsWith("B_simple ≈ 480 samples"),
                noise.get("description").getAsString());
        JsonObject plan = json.getAsJsonObject("accumulation");
        assertEquals(1000, plan.get("microBatchSize").getAsInt());
        assertEquals(10, plan.get("accumulationSteps").getAsInt());
        assertEquals(10_000, plan.get("globalBatchSize").getAsInt());
        assertEquals(10_000, plan.get("targetBatchSize").getAsInt());
        JsonObject rate = json.getAsJsonObject("learningRate");
        assertEquals("LINEAR", rate.get("rule").getAsString());
        assertEquals(0.32, rate.get("learningRate").getAsDouble(), 1e-12, "capped at 32x");
        assertEquals(5, rate.get("warmupEpochs").getAsInt());
        assertEquals(
                10_000,
                json.getAsJsonObject("configuration").get("targetBatchSize").getAsInt());
        assertEquals(
                "GOODPUT", json.getAsJsonObject("configuration").get("goal").getAsString());
        JsonObject trial = json.getAsJsonArray("trials").get(0).getAsJsonObject();
        assertEquals(0.3 * 120.0 / 16, trial.get("gradientNormSquaredStdDev").getAsDouble(), 1e-12);
        assertEquals(1, trial.get("accumulationSteps").getAsInt());
        JsonObject bare = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuEveryOutcome()))
                .getAsJsonObject();
        assertTrue(bare.getAsJsonObject("learningRate").get("learningRate").isJsonNull());
        assertTrue(bare.getAsJsonObject("configuration").get("targetBatchSize").isJsonNull());
    }

    @Test
    void readsAReportWrittenBeforeTheNoiseScalePlanAndAdviceWereAdded() {
        for (TuningResult result : new TuningResult[] {ReportFixtures.h100Mlp(), ReportFixtures.cpuEveryOutcome()}) {
            JsonObject json = JsonParser.parseString(ReportJson.toJson(result)).getAsJsonObject();
            json.remove("noiseScale");
            json.remove("accumulation");
            json.remove("learningRate");
            json.remove("source");
            for (String field : new String[] {"referenceBatchSize", "targetBatchSize", "devices"}) {
                json.getAsJsonObject("configuration").remove(field);
            }
            json.getAsJsonArray("trials").forEach(t -> {
                t.getAsJsonObject().remove("gradientNormSquaredStdDev");
                t.getAsJsonObject().remove("accumulationSteps");
                t.getAsJsonObject().remove("stepSecondsIqr");
                t.getAsJsonObject().remove("measuredSteps");
            });

            assertEquals(result, ReportJson.fromJson(json.toString()));
        }
    }

    @Test
    void writesEachTrialsStepTimeSpreadAndNullWhereItIsUnknown() {
        TuningResult result = ReportFixtures.cpuWithSpread();
        JsonObject json = JsonParser.parseString(ReportJson.toJson(result)).getAsJsonObject();

        JsonObject first = json.getAsJsonArray("trials").get(0).getAsJsonObject();
        assertEquals(
                result.trials().get(0).stepSecondsIqr(),
                first.get("stepSecondsIqr").getAsDouble());
        assertEquals(0.31 * 32 / 9_800, first.get("stepSecondsIqr").getAsDouble(), 1e-15);
        assertEquals(5, first.get("measuredSteps").getAsInt());
        JsonObject unknown = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuEveryOutcome()))
                .getAsJsonObject()
                .getAsJsonArray("trials")
                .get(0)
                .getAsJsonObject();
        assertTrue(unknown.get("stepSecondsIqr").isJsonNull(), unknown.toString());
        assertTrue(unknown.get("measuredSteps").isJsonNull(), unknown.toString());
    }

    @Test
    void recordsWhereTheResultCameFromAndReadsItBack() {
        TuningResult measured = ReportFixtures.h100Mlp();
        JsonObject json = JsonParser.parseString(ReportJson.toJson(measured)).getAsJsonObject();
        assertEquals("MEASURED", json.get("source").getAsString());

        json.addProperty("source", "CACHED");
        TuningResult cached = ReportJson.fromJson(json.toString());

        assertEquals(TuningResult.Source.CACHED, cached.source());
        assertEquals(measured.trials(), cached.trials());
        assertEquals(measured.memoryBudgetBytes(), cached.memoryBudgetBytes());
        assertEquals(measured.memoryBudgetBasis(), cached.memoryBudgetBasis());
    }

    @Test
    void theSchemaDocumentsEveryFieldOfATrial() throws IOException {
        String schema;
        try (var in = ReportJson.class.getResourceAsStream("report-schema.md")) {
            assertTrue(in != null, "report-schema.md is not beside ReportJson");
            schema = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        JsonObject trial = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuWithSpread()))
                .getAsJsonObject()
                .getAsJsonArray("trials")
                .get(0)
                .getAsJsonObject();

        for (String field : trial.keySet()) {
            assertTrue(schema.contains("| `trials[]." + field + "` |"), "report-schema.md lacks trials[]." + field);
        }
    }

    @Test
    void aTrialFromAReportWithoutTheSpreadReadsAsUnknown() {
        JsonObject json = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuWithSpread()))
                .getAsJsonObject();
        json.getAsJsonArray("trials").forEach(t -> {
            t.getAsJsonObject().remove("stepSecondsIqr");
            t.getAsJsonObject().remove("measuredSteps");
        });

        for (Trial trial : ReportJson.fromJson(json.toString()).trials()) {
            assertTrue(Double.isNaN(trial.stepSecondsIqr()), trial.toString());
            assertEquals(0, trial.measuredSteps(), trial.toString());
            assertTrue(Double.isNaN(trial.relativeSpread()), trial.toString());
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
        JsonObject json = JsonParser.parseString(ReportJson.toJson(ReportFixtures.cpuEveryOutcome()))
                .getAsJsonObject();

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
        JsonObject json = JsonParser.parseString(ReportJson.toJson(ReportFixtures.h100Mlp()))
                .getAsJsonObject();

        assertEquals(
                67_460_241_817L, json.getAsJsonObject("budget").get("bytes").getAsLong());
        assertEquals(
                "80% of the 78.5 GiB free on gpu(0) (NVML)",
                json.getAsJsonObject("budget").get("basis").getAsString());
        JsonObject choice = json.getAsJsonObject("choice");
        assertEquals(8192, choice.get("batchSize").getAsInt());
        assertEquals("THROUGHPUT_SATURATED", choice.get("stopReason").getAsString());
        assertEquals(
                "a larger batch no longer paid: the last two doublings raised throughput by at most 2.5%"
                        + " (one doubling where the next trial was expensive)",
                choice.get("stoppedBecause").getAsString());
        assertEquals(
                ReportFixtures.h100Mlp().explanation(),
                choice.get("explanation").getAsString());
        assertTrue(
                choice.get("explanation")
                        .getAsString()
                        .startsWith("Batch size 8,192 is the smallest whose" + " throughput is within 4% of the best"),
                choice.toString());
    }

    @Test
    void refusesAnotherSchemaAndWhatIsNoReport(@TempDir Path directory) throws IOException {
        String newer = ReportJson.toJson(ReportFixtures.h100Mlp()).replace("autobatch-report/1", "autobatch-report/2");
        Path file = Files.writeString(directory.resolve("report.json"), newer);

        IOException error = assertThrows(IOException.class, () -> ReportJson.read(file));
        assertTrue(
                error.getMessage().startsWith("Cannot read " + file + ": report schema autobatch-report/2"),
                error.getMessage());
        IllegalArgumentException notReport =
                assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson("{\"trials\": []}"));
        assertEquals(
                "not an AutoBatch report: expected \"schema\": \"autobatch-report/1\", found null",
                notReport.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson("[1, 2"));
    }

    @Test
    void namesAMissingFieldAndABadConstant() {
        String json = ReportJson.toJson(ReportFixtures.h100Mlp());

        IllegalArgumentException missing = assertThrows(
                IllegalArgumentException.class,
                () -> ReportJson.fromJson(json.replace("\"elapsedSeconds\"", "\"elapsed\"")));
        assertTrue(missing.getMessage().startsWith("missing field \"elapsedSeconds\""), missing.getMessage());
        IllegalArgumentException constant = assertThrows(
                IllegalArgumentException.class,
                () -> ReportJson.fromJson(json.replace("\"THROUGHPUT_SATURATED\"", "\"BORED\"")));
        assertTrue(
                constant.getMessage().startsWith("field \"stopReason\" must name a StopReason"), constant.getMessage());
    }

    @Test
    void refusesAReportThatParsesButHoldsNonsenseNamingTheField() {
        String json = ReportJson.toJson(ReportFixtures.h100Mlp());
        JsonObject root = JsonParser.parseString(json).getAsJsonObject();
        int chosen = root.getAsJsonObject("choice").get("batchSize").getAsInt();
        String choice = "\"choice\": {\n    \"batchSize\": " + chosen;
        assertTrue(json.contains(choice), json);

        assertRefused(
                json.replace("\"model\": \"mlp-784-4096-4096-10\"", "\"model\": null"), "field \"model\" must be text");
        assertRefused(json.replace("\"device\": \"gpu(0)\"", "\"device\": null"), "field \"device\" must be text");
        assertRefused(
                json.replaceFirst("\"verdict\": \"[^\"]*\"", "\"verdict\": null"), "field \"verdict\" must be text");
        assertRefused(
                json.replace(choice, "\"choice\": {\n    \"batchSize\": 1e30"),
                "field \"batchSize\" must be a whole number from 1 to 2147483647, got 1e30");
        assertRefused(json.replace(choice, "\"choice\": {\n    \"batchSize\": 0"), "from 1 to 2147483647, got 0");
        assertRefused(json.replace(choice, "\"choice\": {\n    \"batchSize\": 12.5"), "got 12.5");
        assertRefused(
                json.replace(choice, "\"choice\": {\n    \"batchSize\": 3"),
                "the chosen batch size 3 is none that a trial measured");
        assertRefused(
                json.replaceFirst("\"peakMemoryBytes\": \\d+", "\"peakMemoryBytes\": 1e30"),
                "field \"peakMemoryBytes\" must be a whole number from 0 to 9223372036854775807");
        assertRefused(
                json.replaceFirst("\"samplesPerSecond\": [0-9.]+", "\"samplesPerSecond\": 1e999"),
                "field \"samplesPerSecond\" must be a finite number or null");
        assertRefused(
                json.replaceFirst("\"elapsedSeconds\": [0-9.]+", "\"elapsedSeconds\": -4"),
                "field \"elapsedSeconds\" must be seconds from 0 to a year, got -4");
        assertRefused(
                json.replaceFirst("\"saturationThreshold\": [0-9.]+", "\"saturationThreshold\": 7"),
                "field \"saturationThreshold\" must be in (0, 1), got 7.0");
    }

    private static void assertRefused(String json, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReportJson.fromJson(json));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
