package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * Writes a tuning's report files into one directory: {@value #JSON} (see {@link ReportJson}),
 * {@value #MARKDOWN}, and the chart as {@value #CHART_SVG} and {@value #CHART_PNG}.
 *
 * <pre>{@code
 * ReportFiles files = ReportWriter.write(result, Path.of("autobatch-out"));
 * }</pre>
 *
 * <p>Each file appears whole or not at all: everything is rendered in memory first, written to
 * hidden temporary files in the same directory, and only then moved over the final names (an
 * atomic rename where the file system supports it). A failure leaves no temporary file behind and
 * no file half written; files of an earlier report stay as they were until replaced.
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
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(directory, "directory");
        Map<String, byte[]> contents = new LinkedHashMap<>();
        contents.put(JSON, ReportJson.toJson(result).getBytes(StandardCharsets.UTF_8));
        contents.put(MARKDOWN, ReportMarkdown.render(result, CHART_PNG).getBytes(StandardCharsets.UTF_8));
        contents.put(CHART_SVG, ReportChart.svg(result).getBytes(StandardCharsets.UTF_8));
        contents.put(CHART_PNG, ReportChart.png(result));

        List<Path> temporary = new ArrayList<>();
        try {
            Files.createDirectories(directory);
            for (Map.Entry<String, byte[]> file : contents.entrySet()) {
                Path temp = directory.resolve("." + file.getKey() + "." + UUID.randomUUID() + ".tmp");
                // CREATE_NEW rather than Files.createTempFile: the file gets the usual permissions
                // (readable by others, as the report is meant to be), not the owner-only ones of a
                // temporary file.
                try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW)) {
                    temporary.add(temp);
                    out.write(file.getValue());
                }
            }
            int index = 0;
            for (String name : contents.keySet()) {
                moveIntoPlace(temporary.get(index++), directory.resolve(name));
            }
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
        } finally {
            for (Path temp : temporary) {
                deleteQuietly(temp);
            }
        }
        return new ReportFiles(
                directory.resolve(JSON), directory.resolve(MARKDOWN), directory.resolve(CHART_SVG),
                directory.resolve(CHART_PNG));
    }

    /** Deletes a temporary file that was not moved; a failure here must not hide the first one. */
    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            // The write already failed or succeeded; this file is hidden and named .tmp.
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
