package dev.autobatch.autotune.report;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves a {@link PrometheusMeterRegistry} for Prometheus to scrape, at {@code
 * http://127.0.0.1:<port>/metrics}, with the JDK's own HTTP server. Only the loopback interface
 * listens: a Prometheus on the same machine can scrape it, nothing else can.
 *
 * <pre>{@code
 * try (PrometheusEndpoint endpoint = PrometheusEndpoint.start(9464)) {
 *     TuningResult result = AutoBatch.tune(model, data); // publishes to the global registry
 *     // ... train; Prometheus scrapes 127.0.0.1:9464/metrics
 * }
 * }</pre>
 *
 * <p>The response's format follows the request's {@code Accept} header as Prometheus asks for it:
 * OpenMetrics ({@value #OPENMETRICS_CONTENT_TYPE}) when the header names {@code
 * application/openmetrics-text}, as Prometheus' own scrapes do; the Prometheus text format
 * ({@value #TEXT_CONTENT_TYPE}) otherwise. This is the choice {@link
 * PrometheusMeterRegistry#scrape(String)} makes between the two text formats; the protobuf format
 * is not offered. {@code Content-Type} names the format sent.
 *
 * <p>Each connection is served on its own: {@value #THREADS} threads serve requests side by side,
 * and a client whose request has not arrived, line and headers, within five seconds loses
 * its connection, so a client that stalls halfway through a request delays no scrape (see {@link
 * ConnectionExecutor}).
 *
 * <p>Close the endpoint when done: the JDK's HTTP server runs a non-daemon thread.
 */
public final class PrometheusEndpoint implements AutoCloseable {

    /** The path Prometheus scrapes. */
    public static final String PATH = "/metrics";
    /** The content type of an OpenMetrics response. */
    public static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    /** The content type of a response in the Prometheus text format. */
    public static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    /** The connections served at once; more wait for one of them to end. */
    static final int THREADS = 4;
    /**
     * How long a request's line and headers may take to arrive. A scrape on loopback sends them at
     * once; a client still sending after this long has stalled.
     */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final PrometheusMeterRegistry registry;
    private final boolean global;
    private final HttpServer server;
    private final ConnectionExecutor executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PrometheusEndpoint(PrometheusMeterRegistry registry, boolean global, int port, Duration readTimeout)
            throws IOException {
        this.registry = registry;
        this.global = global;
        try {
            server = HttpServer.create(new InetSocketAddress(LOOPBACK, port), 0);
        } catch (BindException e) {
            throw new IOException(
                    "Cannot serve Prometheus metrics on "
                            + LOOPBACK.getHostAddress()
                            + ":"
                            + port
                            + ": "
                            + e.getMessage()
                            + ". Choose another port, or 0 for a free one.",
                    e);
        }
        executor = new ConnectionExecutor(THREADS, readTimeout, "autobatch-metrics");
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts serving a new Prometheus registry added to {@link Metrics#globalRegistry}, so that
     * it serves everything published there, {@link TuningMetrics#global()} included. {@link
     * #close()} removes it from the global registry again.
     *
     * @param port the loopback port, or {@code 0} for a free one (see {@link #port()})
     * @return the running endpoint
     * @throws IOException if the port cannot be bound
     */
    public static PrometheusEndpoint start(int port) throws IOException {
        checkPort(port);
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Metrics.addRegistry(registry);
        try {
            return new PrometheusEndpoint(registry, true, port, READ_TIMEOUT);
        } catch (IOException | RuntimeException e) {
            Metrics.removeRegistry(registry);
            registry.close();
            throw e;
        }
    }

    /**
     * Starts serving the given registry. {@link #close()} stops the server and leaves the
     * registry open.
     *
     * @param registry the registry to serve
     * @param port the loopback port, or {@code 0} for a free one (see {@link #port()})
     * @return the running endpoint
     * @throws IOException if the port cannot be bound
     */
    public static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port) throws IOException {
        return start(registry, port, READ_TIMEOUT);
    }

    /**
     * Starts serving the given registry with another read timeout, for tests that wait it out.
     *
     * @param registry the registry to serve
     * @param port the loopback port, or {@code 0} for a free one
     * @param readTimeout how long a request's line and headers may take to arrive
     * @return the running endpoint
     * @throws IOException if the port cannot be bound
     */
    static PrometheusEndpoint start(PrometheusMeterRegistry registry, int port, Duration readTimeout)
            throws IOException {
        Objects.requireNonNull(registry, "registry");
        checkPort(port);
        return new PrometheusEndpoint(registry, false, port, readTimeout);
    }

    private static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port + "; 0 picks a free port");
        }
    }

    /**
     * Returns the port the endpoint listens on; the one the system chose when started with {@code
     * 0}.
     *
     * @return the port
     */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * Returns the URL to scrape; its authority ({@code 127.0.0.1:<port>}) is the target to give
     * Prometheus.
     *
     * @return {@code http://127.0.0.1:<port>/metrics}, or {@code http://[::1]:<port>/metrics} where
     *     the loopback interface is IPv6 only
     */
    public URI uri() {
        String host = LOOPBACK.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + PATH);
    }

    /**
     * Returns the registry this endpoint serves; bind meters to it, such as {@code new
     * TuningMetrics().bindTo(endpoint.registry())}.
     *
     * @return the registry
     */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Stops serving at once. A registry that {@link #start(int)} created is also removed from the
     * global registry and closed. Closing again does nothing: a signal's shutdown hook and the
     * code that started the endpoint may both close it.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        server.stop(0);
        executor.shutdown();
        if (global) {
            Metrics.removeRegistry(registry);
            registry.close();
        }
    }

    /**
     * Chooses the response's format from the request's {@code Accept} header values.
     *
     * @param accept the header's values, possibly empty
     * @return {@link #OPENMETRICS_CONTENT_TYPE} or {@link #TEXT_CONTENT_TYPE}
     */
    static String contentType(List<String> accept) {
        boolean openMetrics = accept.stream().anyMatch(value -> value.contains("application/openmetrics-text"));
        return openMetrics ? OPENMETRICS_CONTENT_TYPE : TEXT_CONTENT_TYPE;
    }

    private void handle(HttpExchange exchange) throws IOException {
        // The server calls a handler once the request's line and headers have arrived.
        executor.requestArrived();
        try {
            if (!PATH.equals(exchange.getRequestURI().getPath())) {
                send(exchange, 404, TEXT_CONTENT_TYPE, "Not found. Prometheus metrics are at " + PATH + "\n");
                return;
            }
            String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, TEXT_CONTENT_TYPE, "Method " + method + " not allowed; use GET.\n");
                return;
            }
            List<String> accept = exchange.getRequestHeaders().getOrDefault("Accept", List.of());
            String contentType = contentType(accept);
            // The registry picks its writer from the string it is given; handing it the content
            // type chosen here keeps the body and the Content-Type header in agreement.
            send(exchange, 200, contentType, registry.scrape(contentType));
        } catch (RuntimeException e) {
            send(exchange, 500, TEXT_CONTENT_TYPE, "Scraping the registry failed: " + e + "\n");
        } finally {
            exchange.close();
        }
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
