package dev.autobatch.autotune.report;

import dev.autobatch.autotune.TuningResult;
import dev.autobatch.core.Trial;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.NumberFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.HorizontalAlignment;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * Draws the report's chart with JFreeChart: samples per second (left axis) and peak memory (right
 * axis) against batch size on a log2 axis, the memory budget as a horizontal line, the chosen size
 * and the sizes that ran out of memory or failed as vertical lines. Draws off screen, so it runs
 * headless.
 *
 * <p>Each measured trial that recorded the spread of its step times gets an error bar from {@link
 * Trial#samplesPerSecondLow()} to {@link Trial#samplesPerSecondHigh()}: the throughput of the
 * middle half of its steps. The memory axis is scaled to the trials' peaks, so that its curve is
 * never flattened by a budget far above them: the budget is on the axis (and drawn) only when it is
 * at most {@value #BUDGET_ON_AXIS} times the largest peak; above that, a note at the top right says
 * the budget is above the axis.
 */
final class ReportChart {

    /** The image's width in pixels. */
    static final int WIDTH = 1000;
    /** The image's height in pixels. */
    static final int HEIGHT = 560;

    private static final Color THROUGHPUT = new Color(0x1f, 0x77, 0xb4);
    private static final Color MEMORY = new Color(0xe0, 0x6c, 0x00);
    private static final Color BUDGET = new Color(0xc6, 0x28, 0x28);
    private static final Color CHOSEN = new Color(0x2e, 0x7d, 0x32);
    private static final Color NOT_MEASURED = new Color(0x75, 0x75, 0x75);
    private static final Color LABEL_BACKGROUND = new Color(255, 255, 255, 220);
    private static final Color GRID = new Color(0xdd, 0xdd, 0xdd);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final long GIB = 1L << 30;
    private static final long MIB = 1L << 20;
    /** The budget is on the memory axis when it is at most this many times the largest peak. */
    static final double BUDGET_ON_AXIS = 2.0;
    /** Room above the highest value on the memory axis, for the curve's top and the budget's label. */
    private static final double MEMORY_MARGIN = 1.1;
    /** The plot's dataset of peak memory, on the right axis. The throughput is dataset 0. */
    static final int MEMORY_DATASET = 1;
    /** The plot's dataset of the throughput's error bars, on the left axis; absent without any. */
    static final int ERROR_BAR_DATASET = 2;

    private ReportChart() {}

    /**
     * Renders the chart as a PNG image of {@link #WIDTH} by {@link #HEIGHT} pixels.
     *
     * @param result the result
     * @return the PNG bytes
     * @throws IOException if the image cannot be encoded
     */
    static byte[] png(TuningResult result) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ChartUtils.writeChartAsPNG(out, chart(result), WIDTH, HEIGHT);
        return out.toByteArray();
    }

    /**
     * Renders the chart as an SVG document of {@link #WIDTH} by {@link #HEIGHT} pixels.
     *
     * @param result the result
     * @return the SVG document, XML declaration included
     */
    static String svg(TuningResult result) {
        SVGGraphics2D graphics = new SVGGraphics2D(WIDTH, HEIGHT);
        chart(result).draw(graphics, new Rectangle(0, 0, WIDTH, HEIGHT));
        return graphics.getSVGDocument();
    }

    /**
     * Builds the chart.
     *
     * @param result the result
     * @return the chart
     */
    static JFreeChart chart(TuningResult result) {
        long budget = result.memoryBudgetBytes();
        long maxPeak =
                result.trials().stream().mapToLong(Trial::peakMemoryBytes).max().orElse(-1);
        // Without a measured peak there is no curve to flatten: the budget alone sets the scale.
        boolean budgetOnAxis = budget >= 0 && (maxPeak <= 0 || budget <= BUDGET_ON_AXIS * maxPeak);
        long memoryTop = budgetOnAxis ? Math.max(maxPeak, budget) : maxPeak;
        long memoryUnit = memoryTop >= GIB ? GIB : MIB;
        String memoryUnitName = memoryUnit == GIB ? "GiB" : "MiB";

        // Each size is drawn once: its confirmed throughput (the centre of all its measurements) and
        // its largest peak; repeated sizes' bars span their lowest to highest measurement.
        Map<Integer, List<Trial>> measured = new TreeMap<>();
        Map<Integer, Long> peaks = new TreeMap<>();
        int smallest = result.batchSize();
        int largest = result.batchSize();
        for (Trial trial : result.trials()) {
            smallest = Math.min(smallest, trial.batchSize());
            largest = Math.max(largest, trial.batchSize());
            if (trial.ok()) {
                measured.computeIfAbsent(trial.batchSize(), size -> new ArrayList<>())
                        .add(trial);
            }
            if (trial.peakMemoryBytes() >= 0) {
                peaks.merge(trial.batchSize(), trial.peakMemoryBytes(), Math::max);
            }
        }
        XYSeries memory = new XYSeries("peak memory (right axis)");
        peaks.forEach((size, peak) -> memory.add((double) size, (double) peak / memoryUnit));
        YIntervalSeries errorBars = new YIntervalSeries("spread of the throughput");
        boolean repeated = false;
        XYSeries throughput = new XYSeries("samples/s (left axis)");
        for (Map.Entry<Integer, List<Trial>> entry : measured.entrySet()) {
            List<Trial> trials = entry.getValue();
            double centre = result.confirmedSamplesPerSecond(entry.getKey());
            throughput.add((double) entry.getKey(), centre);
            double low = trials.get(0).samplesPerSecondLow();
            double high = trials.get(0).samplesPerSecondHigh();
            if (trials.size() > 1) {
                repeated = true;
                low = trials.stream().mapToDouble(Trial::samplesPerSecond).min().orElseThrow();
                high = trials.stream()
                        .mapToDouble(Trial::samplesPerSecond)
                        .max()
                        .orElseThrow();
            }
            if (Double.isFinite(low) && Double.isFinite(high)) {
                errorBars.add(entry.getKey(), centre, low, high);
            }
        }
        if (!errorBars.isEmpty()) {
            throughput.setKey(
                    repeated
                            ? "samples/s (left axis; bars: lowest to highest measurement, or for one measurement"
                                    + " the middle half of its steps)"
                            : "samples/s (left axis; bars: the middle half of the steps)");
        }

        LogAxis batchAxis = new LogAxis("batch size (log₂ scale)");
        batchAxis.setBase(2);
        // Whole powers of two only: fractional exponents would label 2^0.5 and the like.
        batchAxis.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        batchAxis.setNumberFormatOverride(grouped("#,##0"));
        batchAxis.setSmallestValue(0.5);
        // A margin of half a power of two on each side keeps the end points off the frame.
        batchAxis.setRange(smallest / Math.sqrt(2), largest * Math.sqrt(2));

        NumberAxis throughputAxis = new NumberAxis("samples/s");
        throughputAxis.setNumberFormatOverride(grouped("#,##0"));
        throughputAxis.setAutoRangeIncludesZero(true);
        throughputAxis.setLabelPaint(THROUGHPUT);
        throughputAxis.setTickLabelPaint(THROUGHPUT);

        NumberAxis memoryAxis = new NumberAxis("peak memory (" + memoryUnitName + ")");
        // Each tick unit with its own decimals: a fixed "#,##0.#" would label 0.05 GiB steps 1, 1, 1.1, 1.1.
        memoryAxis.setStandardTickUnits(NumberAxis.createStandardTickUnits(Locale.ROOT));
        memoryAxis.setLabelPaint(MEMORY);
        memoryAxis.setTickLabelPaint(MEMORY);
        memoryAxis.setRange(0, memoryTop > 0 ? memoryTop * MEMORY_MARGIN / memoryUnit : 1);

        XYPlot plot = new XYPlot(new XYSeriesCollection(throughput), batchAxis, throughputAxis, renderer(THROUGHPUT));
        plot.setRangeAxis(1, memoryAxis);
        plot.setRangeAxisLocation(1, AxisLocation.BOTTOM_OR_RIGHT);
        plot.setDataset(MEMORY_DATASET, new XYSeriesCollection(memory));
        plot.mapDatasetToRangeAxis(MEMORY_DATASET, 1);
        plot.setRenderer(MEMORY_DATASET, renderer(MEMORY));
        if (!errorBars.isEmpty()) {
            // Drawn first (XYPlot draws the datasets in reverse order), under the throughput curve.
            YIntervalSeriesCollection bars = new YIntervalSeriesCollection();
            bars.addSeries(errorBars);
            plot.setDataset(ERROR_BAR_DATASET, bars);
            plot.mapDatasetToRangeAxis(ERROR_BAR_DATASET, 0);
            plot.setRenderer(ERROR_BAR_DATASET, errorBarRenderer());
        }
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        plot.setOutlineVisible(false);
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));

        if (budgetOnAxis) {
            ValueMarker line = marker(budget / (double) memoryUnit, BUDGET, new float[] {8, 5});
            line.setLabel("memory budget " + Bytes.format(budget));
            line.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            line.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
            plot.addRangeMarker(1, line, Layer.FOREGROUND);
        }
        for (Trial trial : result.trials()) {
            if (!trial.ok()) {
                // At the bottom and to the left: out of memory is the right-most size, and the top
                // belongs to the chosen size's label.
                ValueMarker line = marker(trial.batchSize(), NOT_MEASURED, new float[] {3, 3});
                line.setLabel(
                        (trial.outOfMemory() ? "out of memory at " : "failed at ") + Wording.count(trial.batchSize()));
                line.setLabelAnchor(RectangleAnchor.BOTTOM_LEFT);
                line.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
                plot.addDomainMarker(line, Layer.FOREGROUND);
            }
        }
        ValueMarker chosen = marker(result.batchSize(), CHOSEN, null);
        chosen.setLabel(chosenLabel(result));
        chosen.setLabelFont(LABEL.deriveFont(Font.BOLD));
        // The label goes on the side with more room, so that it is never cut off at the edge.
        double position = Math.log(result.batchSize() / batchAxis.getLowerBound())
                / Math.log(batchAxis.getUpperBound() / batchAxis.getLowerBound());
        boolean labelLeft = position > 0.5;
        chosen.setLabelAnchor(labelLeft ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
        chosen.setLabelTextAnchor(labelLeft ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
        plot.addDomainMarker(chosen, Layer.FOREGROUND);

        String title = "AutoBatch: " + result.context().modelName() + " on "
                + result.context().device();
        JFreeChart chart = new JFreeChart(title, new Font(Font.SANS_SERIF, Font.BOLD, 16), plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(new TextTitle(
                "batch size " + Wording.count(result.batchSize()) + " chosen; stopped because "
                        + Wording.stopReason(result),
                LABEL));
        if (budget >= 0 && !budgetOnAxis) {
            // Right-aligned above the plot, over the memory axis it belongs to, where no curve or
            // marker label can cover it.
            TextTitle note = new TextTitle(
                    "memory budget " + Bytes.format(budget) + ": above the top of the memory axis", LABEL);
            note.setPaint(BUDGET);
            note.setHorizontalAlignment(HorizontalAlignment.RIGHT);
            note.setPadding(new RectangleInsets(4, 0, 0, 8));
            chart.addSubtitle(note);
        }
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(BlockBorder.NONE);
        return chart;
    }

    private static String chosenLabel(TuningResult result) {
        StringBuilder label = new StringBuilder("chosen: ").append(Wording.count(result.batchSize()));
        result.chosenTrial().ifPresent(trial -> {
            long measurements = result.trials().stream()
                    .filter(t -> t.ok() && t.batchSize() == result.batchSize())
                    .count();
            label.append(String.format(
                    Locale.ROOT, " (%,.0f samples/s", result.confirmedSamplesPerSecond(result.batchSize())));
            String spread = ResultTable.spread(trial);
            if (measurements > 1) {
                label.append(", ").append(measurements).append(" measurements");
            } else if (!spread.isEmpty()) {
                label.append(' ').append(spread);
            }
            if (trial.peakMemoryBytes() >= 0) {
                label.append(", ").append(Bytes.format(trial.peakMemoryBytes())).append(" peak");
            }
            label.append(")");
        });
        return label.toString();
    }

    private static XYLineAndShapeRenderer renderer(Color color) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, color);
        renderer.setSeriesStroke(0, new BasicStroke(2f));
        return renderer;
    }

    /** Draws only vertical error bars with caps, in the throughput's colour. */
    private static XYErrorRenderer errorBarRenderer() {
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDefaultLinesVisible(false);
        renderer.setDefaultShapesVisible(false);
        renderer.setDrawXError(false);
        renderer.setDrawYError(true);
        renderer.setErrorPaint(THROUGHPUT);
        renderer.setErrorStroke(new BasicStroke(1.5f));
        renderer.setCapLength(8);
        // The throughput's legend entry names the bars.
        renderer.setSeriesVisibleInLegend(0, false);
        return renderer;
    }

    private static ValueMarker marker(double value, Color color, float[] dash) {
        BasicStroke stroke = dash == null
                ? new BasicStroke(1.5f)
                : new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, dash, 0f);
        ValueMarker marker = new ValueMarker(value, color, stroke);
        marker.setLabelPaint(color);
        marker.setLabelFont(LABEL);
        marker.setLabelOffset(new RectangleInsets(4, 6, 4, 6));
        marker.setLabelBackgroundColor(LABEL_BACKGROUND);
        return marker;
    }

    private static NumberFormat grouped(String pattern) {
        return new DecimalFormat(pattern, DecimalFormatSymbols.getInstance(Locale.ROOT));
    }
}
