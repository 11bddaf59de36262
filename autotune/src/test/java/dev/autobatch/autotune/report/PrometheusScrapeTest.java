package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.training.dataset.ArrayDataset;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.autobatch.autotune.AutoBatch;
import dev.autobatch.autotune.TuneOptions;
import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.TestModels;
import dev.autobatch.core.Trial;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics as a real Prometheus server sees them: it scrapes a {@link PrometheusEndpoint} and
 * answers queries through its HTTP API. Needs the {@code prometheus} binary (see {@link
 * PrometheusServer#binary()}).
 */
class PrometheusScrapeTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** A real tuning of a small MLP on CPU; AutoBatch.tune publishes it to the global registry. */
    private static TuningResult tuning() {
        try (Model model = TestModels.model("prometheus-mlp", TestModels.mlp(32, 10))) {
            ArrayDataset data = TestModels.randomData(model.getNDManager(), 2048, 784, 10);
            return AutoBatch.tune(
                    model,
                    data,
                    TuneOptions.builder()
                            .optTrial(t -> t.optMeasuredSteps(2))
                            .optCache(false)
                            .build());
        }
    }

    @Test
    void prometheusScrapesTheChosenBatchSizeAndEveryMeasuredTrial(@TempDir Path directory) throws Exception {
        Path binary = PrometheusServer.binary();
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0);
                PrometheusServer prometheus = PrometheusServer.start(binary, directory, endpoint.uri())) {
            TuningResult result = tuning();

            // Other tests in this JVM publish to the same global registry: select this tuning's series.
            JsonArray chosen = prometheus.awaitSeries("autobatch_batch_size{model=\"prometheus-mlp\"}", TIMEOUT);
            assertEquals(1, chosen.size(), chosen.toString());
            JsonObject series = chosen.get(0).getAsJsonObject();
            assertEquals(
                    result.batchSize(), series.getAsJsonArray("value").get(1).getAsDouble());
            JsonObject labels = series.getAsJsonObject("metric");
            assertEquals(result.context().modelName(), labels.get("model").getAsString());
            assertEquals(result.context().device(), labels.get("device").getAsString());
            assertEquals("balanced", labels.get("goal").getAsString(), "the default goal");

            Set<String> measured = new HashSet<>();
            for (Trial trial : result.trials()) {
                if (trial.ok()) {
                    measured.add(Integer.toString(trial.batchSize()));
                }
            }
            Set<String> scraped = new HashSet<>();
            for (var element : prometheus.awaitSeries("autobatch_trial_throughput_samples_per_second", TIMEOUT)) {
                scraped.add(element.getAsJsonObject()
                        .getAsJsonObject("metric")
                        .get("batch_size")
                        .getAsString());
            }
            assertEquals(measured, scraped);
        }
    }
}
