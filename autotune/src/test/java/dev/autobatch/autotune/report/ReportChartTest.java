package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.util.HashSet;
import java.util.Set;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.xml.sax.InputSource;

class ReportChartTest {

    private static final Color THROUGHPUT = new Color(0x1f, 0x77, 0xb4);
    private static final Color MEMORY = new Color(0xe0, 0x6c, 0x00);
    private static final Color BUDGET = new Color(0xc6, 0x28, 0x28);
    private static final Color CHOSEN = new Color(0x2e, 0x7d, 0x32);

    @Test
    void drawsAPngWithBothCurvesTheBudgetAndTheChoice() throws Exception {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(ReportChart.png(ReportFixtures.h100Mlp())));

        assertNotNull(image, "not a PNG");
        assertEquals(ReportChart.WIDTH, image.getWidth());
        assertEquals(ReportChart.HEIGHT, image.getHeight());
        Set<Integer> colours = colours(image);
        for (Color expected : new Color[] {THROUGHPUT, MEMORY, BUDGET, CHOSEN}) {
            assertTrue(colours.contains(expected.getRGB() & 0xffffff), "no pixel of " + expected);
        }
    }

    @Test
    void drawsAnSvgWithTitleAxesAndMarkers() throws Exception {
        String svg = ReportChart.svg(ReportFixtures.h100MlpMaxFit());
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // The document names the SVG 1.1 DTD; a test must not fetch it from the network.
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document document = factory.newDocumentBuilder().parse(new InputSource(new StringReader(svg)));

        assertEquals("svg", document.getDocumentElement().getTagName());
        // JFreeChart draws rotated axis labels and log-axis ticks as outlines; the rest is text.
        String text = document.getDocumentElement().getTextContent();
        for (String expected : new String[] {
            "AutoBatch: mlp-784-4096-4096-10 on gpu(0)",
            "batch size 524,288 chosen; stopped because batch size 1,048,576 ran out of memory",
            "samples/s (left axis)",
            "peak memory (right axis)",
            "batch size (log₂ scale)",
            "chosen: 524,288 (433,406 samples/s, 33.7 GiB peak)",
            "memory budget 62.8 GiB",
            "out of memory at 1,048,576",
        }) {
            assertTrue(text.contains(expected), "the SVG lacks \"" + expected + "\": " + text);
        }
    }

    @Test
    void marksTheSizesThatFailed() {
        String svg = ReportChart.svg(ReportFixtures.cpuEveryOutcome());

        assertTrue(svg.contains("failed at 128"), svg);
        assertTrue(svg.contains("out of memory at 256"), svg);
    }

    @Test
    void drawsAResultWithoutAnyMeasuredTrial() throws Exception {
        byte[] png = ReportChart.png(ReportFixtures.bare(1, StopReason.OUT_OF_MEMORY, Trial.outOfMemory(2)));

        assertNotNull(ImageIO.read(new ByteArrayInputStream(png)));
        assertTrue(ReportChart.svg(ReportFixtures.bare(1, StopReason.OUT_OF_MEMORY, Trial.outOfMemory(2)))
                .contains("out of memory at 2"));
    }

    private static Set<Integer> colours(BufferedImage image) {
        Set<Integer> colours = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                colours.add(image.getRGB(x, y) & 0xffffff);
            }
        }
        return colours;
    }
}
