package dev.autobatch.autotune.internal;

import java.util.Locale;

/** Formats byte counts for people, in binary units (KiB, MiB, GiB, TiB). */
public final class Bytes {

    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Bytes() {}

    /**
     * Formats a byte count with one decimal in the largest binary unit it reaches, such as {@code
     * "1.5 GiB"}; counts below 1 KiB as {@code "512 B"}.
     *
     * @param bytes the count; negative means unknown
     * @return the text, or {@code "unknown"} for a negative count
     */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "unknown";
        }
        if (bytes < 1024) {
            return bytes + " B";
        }
        double value = bytes / 1024.0;
        int unit = 0;
        // 1023.95 rather than 1024, so that rounding to one decimal never prints "1024.0 KiB".
        while (value >= 1023.95 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }
}
