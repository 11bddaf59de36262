package dev.autobatch.autotune.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void formatsInTheLargestBinaryUnitWithOneDecimal() {
        assertEquals("0 B", Bytes.format(0));
        assertEquals("1023 B", Bytes.format(1023));
        assertEquals("1.0 KiB", Bytes.format(1024));
        assertEquals("1.5 GiB", Bytes.format(3L << 29));
        assertEquals("79.2 GiB", Bytes.format(85_017_493_504L));
        assertEquals("8.0 EiB", Bytes.format(Long.MAX_VALUE));
    }

    @Test
    void neverPrintsATrailing1024() {
        assertEquals("1.0 MiB", Bytes.format((1L << 20) - 1));
    }

    @Test
    void saysUnknownForANegativeCount() {
        assertEquals("unknown", Bytes.format(-1));
    }
}
