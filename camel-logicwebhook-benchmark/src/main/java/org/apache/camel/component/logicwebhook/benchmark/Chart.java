package org.apache.camel.component.logicwebhook.benchmark;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

/** The chart of docs/performance.md: throughput and latency of logicwebhook beside its baselines. */
final class Chart {

    private static final String BASELINE = "baseline (bare platform-http / the two hops by hand)";
    private static final String SUBJECT = "logicwebhook";
    private static final Color BASELINE_COLOR = new Color(0x9E9E9E);
    private static final Color SUBJECT_COLOR = new Color(0x1565C0);
    private static final int WIDTH = 1500;
    private static final int HEIGHT = 660;

    private Chart() {
    }

    @SuppressWarnings("unchecked")
    static void write(Map<String, Object> results, Path file) throws IOException {
        Map<String, Object> trigger = (Map<String, Object>) results.get("trigger");
        Map<String, Object> action = (Map<String, Object>) results.get("action");
        Map<String, Object> two = (Map<String, Object>) action.get("twoHops");
        Map<String, Object> one = (Map<String, Object>) action.get("twoHopsOneThread");
        Map<String, Object> three = (Map<String, Object>) action.get("threeHopsWithUnsubscribe");

        DefaultBoxAndWhiskerCategoryDataset ratios = new DefaultBoxAndWhiskerCategoryDataset();
        addRatios(ratios, trigger, "Trigger callbacks (goal 0.90)");
        addRatios(ratios, two, "Action round trips (goal 0.80)");
        addRatios(ratios, three, "Action + unsubscribe (a 3rd hop; no goal)");

        DefaultCategoryDataset latency = new DefaultCategoryDataset();
        add(latency, trigger, "p50Ms", "Trigger p50");
        add(latency, trigger, "p99Ms", "Trigger p99");
        add(latency, two, "p50Ms", "Action p50");
        add(latency, two, "p99Ms", "Action p99");
        add(latency, one, "p50Ms", "Action p50, 1 thread");
        add(latency, one, "p99Ms", "Action p99, 1 thread");

        Object concurrency = trigger.get("concurrency");
        Object rounds = ((Map<String, Object>) results.get("settings")).get("rounds");
        JFreeChart left = ratioChart("Throughput against the baseline (1.0 = as fast), " + rounds + " paired rounds",
                ratios);
        JFreeChart right = bars("Latency, " + concurrency + " concurrent clients unless noted (lower is better)",
                "milliseconds", latency, new DecimalFormat("0.00"));

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("camel-logicwebhook against its baseline: one process, loopback, same client and payload", 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        Map<String, Object> machine = (Map<String, Object>) results.get("machine");
        g.drawString("Boxes: ratio logicwebhook / baseline of each pair of adjacent 1 s rounds (median, quartiles,"
                     + " range); CPU = baseline's CPU per operation / logicwebhook's. Bars: the median round.", 20, 48);
        g.drawString(machine.get("availableProcessors") + " CPUs (" + machine.get("cpu") + "), " + machine.get("java")
                     + ", a machine shared with other builds (load average " + machine.get("loadAverageAtStart")
                     + " at start): read the ratios, not the absolute figures.", 20, 66);
        left.draw(g, new Rectangle2D.Double(0, 76, WIDTH * 0.48, HEIGHT - 76));
        right.draw(g, new Rectangle2D.Double(WIDTH * 0.48, 76, WIDTH * 0.52, HEIGHT - 76));
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    @SuppressWarnings("unchecked")
    private static void addRatios(DefaultBoxAndWhiskerCategoryDataset dataset, Map<String, Object> side,
                                  String category) {
        dataset.add((List<Double>) side.get("roundRatios"), "throughput ratio", category);
        dataset.add((List<Double>) side.get("roundCpuRatios"), "CPU per operation ratio", category);
    }

    private static JFreeChart ratioChart(String title, DefaultBoxAndWhiskerCategoryDataset dataset) {
        CategoryAxis categories = new CategoryAxis();
        categories.setMaximumCategoryLabelLines(2);
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        NumberAxis values = new NumberAxis("logicwebhook / baseline");
        values.setAutoRangeIncludesZero(true);
        values.setUpperMargin(0.08);
        BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
        renderer.setSeriesPaint(0, SUBJECT_COLOR);
        renderer.setSeriesPaint(1, new Color(0x90CAF9));
        renderer.setMeanVisible(false);
        renderer.setMedianVisible(true);
        renderer.setMaxOutlierVisible(false);
        renderer.setMinOutlierVisible(false);
        renderer.setUseOutlinePaintForWhiskers(false);
        renderer.setItemMargin(0.1);
        renderer.setMaximumBarWidth(0.12);
        renderer.setDefaultToolTipGenerator(null);
        CategoryPlot plot = new CategoryPlot(dataset, categories, values, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setOutlineVisible(false);
        plot.addRangeMarker(marker(1.0, "1.0: as fast as the baseline", new Color(0x616161)));
        plot.addRangeMarker(marker(0.9, "0.90", new Color(0xE65100)));
        plot.addRangeMarker(marker(0.8, "0.80", new Color(0xC62828)));
        JFreeChart chart = new JFreeChart(plot);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.getLegend().setFrame(BlockBorder.NONE);
        return chart;
    }

    private static ValueMarker marker(double value, String label, Color color) {
        ValueMarker marker = new ValueMarker(value, color,
                new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] { 5f, 4f }, 0f));
        marker.setLabel(label);
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        marker.setLabelPaint(color);
        marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
        marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
        return marker;
    }

    @SuppressWarnings("unchecked")
    private static void add(DefaultCategoryDataset dataset, Map<String, Object> side, String figure, String category) {
        dataset.addValue((Number) ((Map<String, Object>) side.get("baseline")).get(figure), BASELINE, category);
        dataset.addValue((Number) ((Map<String, Object>) side.get("logicwebhook")).get(figure), SUBJECT, category);
    }

    private static JFreeChart bars(String title, String axis, DefaultCategoryDataset dataset, DecimalFormat format) {
        CategoryAxis categories = new CategoryAxis();
        categories.setMaximumCategoryLabelLines(3);
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        NumberAxis values = new NumberAxis(axis);
        values.setUpperMargin(0.12);
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setSeriesPaint(0, BASELINE_COLOR);
        renderer.setSeriesPaint(1, SUBJECT_COLOR);
        renderer.setItemMargin(0.05);
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", format));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        renderer.setDefaultPositiveItemLabelPosition(
                new ItemLabelPosition(ItemLabelAnchor.OUTSIDE12, TextAnchor.BOTTOM_CENTER));
        CategoryPlot plot = new CategoryPlot(dataset, categories, values, renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlineStroke(new BasicStroke(1f));
        plot.setOutlineVisible(false);
        JFreeChart chart = new JFreeChart(plot);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        LegendTitle legend = chart.getLegend();
        legend.setPosition(RectangleEdge.BOTTOM);
        legend.setFrame(BlockBorder.NONE);
        return chart;
    }
}
