package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PrometheusEndpointTest {

    /** The Accept header Prometheus 2.42 sends with each scrape. */
    static final String PROMETHEUS_ACCEPT =
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    @Test
    void servesOpenMetricsWhenPrometheusAsksForIt() throws Exception {
        record(ReportFixtures.h100Mlp());
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            HttpResponse<String> response = get(endpoint.uri(), PROMETHEUS_ACCEPT);

            assertEquals(200, response.statusCode());
            assertEquals(PrometheusEndpoint.OPENMETRICS_CONTENT_TYPE, contentType(response));
            assertTrue(response.body().endsWith("# EOF\n"), response.body());
            assertTrue(
                    response.body()
                            .contains(
                                    "autobatch_batch_size{device=\"gpu(0)\",goal=\"throughput\",model=\"mlp-784-4096-4096-10\"} 8192"),
                    response.body());
        }
    }

    @Test
    void servesTheTextFormatToOtherClients() throws Exception {
        record(ReportFixtures.h100Mlp());
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            HttpResponse<String> plain = get(endpoint.uri(), "text/plain");
            HttpResponse<String> none = get(endpoint.uri(), null);

            assertEquals(PrometheusEndpoint.TEXT_CONTENT_TYPE, contentType(plain));
            assertEquals(PrometheusEndpoint.TEXT_CONTENT_TYPE, contentType(none));
            assertFalse(plain.body().contains("# EOF"), plain.body());
            assertTrue(plain.body().contains("# TYPE autobatch_batch_size gauge"), plain.body());
            assertEquals(plain.body(), none.body());
        }
    }

    @Test
    void namesTheMetersAsPrometheusConventionsExpect() throws Exception {
        record(ReportFixtures.cpuEveryOutcome());
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            String body = get(endpoint.uri(), null).body();

            assertTrue(body.contains("autobatch_trial_throughput_samples_per_second{batch_size=\"64\"} 2210.0"), body);
            assertTrue(body.contains("autobatch_trial_memory_peak_bytes{batch_size=\"64\"} 1.33E9"), body);
            assertTrue(body.contains("autobatch_memory_budget_bytes 1.3743895347E10"), body);
            assertTrue(body.contains("autobatch_trials_total{outcome=\"out_of_memory\"} 1.0"), body);
            assertTrue(body.contains("autobatch_tuning_duration_seconds_count 1"), body);
            assertTrue(body.contains("autobatch_tuning_duration_seconds_sum 73.25"), body);
            assertTrue(body.contains("# HELP autobatch_batch_size The batch size the latest tuning chose"), body);
        }
    }

    @Test
    void listensOnLoopbackOnAFreePortWhenGivenZero() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            assertTrue(endpoint.port() > 0);
            assertEquals(endpoint.port(), endpoint.uri().getPort());
            assertTrue(InetAddress.getByName(
                            endpoint.uri().getHost().replace("[", "").replace("]", ""))
                    .isLoopbackAddress());
            assertEquals(PrometheusEndpoint.PATH, endpoint.uri().getPath());
        }
    }

    @Test
    void answersNotFoundOutsideTheMetricsPathAndRefusesWrites() throws Exception {
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            HttpResponse<String> other = get(endpoint.uri().resolve("/metricsx"), null);
            HttpResponse<String> post = HTTP.send(
                    HttpRequest.newBuilder(endpoint.uri())
                            .POST(HttpRequest.BodyPublishers.ofString("x"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertEquals(404, other.statusCode());
            assertEquals(405, post.statusCode());
            assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
        }
    }

    @Test
    void aTakenPortGivesAnErrorNamingThePortAndTheFix() throws Exception {
        try (PrometheusEndpoint first = PrometheusEndpoint.start(registry, 0)) {
            IOException error = assertThrows(IOException.class, () -> PrometheusEndpoint.start(registry, first.port()));

            assertTrue(error.getMessage().contains(":" + first.port()), error.getMessage());
            assertTrue(error.getMessage().contains("or 0 for a free one"), error.getMessage());
        }
    }

    @Test
    void refusesAPortOutOfRange() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> PrometheusEndpoint.start(registry, 70000));
        assertEquals("port must be in 0..65535, got 70000; 0 picks a free port", error.getMessage());
    }

    @Test
    void stopsServingWhenClosed() throws Exception {
        URI uri;
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0)) {
            uri = endpoint.uri();
            assertEquals(200, get(uri, null).statusCode());
        }
        assertThrows(IOException.class, () -> get(uri, null));
    }

    @Test
    void theGlobalEndpointServesTheGlobalMetricsUntilClosed() throws Exception {
        PrometheusMeterRegistry served;
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(0)) {
            served = endpoint.registry();
            TuningMetrics.global().bindTo(Metrics.globalRegistry); // as AutoBatch.tune does
            TuningMetrics.global().record(ReportFixtures.h100Mlp());

            assertTrue(Metrics.globalRegistry.getRegistries().contains(served));
            String body = get(endpoint.uri(), null).body();
            assertTrue(
                    body.contains(
                            "autobatch_batch_size{device=\"gpu(0)\",goal=\"throughput\",model=\"mlp-784-4096-4096-10\"} 8192"),
                    body);
        }
        assertFalse(Metrics.globalRegistry.getRegistries().contains(served));
    }

    @Test
    void aClientHoldingAHalfSentRequestOpenDelaysNoScrape() throws Exception {
        record(ReportFixtures.h100Mlp());
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0);
                Socket stalled = halfSentRequest(endpoint)) {
            // Let the server take the stalled request up before scraping beside it.
            Thread.sleep(200);
            long start = System.nanoTime();
            HttpResponse<String> response = get(endpoint.uri(), null);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertEquals(200, response.statusCode());
            assertTrue(response.body().contains("autobatch_batch_size"), response.body());
            assertTrue(took.compareTo(Duration.ofSeconds(1)) < 0, "the scrape took " + took);
            assertTrue(stalled.isConnected() && !stalled.isClosed());
        }
    }

    @Test
    void clientsStalledPastTheReadTimeoutLoseTheirConnectionsAndFreeEveryThread() throws Exception {
        Duration timeout = Duration.ofMillis(300);
        try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(registry, 0, timeout)) {
            List<Socket> stalled = new ArrayList<>();
            try {
                // More stalled clients than threads: only the timeout lets a scrape through.
                for (int i = 0; i < PrometheusEndpoint.THREADS + 2; i++) {
                    stalled.add(halfSentRequest(endpoint));
                }
                long start = System.nanoTime();
                HttpResponse<String> response = get(endpoint.uri(), null);
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertEquals(200, response.statusCode());
                assertTrue(took.compareTo(timeout.multipliedBy(3).plusSeconds(1)) < 0, "the scrape took " + took);
                for (Socket socket : stalled) {
                    socket.setSoTimeout(5_000);
                    // The server closed it: end of stream, or a reset where unread bytes were pending.
                    try {
                        assertEquals(-1, socket.getInputStream().read());
                    } catch (SocketException reset) {
                        assertTrue(
                                reset.getMessage()
                                        .toLowerCase(java.util.Locale.ROOT)
                                        .contains("reset"),
                                reset.getMessage());
                    }
                }
            } finally {
                for (Socket socket : stalled) {
                    socket.close();
                }
            }
        }
    }

    /** Opens a raw connection that sends a request line and a header but never the blank line after. */
    private static Socket halfSentRequest(PrometheusEndpoint endpoint) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), endpoint.port());
        OutputStream out = socket.getOutputStream();
        out.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    private void record(dev.autobatch.autotune.TuningResult result) {
        TuningMetrics metrics = new TuningMetrics();
        metrics.bindTo(registry);
        metrics.record(result);
    }

    private static HttpResponse<String> get(URI uri, String accept) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String contentType(HttpResponse<?> response) {
        return response.headers().firstValue("Content-Type").orElse("");
    }
}
