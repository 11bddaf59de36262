package dev.autobatch.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuneOptions;
import org.junit.jupiter.api.Test;

class MemoryBudgetParameterTest {

    private static final long GIB = 1L << 30;

    @Test
    void readsSizesWithBinarySuffixesInAnyCase() {
        assertEquals(8 * GIB, MemoryBudgetParameter.parse("8g").bytes());
        assertEquals(8 * GIB, MemoryBudgetParameter.parse("8G").bytes());
        assertEquals(8 * GIB, MemoryBudgetParameter.parse("8GiB").bytes());
        assertEquals(8 * GIB, MemoryBudgetParameter.parse("8gb").bytes());
        assertEquals(512L << 20, MemoryBudgetParameter.parse("512m").bytes());
        assertEquals(1024L << 10, MemoryBudgetParameter.parse(" 1024k ").bytes());
        assertEquals(2L << 40, MemoryBudgetParameter.parse("2t").bytes());
        assertEquals(3 * GIB / 2, MemoryBudgetParameter.parse("1.5g").bytes());
    }

    @Test
    void readsAWholeNumberAsBytes() {
        MemoryBudgetParameter budget = MemoryBudgetParameter.parse("1073741824");
        assertEquals(GIB, budget.bytes());
        assertEquals(0, budget.fraction());
    }

    @Test
    void readsDecimalsAndPercentagesAsFractionsOfAvailableMemory() {
        assertEquals(0.5, MemoryBudgetParameter.parse("0.5").fraction());
        assertEquals(1.0, MemoryBudgetParameter.parse("1.0").fraction());
        assertEquals(0.25, MemoryBudgetParameter.parse(".25").fraction());
        assertEquals(0.5, MemoryBudgetParameter.parse("50%").fraction());
        assertEquals(0, MemoryBudgetParameter.parse("0.5").bytes());
    }

    @Test
    void blankMeansTuneOptionsDefaultFraction() {
        assertEquals(
                TuneOptions.DEFAULT_MEMORY_FRACTION,
                MemoryBudgetParameter.parse(null).fraction());
        assertEquals(
                TuneOptions.DEFAULT_MEMORY_FRACTION,
                MemoryBudgetParameter.parse("  ").fraction());
    }

    @Test
    void rejectsOtherTextNamingThePropertyTheValueAndTheAcceptedForms() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("8 gigs"));
        assertTrue(e.getMessage().startsWith("autobatch.memoryBudget must be"), e.getMessage());
        assertTrue(e.getMessage().contains("'8 gigs'"), e.getMessage());
        assertTrue(e.getMessage().contains("8g, 512m"), e.getMessage());
        assertTrue(e.getMessage().contains("0.5 or 50%"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("-1g"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("8x"));
    }

    @Test
    void rejectsFractionsOutsideZeroToOne() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("1.5"));
        assertTrue(e.getMessage().contains("(0, 1], got '1.5'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("0.0"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("150%"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("0%"));
    }

    @Test
    void rejectsZeroAndAbsurdSizes() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("0"))
                .getMessage()
                .contains("at least one byte"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("0g"));
        assertThrows(IllegalArgumentException.class, () -> MemoryBudgetParameter.parse("99999999999t"));
    }

    @Test
    void canonicalTextReadsBackToTheSameBudget() {
        for (String text : new String[] {"8g", "1.5g", "123", "0.5", "50%", "1.0"}) {
            MemoryBudgetParameter budget = MemoryBudgetParameter.parse(text);
            assertEquals(budget, MemoryBudgetParameter.parse(budget.toText()), text);
        }
    }

    @Test
    void setsBytesOrFractionOnTheOptions() {
        TuneOptions bytes =
                MemoryBudgetParameter.parse("2g").applyTo(TuneOptions.builder()).build();
        assertEquals(2 * GIB, bytes.memoryBudgetBytes().orElseThrow());
        TuneOptions fraction = MemoryBudgetParameter.parse("0.25")
                .applyTo(TuneOptions.builder())
                .build();
        assertTrue(fraction.memoryBudgetBytes().isEmpty());
        assertEquals(0.25, fraction.memoryFraction());
    }

    @Test
    void describesItselfForTheLog() {
        assertEquals("1.5 GiB", MemoryBudgetParameter.parse("1.5g").describe());
        assertEquals("512 bytes", MemoryBudgetParameter.parse("512").describe());
        assertEquals("80% of the available memory", MemoryBudgetParameter.DEFAULT.describe());
    }
}
