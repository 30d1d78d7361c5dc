package org.apache.camel.component.logicwebhook.benchmark;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.block.BlockBorder;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BoxAndWhiskerRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.statistics.DefaultBoxAndWhiskerCategoryDataset;

/**
 * The chart of the external run (docs/performance-external.png): per comparison, the ratios of its rounds, throughput
 * on the left (higher is better) and CPU per request on the right (lower is better), each with its goal.
 * {@code java ... ExternalChart results-external.json out.png} draws it again from a run's results.
 */
final class ExternalChart {

    private static final int WIDTH = 1600;
    private static final int HEIGHT = 720;

    private ExternalChart() {
    }

    public static void main(String[] args) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> results = new ObjectMapper().readValue(new File(args[0]), Map.class);
        write(results, Paths.get(args[1]));
    }

    @SuppressWarnings("unchecked")
    static void write(Map<String, Object> results, Path file) throws IOException {
        DefaultBoxAndWhiskerCategoryDataset throughput = new DefaultBoxAndWhiskerCategoryDataset();
        DefaultBoxAndWhiskerCategoryDataset cpu = new DefaultBoxAndWhiskerCategoryDataset();
        if (results.get("trigger") instanceof Map<?, ?> trigger) {
            add(throughput, cpu, (Map<String, Object>) trigger, "logicwebhook/platform-http", "trigger",
                    "trigger / bare platform-http");
        }
        if (results.get("action") instanceof Map<?, ?> levels) {
            for (Map.Entry<String, Object> level : ((Map<String, Object>) levels).entrySet()) {
                Map<String, Object> comparison = (Map<String, Object>) level.getValue();
                add(throughput, cpu, comparison, "logicwebhook/handmade", "action",
                        "action c=" + level.getKey() + " / by hand");
                add(throughput, cpu, comparison, "logicwebhook/handmade-eventloop", "action",
                        "action c=" + level.getKey() + " / by hand, callback on event loop");
            }
        }
        if (results.get("stores") instanceof Map<?, ?> stores) {
            for (String pair : ((Map<String, Object>) ((Map<String, Object>) stores).get("ratios")).keySet()) {
                add(throughput, cpu, (Map<String, Object>) stores, pair, "stores", pair.replace("/", " / "));
            }
        }
        JFreeChart left = chart("Throughput ratio per round (higher is better)", "subject / baseline", throughput,
                new double[] { 1.0, 0.9, 0.5 }, new String[] { "1.0 (trigger goal)", "0.90 (action goal)",
                        "0.5 (store goal)" });
        JFreeChart right = chart("CPU per request ratio per round (lower is better)", "subject / baseline", cpu,
                new double[] { 1.0 }, new String[] { "1.0 (trigger goal)" });

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.DARK_GRAY);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString("camel-logicwebhook, load from wrk in another process: the application under test in JVMs of its"
                     + " own", 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        Map<String, Object> settings = (Map<String, Object>) results.get("settings");
        Map<String, Object> machine = (Map<String, Object>) results.get("machine");
        g.drawString("Each box: the ratios of the rounds of one comparison (median, quartiles, range); rounds of "
                     + settings.get("roundSeconds") + " s after " + settings.get("warmupSeconds")
                     + " s of warm-up per side, sides in a rotating order. A missing box: the baseline failed there.",
                20, 48);
        g.drawString(machine.get("availableProcessors") + " CPUs, " + machine.get("java")
                     + " (load average " + machine.get("loadAverageAtStart") + " at start, "
                     + results.get("loadAverageAtEnd") + " at the end).", 20, 66);
        String failed = failed(results);
        if (!failed.isEmpty()) {
            g.setColor(new Color(0xC62828));
            g.drawString("Not drawn, the baseline locked up: " + failed, 20, 84);
        }
        left.draw(g, new Rectangle2D.Double(0, 90, WIDTH * 0.56, HEIGHT - 90));
        right.draw(g, new Rectangle2D.Double(WIDTH * 0.56, 90, WIDTH * 0.44, HEIGHT - 90));
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }

    /** The sides that failed, per action level: "c=200: handmade; …". */
    @SuppressWarnings("unchecked")
    private static String failed(Map<String, Object> results) {
        StringBuilder text = new StringBuilder();
        if (results.get("action") instanceof Map<?, ?> levels) {
            ((Map<String, Object>) levels).forEach((level, comparison) -> {
                Map<String, Object> sides = (Map<String, Object>) ((Map<String, Object>) comparison).get("sides");
                sides.forEach((name, side) -> {
                    if (((Map<String, Object>) side).containsKey("failed")) {
                        text.append(text.length() > 0 ? "; " : "").append("c=").append(level).append(' ').append(name)
                                .append(" (").append(((Map<String, Object>) side).get("failed")).append(')');
                    }
                });
            });
        }
        return text.toString();
    }

    @SuppressWarnings("unchecked")
    private static void add(DefaultBoxAndWhiskerCategoryDataset throughput, DefaultBoxAndWhiskerCategoryDataset cpu,
                            Map<String, Object> comparison, String pair, String series, String category) {
        Map<String, Object> ratio = (Map<String, Object>) ((Map<String, Object>) comparison.get("ratios")).get(pair);
        if (ratio == null) {
            return;
        }
        List<Double> values = values(ratio.get("throughput"));
        if (!values.isEmpty()) {
            throughput.add(values, series, category);
        }
        List<Double> cpuValues = values(ratio.get("cpuPerRequest"));
        if (!cpuValues.isEmpty()) {
            cpu.add(cpuValues, series, category);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Double> values(Object spread) {
        Object values = ((Map<String, Object>) spread).get("values");
        return values == null ? List.of()
                : ((List<Object>) values).stream().map(v -> ((Number) v).doubleValue()).toList();
    }

    private static JFreeChart chart(String title, String axis, DefaultBoxAndWhiskerCategoryDataset dataset,
                                    double[] markers, String[] labels) {
        CategoryAxis categories = new CategoryAxis();
        categories.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        categories.setMaximumCategoryLabelLines(2);
        categories.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        NumberAxis values = new NumberAxis(axis);
        values.setAutoRangeIncludesZero(true);
        values.setUpperMargin(0.08);
        BoxAndWhiskerRenderer renderer = new BoxAndWhiskerRenderer();
        renderer.setSeriesPaint(0, new Color(0x1565C0));
        renderer.setSeriesPaint(1, new Color(0x2E7D32));
        renderer.setSeriesPaint(2, new Color(0xEF6C00));
        renderer.setMeanVisible(false);
        renderer.setMedianVisible(true);
        renderer.setMaxOutlierVisible(false);
        renderer.setMinOutlierVisible(false);
        renderer.setUseOutlinePaintForWhiskers(false);
        renderer.setMaximumBarWidth(0.5);
        renderer.setItemMargin(0.0);
        renderer.setDefaultToolTipGenerator(null);
        CategoryPlot plot = new CategoryPlot(dataset, categories, values, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        plot.setOutlineVisible(false);
        Color[] colors = { new Color(0x616161), new Color(0xE65100), new Color(0xC62828) };
        for (int i = 0; i < markers.length; i++) {
            ValueMarker marker = new ValueMarker(markers[i], colors[i % colors.length], new BasicStroke(1.2f,
                    BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] { 5f, 4f }, 0f));
            marker.setLabel(labels[i]);
            marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            marker.setLabelPaint(colors[i % colors.length]);
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker);
        }
        JFreeChart chart = new JFreeChart(plot);
        chart.setTitle(new TextTitle(title, new Font(Font.SANS_SERIF, Font.BOLD, 14)));
        chart.setBackgroundPaint(Color.WHITE);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        chart.getLegend().setFrame(BlockBorder.NONE);
        return chart;
    }
}
