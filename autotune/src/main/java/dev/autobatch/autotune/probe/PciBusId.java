package dev.autobatch.autotune.probe;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a GPU sits on the PCI bus: the one identity that NVML and the CUDA driver both report and
 * that does not depend on either one's numbering. NVML writes {@code 00000000:65:00.0} (an 8-digit
 * domain), CUDA's {@code cuDeviceGetPCIBusId} {@code 0000:65:00.0}; both parse to the same value.
 *
 * @param domain the PCI domain
 * @param bus the bus number, 0 to 255
 * @param device the device number on the bus, 0 to 31
 */
record PciBusId(long domain, int bus, int device) {

    private static final Pattern TEXT =
            Pattern.compile("(?:([0-9a-fA-F]{1,8}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})(?:\\.[0-7])?");

    /**
     * Parses {@code [domain:]bus:device[.function]}, in hexadecimal, as NVML and CUDA write it. The
     * function is ignored: a GPU is function 0 of its device.
     *
     * @param text the text, such as {@code "0000:3B:00.0"}
     * @return the bus id, or empty if the text is not one
     */
    static Optional<PciBusId> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = TEXT.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long domain = m.group(1) == null ? 0 : Long.parseLong(m.group(1), 16);
        return Optional.of(new PciBusId(domain, Integer.parseInt(m.group(2), 16), Integer.parseInt(m.group(3), 16)));
    }

    /** Returns the bus id as CUDA writes it, such as {@code 0000:65:00.0}. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%04x:%02x:%02x.0", domain, bus, device);
    }
}
