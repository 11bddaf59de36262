package dev.autobatch.core.internal;

import dev.autobatch.core.MemoryMeasurement;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's exact peak resident memory on Linux: writing {@code 5} to {@code
 * /proc/self/clear_refs} resets {@code VmHWM} to the current resident set, and {@code VmHWM} in
 * {@code /proc/self/status} is the peak since. Tensors live outside the Java heap, so this is the
 * number that matters; resident memory read after the steps understates the peak.
 */
final class ProcStatusPeakMeter implements PeakMemoryMeter {

    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");
    private static final Path STATUS = Path.of("/proc/self/status");

    /**
     * Returns whether this Linux exposes a resettable peak to this process.
     *
     * @return {@code true} if {@code clear_refs} can be written and {@code VmHWM} read
     */
    static boolean isSupported() {
        return resetPeak() && readStatusKiB("VmHWM:") >= 0;
    }

    @Override
    public long start() {
        // Hand freed heap pages back to the kernel first, so an earlier, larger trial's freed
        // memory does not count as this trial's.
        MallocTrim.trim();
        resetPeak();
        return readStatusKiB("VmRSS:");
    }

    @Override
    public long stop() {
        return readStatusKiB("VmHWM:");
    }

    @Override
    public MemoryMeasurement measurement() {
        return MemoryMeasurement.HOST_PEAK_RSS;
    }

    private static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5", StandardCharsets.US_ASCII);
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Reads one "Name:   123 kB" line of /proc/self/status, in bytes; -1 if absent. */
    private static long readStatusKiB(String field) {
        try {
            for (String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII)) {
                if (line.startsWith(field)) {
                    String kib =
                            line.substring(field.length()).replace("kB", "").trim();
                    return Long.parseLong(kib) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
