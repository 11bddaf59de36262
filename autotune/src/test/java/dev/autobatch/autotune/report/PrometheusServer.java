package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Prometheus server, started for one test from the {@code prometheus} binary (Debian
 * package {@code prometheus}) on a free loopback port, scraping one target every second, with its
 * storage in a temporary directory. {@link #close()} stops it.
 */
final class PrometheusServer implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(250);

    private final Process process;
    private final Path log;
    private final URI api;
    private final HttpClient http = HttpClient.newBuilder()
            .proxy(HttpClient.Builder.NO_PROXY)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    private PrometheusServer(Process process, Path log, URI api) {
        this.process = process;
        this.log = log;
        this.api = api;
    }

    /**
     * Finds the {@code prometheus} binary. Where the environment variable {@code CI} is {@code
     * true} a missing binary fails the test, since CI installs it; elsewhere the test is skipped.
     *
     * @return the binary
     */
    static Path binary() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                                .filter(dir -> !dir.isEmpty())
                                .map(dir -> Path.of(dir, "prometheus")),
                        Stream.of(Path.of("/usr/bin/prometheus")))
                .filter(Files::isExecutable)
                .findFirst();
        String missing = "No prometheus binary on the PATH: install it with `apt-get install prometheus`"
                + " (Debian package, 2.42 or later) to run the test against a real Prometheus.";
        if (found.isEmpty() && "true".equalsIgnoreCase(System.getenv("CI"))) {
            fail(missing + " CI=true, so this is a failure, not a skip.");
        }
        Assumptions.assumeTrue(found.isPresent(), missing);
        return found.get();
    }

    /**
     * Starts Prometheus scraping one target.
     *
     * @param binary the {@code prometheus} binary
     * @param directory an empty directory for its configuration, storage and log
     * @param target the URL to scrape, on loopback
     * @return the running server
     * @throws IOException if it cannot be started
     */
    static PrometheusServer start(Path binary, Path directory, URI target) throws IOException {
        int port = freeLoopbackPort();
        Path config = directory.resolve("prometheus.yml");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "global:",
                        "  scrape_interval: 1s",
                        "  scrape_timeout: 1s",
                        "  evaluation_interval: 1s",
                        "scrape_configs:",
                        "  - job_name: autobatch",
                        "    metrics_path: " + target.getPath(),
                        "    static_configs:",
                        "      - targets: ['" + target.getAuthority() + "']",
                        ""));
        Path log = directory.resolve("prometheus.log");
        Process process = new ProcessBuilder(
                        binary.toString(),
                        "--config.file=" + config,
                        "--storage.tsdb.path=" + directory.resolve("data"),
                        "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new PrometheusServer(process, log, URI.create("http://127.0.0.1:" + port + "/api/v1/"));
    }

    /**
     * Polls an instant query until it returns at least one series, the way a dashboard would see
     * the value once Prometheus has scraped it.
     *
     * @param promql the query
     * @param timeout how long to wait
     * @return the query's {@code data.result} array, not empty
     */
    JsonArray awaitSeries(String promql, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        String last = "no answer yet";
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                fail("Prometheus exited with status " + process.exitValue() + ". Its log:\n" + logTail());
            }
            try {
                HttpResponse<String> response = http.send(
                        HttpRequest.newBuilder(
                                        api.resolve("query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)))
                                .timeout(Duration.ofSeconds(2))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                last = response.statusCode() + " " + response.body();
                if (response.statusCode() == 200) {
                    JsonObject body = JsonParser.parseString(response.body()).getAsJsonObject();
                    JsonArray result = body.getAsJsonObject("data").getAsJsonArray("result");
                    if (!result.isEmpty()) {
                        return result;
                    }
                }
            } catch (IOException e) {
                // Not listening yet: Prometheus takes a moment to open its storage.
                last = e.toString();
            }
            Thread.sleep(POLL.toMillis());
        }
        fail("Prometheus had no series for " + promql + " after " + timeout.toSeconds() + " s; last answer: " + last
                + "\nIts log:\n" + logTail());
        throw new AssertionError("unreachable");
    }

    /** Stops Prometheus and waits for it to exit; kills it if it does not within 15 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
