package dev.autobatch.autotune.budget;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BudgetSpecTest {

    private static final long GIB = 1L << 30;

    private static String messageOf(String text) {
        return assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse(text, "--budget"))
                .getMessage();
    }

    @Test
    void readsSizesWithBinarySuffixesInAnyCase() {
        assertEquals(8 * GIB, BudgetSpec.parse("8g").bytes());
        assertEquals(8 * GIB, BudgetSpec.parse("8G").bytes());
        assertEquals(8 * GIB, BudgetSpec.parse("8GiB").bytes());
        assertEquals(8 * GIB, BudgetSpec.parse("8gb").bytes());
        assertEquals(512L << 20, BudgetSpec.parse("512m").bytes());
        assertEquals(512L << 20, BudgetSpec.parse("512 MiB").bytes());
        assertEquals(1024L << 10, BudgetSpec.parse(" 1024k ").bytes());
        assertEquals(2L << 40, BudgetSpec.parse("2t").bytes());
        assertEquals(3 * GIB / 2, BudgetSpec.parse("1.5g").bytes());
    }

    @Test
    void readsAWholeNumberAsBytesWithOrWithoutB() {
        assertEquals(GIB, BudgetSpec.parse("1073741824").bytes());
        assertEquals(0, BudgetSpec.parse("1073741824").fraction());
        assertEquals(GIB, BudgetSpec.parse("1073741824b").bytes());
    }

    @Test
    void readsDecimalsAndPercentagesAsFractions() {
        assertEquals(0.5, BudgetSpec.parse("0.5").fraction());
        assertEquals(1.0, BudgetSpec.parse("1.0").fraction());
        assertEquals(1.0, BudgetSpec.parse("1.").fraction());
        assertEquals(0.25, BudgetSpec.parse(".25").fraction());
        assertEquals(0.5, BudgetSpec.parse("50%").fraction());
        assertEquals(0.125, BudgetSpec.parse("12.5 %").fraction());
        assertEquals(0, BudgetSpec.parse("0.5").bytes());
    }

    @Test
    void rejectsOtherTextNamingTheValueAsTheCallerDoesAndTheAcceptedForms() {
        String message = messageOf("8 gigs");
        assertEquals(
                "--budget must be a size in bytes with an optional k, m, g or t suffix (8g, 512m, 1073741824) or a"
                        + " fraction of the available memory in (0, 1] (0.5 or 50%), got '8 gigs'",
                message);
        assertTrue(messageOf(null).contains("got 'null'"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("-1g"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("8x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("x"))
                .getMessage()
                .startsWith("memory budget must be"));
    }

    @Test
    void rejectsFractionsOutsideZeroToOne() {
        assertTrue(messageOf("1.5").contains("as a fraction must be in (0, 1], got '1.5'"), messageOf("1.5"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("0.0"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("150%"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("0%"));
    }

    @Test
    void rejectsZeroAndAbsurdSizes() {
        assertEquals(
                "--budget must be at least one byte, got '0'; give a size such as 8g or a fraction such as 0.5",
                messageOf("0"));
        assertThrows(IllegalArgumentException.class, () -> BudgetSpec.parse("0g"));
        assertTrue(messageOf("99999999999t").contains("larger than any machine's memory"));
    }

    @Test
    void canonicalTextReadsBackToTheSameBudget() {
        for (String text : new String[] {"8g", "1.5g", "123", "0.5", "50%", "1.0"}) {
            BudgetSpec budget = BudgetSpec.parse(text);
            assertEquals(budget, BudgetSpec.parse(budget.toText()), text);
        }
    }

    @Test
    void describesItselfForTheLog() {
        assertEquals("1.5 GiB", BudgetSpec.parse("1.5g").describe());
        assertEquals("512 bytes", BudgetSpec.parse("512").describe());
        assertEquals("80% of the available memory", BudgetSpec.DEFAULT.describe());
    }
}
