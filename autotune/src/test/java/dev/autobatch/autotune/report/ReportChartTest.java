package dev.autobatch.autotune.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.autotune.search.StopReason;
import dev.autobatch.core.Trial;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.IntervalXYDataset;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.xml.sax.InputSource;

class ReportChartTest {

    private static final Color THROUGHPUT = new Color(0x1f, 0x77, 0xb4);
    private static final Color MEMORY = new Color(0xe0, 0x6c, 0x00);
    private static final Color BUDGET = new Color(0xc6, 0x28, 0x28);
    private static final Color CHOSEN = new Color(0x2e, 0x7d, 0x32);

    @Test
    void drawsAPngWithBothCurvesTheBudgetAndTheChoice() throws Exception {
        // The largest-fit tuning peaked at 33.7 GiB, within twice its 62.8 GiB budget: the budget is drawn.
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(ReportChart.png(ReportFixtures.h100MlpMaxFit())));

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

    @Test
    void drawsAnErrorBarFromLowToHighAtEachTrialWhoseSpreadIsKnown() {
        TuningResult result = ReportFixtures.cpuWithSpread();
        XYPlot plot = ReportChart.chart(result).getXYPlot();

        IntervalXYDataset bars = (IntervalXYDataset) plot.getDataset(ReportChart.ERROR_BAR_DATASET);
        assertEquals(result.trials().size(), bars.getItemCount(0));
        for (int i = 0; i < result.trials().size(); i++) {
            Trial trial = result.trials().get(i);
            assertEquals(trial.batchSize(), bars.getXValue(0, i));
            assertEquals(trial.samplesPerSecond(), bars.getYValue(0, i));
            assertEquals(trial.samplesPerSecondLow(), bars.getStartYValue(0, i));
            assertEquals(trial.samplesPerSecondHigh(), bars.getEndYValue(0, i));
        }
        assertEquals(
                0,
                plot.getRangeAxisIndex(plot.getRangeAxisForDataset(ReportChart.ERROR_BAR_DATASET)),
                "the bars are on the throughput's axis");
        assertTrue(
                plot.getRangeAxis(0).getUpperBound() >= result.trials().get(6).samplesPerSecondHigh(),
                "the top of the highest bar is on the scale");
        assertTrue(legend(ReportChart.chart(result))
                .contains("samples/s (left axis; bars: the middle half of the steps)"));
    }

    @Test
    void drawsNoErrorBarWhereTheSpreadIsUnknown() {
        TuningResult mixed = ReportFixtures.bare(
                8,
                StopReason.OUT_OF_MEMORY,
                Trial.measured(4, 100, 1 << 20).withStepTimeSpread(0.004, 5),
                Trial.measured(8, 190, 2 << 20),
                Trial.outOfMemory(16));
        IntervalXYDataset bars =
                (IntervalXYDataset) ReportChart.chart(mixed).getXYPlot().getDataset(ReportChart.ERROR_BAR_DATASET);

        assertEquals(1, bars.getItemCount(0), "only batch size 4 recorded a spread");
        assertEquals(4.0, bars.getXValue(0, 0));
        // A 40 ms median step (4 samples at 100 samples/s) and an IQR of 4 ms: ±5% of the step time.
        assertEquals(100 / 1.05, bars.getStartYValue(0, 0), 1e-9);
        assertEquals(100 / 0.95, bars.getEndYValue(0, 0), 1e-9);

        JFreeChart withoutSpread = ReportChart.chart(ReportFixtures.h100Mlp());
        assertNull(withoutSpread.getXYPlot().getDataset(ReportChart.ERROR_BAR_DATASET));
        assertTrue(legend(withoutSpread).contains("samples/s (left axis)"));
        assertFalse(
                legend(withoutSpread).stream().anyMatch(name -> name.contains("bars")),
                legend(withoutSpread).toString());
    }

    @Test
    void theErrorBarsAppearInThePng() throws Exception {
        TuningResult noisy = ReportFixtures.cpuWithSpread();
        TuningResult withoutSpread = ReportFixtures.result(
                noisy.batchSize(),
                noisy.stopReason(),
                noisy.trials().stream()
                        .map(t -> t.withStepTimeSpread(Double.NaN, 0))
                        .toList(),
                noisy.settings(),
                noisy.elapsed(),
                noisy.context());
        // Where the cap on top of the bar at batch size 32 (±15.5%, some 14 pixels above its point) lies.
        JFreeChart chart = ReportChart.chart(noisy);
        ChartRenderingInfo info = new ChartRenderingInfo();
        chart.createBufferedImage(ReportChart.WIDTH, ReportChart.HEIGHT, info);
        Rectangle2D area = info.getPlotInfo().getDataArea();
        XYPlot plot = chart.getXYPlot();
        Trial first = noisy.trials().get(0);
        int x = (int) Math.round(plot.getDomainAxis().valueToJava2D(first.batchSize(), area, RectangleEdge.BOTTOM));
        int top = (int)
                Math.round(plot.getRangeAxis(0).valueToJava2D(first.samplesPerSecondHigh(), area, RectangleEdge.LEFT));
        int point = (int)
                Math.round(plot.getRangeAxis(0).valueToJava2D(first.samplesPerSecond(), area, RectangleEdge.LEFT));
        assertTrue(point - top > 8, "the cap is clear of the point's marker: " + (point - top) + " pixels");

        BufferedImage withBars = ImageIO.read(new ByteArrayInputStream(ReportChart.png(noisy)));
        BufferedImage withoutBars = ImageIO.read(new ByteArrayInputStream(ReportChart.png(withoutSpread)));

        // Three pixels right of the bar: only the cap's ends reach there.
        assertTrue(bluishNear(withBars, x + 3, top), "no cap at (" + (x + 3) + ", " + top + ")");
        assertFalse(bluishNear(withoutBars, x + 3, top), "a trial without spread has no bar");
    }

    @Test
    void scalesTheMemoryAxisToThePeaksAndSaysTheBudgetFarAboveThemIsOffTheAxis() throws Exception {
        // Peaks of 507-521 MiB under a budget of 18.6 GiB: on a scale up to the budget, a flat line at the bottom.
        JFreeChart chart = ReportChart.chart(ReportFixtures.cpuWithSpread());
        ValueAxis memoryAxis = chart.getXYPlot().getRangeAxis(1);

        assertEquals("peak memory (MiB)", memoryAxis.getLabel());
        assertEquals(0, memoryAxis.getLowerBound());
        assertEquals(521 * 1.1, memoryAxis.getUpperBound(), 1e-9);
        assertNull(chart.getXYPlot().getRangeMarkers(1, Layer.FOREGROUND), "no budget line off the axis");
        assertTrue(
                svgText(ReportFixtures.cpuWithSpread())
                        .contains("memory budget 18.6 GiB: above the top of the memory axis"),
                "the chart says where the budget is");
    }

    @Test
    void keepsTheBudgetOnTheMemoryAxisUpToTwiceTheLargestPeak() throws Exception {
        TuningResult twice = ReportFixtures.bare(
                8, StopReason.MAX_BATCH_SIZE, Trial.measured(4, 100, 256L << 20), Trial.measured(8, 190, 512L << 20));
        TuningResult aboveTwice = ReportFixtures.bare(
                8,
                StopReason.MAX_BATCH_SIZE,
                Trial.measured(4, 100, 256L << 20),
                Trial.measured(8, 190, (512L << 20) - 1));

        XYPlot onAxis = ReportChart.chart(twice).getXYPlot();
        assertEquals(1.1, onAxis.getRangeAxis(1).getUpperBound(), 1e-9, "the 1 GiB budget and a margin, in GiB");
        assertEquals("peak memory (GiB)", onAxis.getRangeAxis(1).getLabel());
        assertEquals(1, onAxis.getRangeMarkers(1, Layer.FOREGROUND).size());
        assertFalse(svgText(twice).contains("above the top of the memory axis"));
        XYPlot offAxis = ReportChart.chart(aboveTwice).getXYPlot();
        assertEquals(512 * 1.1, offAxis.getRangeAxis(1).getUpperBound(), 1e-5);
        assertEquals("peak memory (MiB)", offAxis.getRangeAxis(1).getLabel());
        assertTrue(svgText(aboveTwice).contains("memory budget 1.0 GiB: above the top of the memory axis"));
    }

    @Test
    void withoutAnyPeakTheBudgetSetsTheMemoryAxis() {
        XYPlot plot = ReportChart.chart(ReportFixtures.bare(1, StopReason.OUT_OF_MEMORY, Trial.outOfMemory(2)))
                .getXYPlot();

        assertEquals(1.1, plot.getRangeAxis(1).getUpperBound(), 1e-9);
        assertEquals(1, plot.getRangeMarkers(1, Layer.FOREGROUND).size());
    }

    @Test
    void theChosenSizesLabelShowsItsSpread() throws Exception {
        assertTrue(svgText(ReportFixtures.cpuWithSpread())
                .contains("chosen: 1,024 (50,100 samples/s ±2.0%, 516.0 MiB peak)"));
    }

    private static String svgText(TuningResult result) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return factory.newDocumentBuilder()
                .parse(new InputSource(new StringReader(ReportChart.svg(result))))
                .getDocumentElement()
                .getTextContent();
    }

    private static List<String> legend(JFreeChart chart) {
        List<String> names = new ArrayList<>();
        LegendItemCollection items = chart.getXYPlot().getLegendItems();
        for (int i = 0; i < items.getItemCount(); i++) {
            names.add(items.get(i).getLabel());
        }
        return names;
    }

    /** Whether a pixel within one of (x, y) is drawn in the throughput's blue, anti-aliasing allowed. */
    private static boolean bluishNear(BufferedImage image, int x, int y) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                Color pixel = new Color(image.getRGB(x + dx, y + dy));
                if (pixel.getBlue() - pixel.getRed() > 60) {
                    return true;
                }
            }
        }
        return false;
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
