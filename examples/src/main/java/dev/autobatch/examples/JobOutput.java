package dev.autobatch.examples;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.report.AtomicFiles;
import dev.autobatch.autotune.report.PrometheusEndpoint;
import dev.autobatch.autotune.report.ReportWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the main job leaves behind: the report and its own files, written as one set, the lines
 * that say where they went, and the tuning's metrics, served until the job is interrupted.
 */
final class JobOutput {

    private JobOutput() {}

    /**
     * Writes the tuning's report and the run's own files as one set, the report's JSON last.
     *
     * @param output the directory of {@code --output}
     * @param result the tuning's result
     * @param own the run's own files by name
     * @return the files written
     * @throws UncheckedIOException naming the directory and the option
     */
    static List<Path> write(Path output, TuningResult result, Map<String, byte[]> own) {
        try {
            Map<String, byte[]> files = new LinkedHashMap<>(own);
            files.putAll(ReportWriter.contents(result));
            return AtomicFiles.writeAll(output, files);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "could not write the report into --output " + output + " (" + e.getMessage()
                            + "); check that the directory is writable or give --output DIR",
                    e);
        }
    }

    /**
     * Prints the files written, one absolute path a line.
     *
     * @param out where the lines go
     * @param written the files
     */
    static void printWritten(PrintStream out, List<Path> written) {
        out.println("Files written:");
        for (Path file : written) {
            out.println("  " + file.toAbsolutePath().normalize());
        }
    }

    /**
     * Keeps serving the metrics until the JVM is told to stop (Ctrl-C) or this thread is
     * interrupted, then says so and closes the endpoint.
     *
     * @param endpoint the endpoint serving the tuning's metrics
     * @param out where the lines go
     */
    static void serveUntilInterrupted(PrometheusEndpoint endpoint, PrintStream out) {
        out.println("Serving metrics at " + endpoint.uri() + " until interrupted (Ctrl-C to stop)");
        out.flush();
        // Ctrl-C ends the JVM through its shutdown hooks, without interrupting this thread.
        Thread onSignal = new Thread(() -> interrupted(endpoint, out), "autobatch-interrupted");
        Runtime.getRuntime().addShutdownHook(onSignal);
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Runtime.getRuntime().removeShutdownHook(onSignal);
            interrupted(endpoint, out);
        }
    }

    private static void interrupted(PrometheusEndpoint endpoint, PrintStream out) {
        out.println("Interrupted: the metrics endpoint stops.");
        out.flush();
        endpoint.close();
    }
}
