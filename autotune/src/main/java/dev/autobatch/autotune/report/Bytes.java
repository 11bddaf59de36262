package dev.autobatch.autotune.report;

import java.util.Locale;

/** Renders byte counts for people, in binary units (1 KiB = 1,024 bytes). */
public final class Bytes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Bytes() {}

    /**
     * Formats a byte count with one decimal in the largest binary unit that keeps the number
     * below 1,024: {@code 1536} gives {@code "1.5 KiB"}, {@code 1610612736} gives {@code "1.5
     * GiB"}. Counts below 1,024 are whole bytes ({@code "512 B"}).
     *
     * @param bytes the count; a negative count is the project's "unknown"
     * @return the text, or {@link Wording#UNKNOWN} for a negative count
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return Wording.UNKNOWN;
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes / 1024.0;
        int unit = 0;
        // Compare the rounded value, so that 1,048,575 bytes reads "1.0 MiB", not "1024.0 KiB".
        while (unit < UNITS.length - 1 && Math.round(value * 10) >= 1024 * 10) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
