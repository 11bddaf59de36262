package dev.autobatch.examples;

import dev.autobatch.autotune.budget.MemoryBudgetException;
import dev.autobatch.autotune.report.AtomicFiles;
import dev.autobatch.autotune.report.Bytes;
import dev.autobatch.autotune.report.PrometheusEndpoint;
import dev.autobatch.examples.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The main job's failures in its own words: what the command line calls each setting ({@code
 * --budget}, {@code --limit}, {@code --output}, {@code --serve-metrics}), where the library's
 * messages name API options. Each is found as early as it can be, before any long work.
 */
final class JobFailures {

    /** How the main job names the settings a memory-budget failure advises changing. */
    static final MemoryBudgetException.Words CLI_WORDS =
            new MemoryBudgetException.Words("--budget SIZE|FRACTION", null, "--limit N");

    private JobFailures() {}

    /**
     * Finds an unwritable {@code --output} before an hour of tuning and training, not after, and
     * deletes temporaries an interrupted earlier run left there.
     *
     * @param output the directory
     * @throws UncheckedIOException naming the directory, the reason and the option
     */
    static void checkOutput(Path output) {
        try {
            AtomicFiles.checkWritable(output);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write to --output " + output + " (" + e.getMessage()
                            + "); give a directory that this process may create and write with --output DIR",
                    e);
        }
    }

    /**
     * Advises on a Java heap that ran out. The heap holds the data set while it loads (tensors live
     * outside it): under a small container limit the JVM's default heap, a quarter of the limit,
     * may not hold it.
     *
     * @param e what was thrown
     * @return one sentence with the fix
     */
    static String heapAdvice(OutOfMemoryError e) {
        return "the Java heap ran out (" + e.getMessage() + ", at most "
                + Bytes.format(Runtime.getRuntime().maxMemory())
                + ")" + (isLoading(e) ? " while loading Fashion-MNIST" : "")
                + ". Give the JVM a larger heap (JAVA_OPTS=-Xmx2g; in a container the default is a quarter of"
                + " its memory limit) or use fewer samples with --limit N.";
    }

    private static boolean isLoading(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            if (frame.getClassName().startsWith(FashionMnist.class.getPackageName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Binds the metrics port before any long work, so a port in use fails at once.
     *
     * @param port the port of {@code --serve-metrics}, or empty for none
     * @return the endpoint, or {@code null} without a port
     * @throws MetricsPortException saying the system's reason once, and the option
     */
    static PrometheusEndpoint startEndpoint(OptionalInt port) throws MetricsPortException {
        if (port.isEmpty()) {
            return null;
        }
        try {
            return PrometheusEndpoint.start(port.getAsInt());
        } catch (IOException e) {
            // The endpoint's message advises in API words; say the system's reason once, in ours.
            String reason = e.getCause() instanceof BindException bind ? bind.getMessage() : e.getMessage();
            throw new MetricsPortException("cannot serve metrics on 127.0.0.1:" + port.getAsInt() + " (" + reason
                    + "); choose a free port with --serve-metrics PORT, or 0 for any free one");
        }
    }

    /** The metrics port cannot be bound. */
    static final class MetricsPortException extends Exception {

        private static final long serialVersionUID = 1L;

        MetricsPortException(String message) {
            super(message);
        }
    }
}
