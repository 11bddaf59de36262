package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a tuning's report files into one directory: {@value #JSON} (see {@link ReportJson}),
 * {@value #MARKDOWN}, and the chart as {@value #CHART_SVG} and {@value #CHART_PNG}.
 *
 * <pre>{@code
 * ReportFiles files = ReportWriter.write(result, Path.of("autobatch-out"));
 * }</pre>
 *
 * <p>The files are a set, written together or not at all ({@link AtomicFiles#writeAll}):
 * everything is rendered in memory first, written to hidden temporaries in the same directory,
 * and only then renamed over the final names, {@value #JSON} last. A failure, or a signal that
 * ends the JVM, leaves the files of an earlier report as they were, all of them, and no
 * temporary; temporaries a killed earlier run left are deleted.
 */
public final class ReportWriter {

    /** The machine-readable report's file name. */
    public static final String JSON = "report.json";
    /** The report for people's file name. */
    public static final String MARKDOWN = "report.md";
    /** The chart's file name as SVG. */
    public static final String CHART_SVG = "chart.svg";
    /** The chart's file name as PNG. */
    public static final String CHART_PNG = "chart.png";

    private ReportWriter() {}

    /**
     * Writes the report files, creating the directory and its parents if missing and replacing
     * files of an earlier report.
     *
     * @param result the result
     * @param directory the directory to write into
     * @return the files written
     * @throws IOException if the directory cannot be created or written; the message names the
     *     directory and the fix
     */
    public static ReportFiles write(TuningResult result, Path directory) throws IOException {
        Objects.requireNonNull(directory, "directory");
        try {
            AtomicFiles.writeAll(directory, contents(result));
        } catch (IOException e) {
            throw new IOException(
                    "Cannot write the AutoBatch report into "
                            + directory.toAbsolutePath()
                            + " ("
                            + e.getClass().getSimpleName()
                            + ": "
                            + e.getMessage()
                            + "). Give a directory that exists or can be created, and that this process may write.",
                    e);
        }
        return files(directory);
    }

    /**
     * Renders the report files in memory, for a caller that writes them in one set with files of
     * its own ({@link AtomicFiles#writeAll}).
     *
     * @param result the result
     * @return the file names and their bytes, in the order to rename them: {@value #JSON} last
     * @throws IOException if the chart's image cannot be encoded
     */
    public static Map<String, byte[]> contents(TuningResult result) throws IOException {
        Objects.requireNonNull(result, "result");
        Map<String, byte[]> contents = new LinkedHashMap<>();
        contents.put(CHART_SVG, ReportChart.svg(result).getBytes(StandardCharsets.UTF_8));
        contents.put(CHART_PNG, ReportChart.png(result));
        contents.put(MARKDOWN, ReportMarkdown.render(result, CHART_PNG).getBytes(StandardCharsets.UTF_8));
        contents.put(JSON, ReportJson.toJson(result).getBytes(StandardCharsets.UTF_8));
        return contents;
    }

    /**
     * Returns where {@link #write} puts the files in a directory.
     *
     * @param directory the directory
     * @return the files
     */
    public static ReportFiles files(Path directory) {
        return new ReportFiles(
                directory.resolve(JSON),
                directory.resolve(MARKDOWN),
                directory.resolve(CHART_SVG),
                directory.resolve(CHART_PNG));
    }
}
