package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * With {@code -Dbenchmark.profile=true}, records a JFR profile (CPU samples every millisecond) of each scenario's
 * measured part only, writes it as {@code NAME.jfr} beside results.json, and a summary as {@code NAME-profile.txt}:
 * the methods most often on CPU (self), and the share of samples that have logicwebhook code on their stack
 * (inclusive). {@code java ... Profiler FILE.jfr} prints the summary of any recording.
 */
final class Profiler implements AutoCloseable {

    private static final String COMPONENT = "org.apache.camel.component.logicwebhook.";
    private static final String BENCHMARK = COMPONENT + "benchmark.";

    private final String name;
    private final Recording recording;

    private Profiler(String name, Recording recording) {
        this.name = name;
        this.recording = recording;
    }

    static Profiler start(String name) {
        if (!Boolean.getBoolean("benchmark.profile")) {
            return new Profiler(name, null);
        }
        Recording recording = new Recording();
        recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(1));
        recording.enable("jdk.NativeMethodSample").withPeriod(Duration.ofMillis(5));
        recording.enable("jdk.GarbageCollection");
        recording.enable("jdk.ObjectAllocationSample").with("throttle", "500/s");
        recording.start();
        return new Profiler(name, recording);
    }

    @Override
    public void close() throws IOException {
        if (recording == null) {
            return;
        }
        recording.stop();
        Path output = Paths.get(System.getProperty("benchmark.output", "target/benchmark"));
        Files.createDirectories(output);
        Path file = output.resolve(name + ".jfr");
        recording.dump(file);
        recording.close();
        Files.writeString(output.resolve(name + "-profile.txt"), summary(file));
        Benchmark.log("  profile: %s", file.toAbsolutePath());
    }

    public static void main(String[] args) throws IOException {
        for (String file : args) {
            System.out.println(summary(Paths.get(file)));
        }
    }

    static String summary(Path file) throws IOException {
        Map<String, Integer> self = new HashMap<>();
        Map<String, Integer> inclusive = new HashMap<>();
        Map<String, Integer> threads = new HashMap<>();
        int samples = 0;
        int withComponent = 0;
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (!"jdk.ExecutionSample".equals(event.getEventType().getName())) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null || stack.getFrames().isEmpty()) {
                continue;
            }
            samples++;
            String thread = event.getThread("sampledThread") == null
                    ? "?" : event.getThread("sampledThread").getJavaName();
            threads.merge(thread == null ? "?" : thread.replaceAll("[-#]?\\d+$", "").replaceAll("\\d+", "N"), 1,
                    Integer::sum);
            List<RecordedFrame> frames = stack.getFrames();
            self.merge(method(frames.get(0)), 1, Integer::sum);
            Set<String> seen = new HashSet<>();
            boolean component = false;
            for (RecordedFrame frame : frames) {
                String method = method(frame);
                if (seen.add(method)) {
                    inclusive.merge(method, 1, Integer::sum);
                }
                if (method.startsWith(COMPONENT) && !method.startsWith(BENCHMARK)) {
                    component = true;
                }
            }
            if (component) {
                withComponent++;
            }
        }
        StringWriter text = new StringWriter();
        PrintWriter out = new PrintWriter(text);
        out.printf("%s: %d CPU samples; %d (%.1f%%) with logicwebhook code on the stack%n", file.getFileName(), samples,
                withComponent, 100.0 * withComponent / Math.max(1, samples));
        out.printf("%nBy thread:%n");
        top(out, threads, samples, 12, null);
        out.printf("%nOn CPU (self):%n");
        top(out, self, samples, 30, null);
        out.printf("%nlogicwebhook methods (inclusive: the samples with the method on the stack):%n");
        top(out, inclusive, samples, 30, COMPONENT);
        out.printf("%nAll methods (inclusive):%n");
        top(out, inclusive, samples, 60, null);
        out.flush();
        return text.toString();
    }

    private static void top(PrintWriter out, Map<String, Integer> counts, int total, int limit, String prefix) {
        counts.entrySet().stream()
                .filter(e -> prefix == null || e.getKey().startsWith(prefix) && !e.getKey().startsWith(BENCHMARK))
                .sorted((a, b) -> b.getValue() - a.getValue()).limit(limit)
                .forEach(e -> out.printf("%6.1f%% %6d  %s%n", 100.0 * e.getValue() / Math.max(1, total), e.getValue(),
                        e.getKey()));
    }

    private static String method(RecordedFrame frame) {
        return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
    }
}
