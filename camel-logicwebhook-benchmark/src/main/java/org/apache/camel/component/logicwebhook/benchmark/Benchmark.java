package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The logicwebhook benchmark (docs/performance.md). Runs in one process, on loopback, with one HTTP client:
 * <ol>
 * <li>trigger throughput against a bare platform-http route,</li>
 * <li>action round trip against the same two HTTP hops done by hand,</li>
 * <li>heap and threads per pending wait,</li>
 * <li>the timeout sweep of many expired waits,</li>
 * <li>the wait stores: their writes, their periodic scan, and heap per pending wait (issue #13),</li>
 * </ol>
 * and writes {@code results.json} and {@code performance.png} to {@code -Dbenchmark.output} (default
 * {@code target/benchmark}). {@code -Dbenchmark.smoke=true} runs every scenario with tiny counts;
 * {@code -Dbenchmark.only=trigger,action,memory,timeout,stores} runs some of them. The load from outside the
 * measured JVM is {@link ExternalBenchmark}'s.
 */
public final class Benchmark {

    static final List<String> SCENARIOS = List.of("trigger", "action", "memory", "timeout", "stores");

    private Benchmark() {
    }

    public static void main(String[] args) throws Exception {
        boolean smoke = Boolean.getBoolean("benchmark.smoke");
        String only = System.getProperty("benchmark.only", "all");
        Path output = Paths.get(System.getProperty("benchmark.output", "target/benchmark"));
        int status = 0;
        try {
            Settings settings = smoke ? Settings.smokeRun() : Settings.fullRun();
            Map<String, Object> results = run(settings, scenarios(only), output);
            System.out.println();
            System.out.println(summary(results));
            System.out.println("Results: " + output.resolve("results.json").toAbsolutePath());
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        }
        // Vert.x and the HTTP clients leave no thread that should keep the JVM up; exit in any case
        System.exit(status);
    }

    static Set<String> scenarios(String only) {
        if (only == null || only.isBlank() || "all".equals(only)) {
            return new LinkedHashSet<>(SCENARIOS);
        }
        Set<String> chosen = new LinkedHashSet<>();
        for (String name : only.split(",")) {
            if (!SCENARIOS.contains(name.trim())) {
                throw new IllegalArgumentException("benchmark.only takes " + SCENARIOS + ", not " + name);
            }
            chosen.add(name.trim());
        }
        return chosen;
    }

    /** Runs the chosen scenarios and writes results.json (and the chart when there are throughput figures). */
    public static Map<String, Object> run(Settings settings, Set<String> scenarios, Path output) throws Exception {
        byte[] payload = payload(settings.payloadBytes());
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "camel-logicwebhook");
        results.put("started", Instant.now().toString());
        results.put("machine", machine());
        results.put("settings", settings.toMap());
        long start = System.nanoTime();
        if (scenarios.contains("trigger")) {
            results.put("trigger", TriggerScenario.run(settings, payload));
        }
        if (scenarios.contains("action")) {
            results.put("action", ActionScenario.run(settings, payload));
        }
        if (scenarios.contains("memory")) {
            results.put("memory", MemoryScenario.run(settings, payload));
        }
        if (scenarios.contains("timeout")) {
            results.put("timeout", TimeoutScenario.run(settings, payload));
        }
        if (scenarios.contains("stores")) {
            results.put("stores", StoreScenario.run(settings, payload));
        }
        results.put("durationSeconds", round((System.nanoTime() - start) / 1e9, 1));
        results.put("loadAverageAtEnd", round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2));
        Files.createDirectories(output);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(output.resolve("results.json").toFile(), results);
        if (results.containsKey("trigger") && results.containsKey("action")) {
            Chart.write(results, output.resolve("performance.png"));
        }
        return results;
    }

    /** A JSON document of the given size, as a service would send on its callback. */
    static byte[] payload(int size) {
        StringBuilder text = new StringBuilder("{\"status\":\"Succeeded\",\"jobId\":\"job-42\",\"result\":\"");
        while (text.length() < size - 2) {
            text.append('x');
        }
        text.append("\"}");
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> machine() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", cpuModel());
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            machine.put("physicalMemoryMiB", sun.getTotalMemorySize() / (1024 * 1024));
        }
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                          + System.getProperty("os.arch"));
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        machine.put("jvmArguments", ManagementFactory.getRuntimeMXBean().getInputArguments());
        machine.put("loadAverageAtStart", round(os.getSystemLoadAverage(), 2));
        return machine;
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Paths.get("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> results) {
        StringBuilder text = new StringBuilder("logicwebhook benchmark");
        if (results.get("settings") instanceof Map<?, ?> settings && Boolean.TRUE.equals(settings.get("smoke"))) {
            text.append(" (smoke run: tiny counts that only check that it works; its figures are no measurement)");
        }
        if (results.get("trigger") instanceof Map<?, ?> trigger) {
            text.append(String.format("%n1. trigger throughput: %s/s vs platform-http %s/s = %s x (goal >= 0.90: %s);"
                                      + " CPU per callback ratio %s",
                    ((Map<String, Object>) trigger.get("logicwebhook")).get("perSecond"),
                    ((Map<String, Object>) trigger.get("baseline")).get("perSecond"), trigger.get("throughputRatio"),
                    met(trigger.get("goalMet")), trigger.get("cpuCapacityRatio")));
        }
        if (results.get("action") instanceof Map<?, ?> action) {
            Map<String, Object> two = (Map<String, Object>) action.get("twoHops");
            Map<String, Object> s = (Map<String, Object>) two.get("logicwebhook");
            Map<String, Object> b = (Map<String, Object>) two.get("baseline");
            text.append(String.format("%n2. action round trip: %s/s (p50 %s ms, p99 %s ms) vs by hand %s/s (p50 %s ms,"
                                      + " p99 %s ms) = %s x (goal >= 0.80: %s); CPU per round trip ratio %s",
                    s.get("perSecond"), s.get("p50Ms"), s.get("p99Ms"), b.get("perSecond"), b.get("p50Ms"),
                    b.get("p99Ms"), two.get("throughputRatio"), met(two.get("goalMet")), two.get("cpuCapacityRatio")));
        }
        if (results.get("memory") instanceof Map<?, ?> memory) {
            Map<String, Object> small = (Map<String, Object>) memory.get("small");
            Map<String, Object> large = (Map<String, Object>) memory.get("large");
            Map<String, Object> warm = (Map<String, Object>) memory.get("warm");
            text.append(String.format("%n3. per pending wait: %s B at %s waits, %s B at %s waits;"
                                      + " threads %s -> %s -> %s"
                                      + " (goal <= 2048 B, flat: %s)",
                    small.get("bytesPerWait"), small.get("waits"), large.get("bytesPerWait"), large.get("waits"),
                    warm.get("liveThreads"), small.get("liveThreads"), large.get("liveThreads"),
                    met(memory.get("goalMet"))));
        }
        if (results.get("timeout") instanceof Map<?, ?> timeout) {
            text.append(String.format("%n4. timeout sweep of %s waits: all failed after %s ms, all unsubscribed after"
                                      + " %s ms (goal <= 1000 ms: %s)",
                    timeout.get("waits"), timeout.get("allFailedMs"), timeout.get("allUnsubscribedMs"),
                    met(timeout.get("goalMet"))));
        }
        if (results.get("stores") instanceof Map<?, ?> stores) {
            Map<String, Object> writes = (Map<String, Object>) stores.get("writes");
            ((Map<String, Object>) writes.get("perStore")).forEach((name, figures) -> text.append(String.format(
                    "%n5. store %s: %s waits/s (three writes each), CPU %s us per wait", name,
                    ((Map<String, Object>) ((Map<String, Object>) figures).get("waitsPerSecond")).get("median"),
                    ((Map<String, Object>) ((Map<String, Object>) figures).get("cpuMicrosPerWait")).get("median"))));
            ((Map<String, Object>) stores.get("heap")).forEach((name, figures) -> text.append(String.format(
                    "%n5. heap per pending wait with %s: %s B", name, ((Map<String, Object>) figures).get("bytesPerWait"))));
        }
        return text.toString();
    }

    private static String met(Object goalMet) {
        return Boolean.TRUE.equals(goalMet) ? "met" : "MISSED";
    }

    static void log(String format, Object... args) {
        System.out.printf("[benchmark] " + format + "%n", args);
        System.out.flush();
    }

    static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }

    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
