package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BytesTest {

    @Test
    void negativeCountsAreUnknown() {
        assertEquals("unknown", Bytes.format(-1));
        assertEquals("unknown", Bytes.format(Long.MIN_VALUE));
    }

    @Test
    void countsBelowOneKibibyteAreWholeBytes() {
        assertEquals("0 B", Bytes.format(0));
        assertEquals("512 B", Bytes.format(512));
        assertEquals("1023 B", Bytes.format(1023));
    }

    @Test
    void largerCountsUseTheLargestUnitBelow1024WithOneDecimal() {
        assertEquals("1.0 KiB", Bytes.format(1024));
        assertEquals("1.5 KiB", Bytes.format(1536));
        assertEquals("1.5 GiB", Bytes.format(1536L * 1024 * 1024));
        assertEquals("21.3 GiB", Bytes.format((long) (21.3 * (1L << 30))));
        assertEquals("2.0 TiB", Bytes.format(2L << 40));
        assertEquals("8.0 EiB", Bytes.format(Long.MAX_VALUE));
    }

    @Test
    void roundsUpIntoTheNextUnitRatherThanPrinting1024() {
        assertEquals("1.0 MiB", Bytes.format((1L << 20) - 1));
        assertEquals("1.0 GiB", Bytes.format((1L << 30) - 1));
    }
}
