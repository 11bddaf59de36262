package dev.autobatch.autotune.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The main class of the JVMs that {@link AtomicFilesTest} signals: writes sets of four files, each
 * starting with the set's generation, again and again until it is ended.
 */
public final class SetWriterProcess {

    /** The names of the files of a set. */
    static final String[] NAMES = {"chart.svg", "chart.png", "report.md", "report.json"};

    private SetWriterProcess() {}

    /**
     * Writes sets until ended, printing {@code written} after the first.
     *
     * @param args the directory
     * @throws Exception if a write fails other than by the JVM's shutdown
     */
    public static void main(String[] args) throws Exception {
        Path directory = Path.of(args[0]);
        // Large enough that a signal most often lands while temporaries are being written.
        byte[] padding = new byte[4 << 20];
        Arrays.fill(padding, (byte) 'x');
        for (int generation = 1; ; generation++) {
            Map<String, byte[]> files = new LinkedHashMap<>();
            for (String name : NAMES) {
                byte[] head = (generation + "\n").getBytes(StandardCharsets.UTF_8);
                byte[] content = Arrays.copyOf(head, head.length + padding.length);
                System.arraycopy(padding, 0, content, head.length, padding.length);
                files.put(name, content);
            }
            AtomicFiles.writeAll(directory, files);
            if (generation == 1) {
                System.out.println("written");
                System.out.flush();
            }
        }
    }
}
