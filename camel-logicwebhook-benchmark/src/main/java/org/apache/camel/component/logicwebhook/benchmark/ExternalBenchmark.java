package org.apache.camel.component.logicwebhook.benchmark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The external benchmark (docs/performance.md, issues #12 and #13): the application under test ({@link AppUnderTest})
 * runs in JVMs of its own, the remote service ({@link RemoteService}) in another, and the load comes from {@code wrk}.
 * This process only starts them, runs wrk, and reads /proc around each round.
 * <ol>
 * <li>{@code trigger}: the signed trigger URL against a bare platform-http route, in the same application JVM.</li>
 * <li>{@code action}: {@code platform-http:/start} → {@code logicwebhook:job} against the same two hops by hand (two
 * platform-http routes and a map of futures), and by hand with the callback on the event loop, each side in an
 * application JVM of its own, at each level of connections in flight.</li>
 * <li>{@code stores}: the same action with the in-memory store, an H2 file and an embedded PostgreSQL, each in an
 * application JVM of its own.</li>
 * <li>{@code recovery} and {@code crossnode}: see {@link DurabilityBenchmark}.</li>
 * </ol>
 * Each comparison: a warm-up of each side in slices (whose rates show when it is steady), then rounds in which every
 * side runs once, in an order that rotates (A B, B A, …), so that the drift of a shared machine falls on every side.
 * A ratio is taken per round between sides of that round; the report gives its median and its range (min–max). CPU
 * per request is the utime+stime of the application JVM (and its child processes: an embedded PostgreSQL) over the
 * round, divided by the requests answered.
 * <p>
 * System properties ({@code -Dexternal.…}): {@code only} (trigger,action,stores; also recovery,crossnode), {@code levels} (16,200,1000),
 * {@code steadySpread} (1.15) and {@code maxWarmupSeconds} (120: the warm-up goes on past warmupSeconds until its
 * last three slices are within steadySpread of each other, up to this), {@code storeLevel} (16), {@code stores}
 * (memory,h2,postgres; also postgres-durable: see {@link AppUnderTest}),
 * {@code triggerConnections} (16), {@code warmupSeconds} (30), {@code storeWarmupSeconds} (120),
 * {@code rewarmSeconds} (10),
 * {@code sliceSeconds} (5), {@code roundSeconds} (20), {@code rounds} (3), {@code wrkThreads} (2),
 * {@code drainSeconds} (45), {@code wrkTimeoutSeconds} (10: a request not answered in that time counts as a wrk
 * timeout), {@code appHeap} (-Xmx1g), {@code output} (target/benchmark-external),
 * {@code appJvmArgs} (more options for the application JVMs, space-separated, e.g. a JFR recording).
 */
public final class ExternalBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Path output;
    private final Wrk wrk;
    private final int warmupSeconds = Integer.getInteger("external.warmupSeconds", 30);
    /** H2's JIT takes minutes on a busy machine: its rate looked steady after 30 s and doubled after 2 minutes. */
    private final int storeWarmupSeconds = Integer.getInteger("external.storeWarmupSeconds", 120);
    private final int rewarmSeconds = Integer.getInteger("external.rewarmSeconds", 10);
    private final int sliceSeconds = Integer.getInteger("external.sliceSeconds", 5);
    /** The warm-up goes on past its minimum until its last three slices are within this of each other. */
    private final double steadySpread = Double.parseDouble(System.getProperty("external.steadySpread", "1.15"));
    private final int maxWarmupSeconds = Integer.getInteger("external.maxWarmupSeconds", 120);
    private final int roundSeconds = Integer.getInteger("external.roundSeconds", 20);
    private final int rounds = Integer.getInteger("external.rounds", 3);
    private final int drainSeconds = Integer.getInteger("external.drainSeconds", 45);
    private final String appHeap = System.getProperty("external.appHeap", "-Xmx1g");
    private final String appJvmArgs = System.getProperty("external.appJvmArgs", "");

    /** The JVM options of an application: its heap, G1, and appJvmArgs (with {app} as its name). */
    List<String> appOptions(String name) {
        List<String> options = new ArrayList<>(List.of(appHeap, "-XX:+UseG1GC"));
        if (!appJvmArgs.isBlank()) {
            for (String option : appJvmArgs.trim().split("\\s+")) {
                options.add(option.replace("{app}", name));
            }
        }
        return options;
    }
    private final Map<String, App> apps = new LinkedHashMap<>();
    private ChildJvm remote;
    private String serviceUrl;

    /** An application JVM: its port, its store. */
    private final class App implements AutoCloseable {
        final String name;
        final String store;
        final int port;
        final ChildJvm jvm;
        int restarts;
        /** Its embedded PostgreSQL server, whose CPU counts with the application's; or -1. */
        long database = -1;

        App(String name, String store) throws Exception {
            this.name = name;
            this.store = store;
            this.port = freePort();
            List<String> options = appOptions(name);
            options.addAll(List.of("-Dapp.port=" + port, "-Dapp.service=" + serviceUrl, "-Dapp.store=" + store,
                    "-Dapp.dir=" + output.resolve("h2-" + name).toAbsolutePath()));
            jvm = new ChildJvm(name, options, AppUnderTest.class.getName(), List.of(),
                    output.resolve("logs").resolve(name + ".log"), "APP_READY").start(180);
            findDatabase();
        }

        void findDatabase() {
            database = -1;
            for (String part : jvm.readyLine().split(" ")) {
                if (part.startsWith("pgport=")) {
                    database = ProcStat.postgresServer(Integer.parseInt(part.substring("pgport=".length())));
                }
            }
        }

        /** CPU ticks of the application JVM, its children, and its PostgreSQL server with its backends. */
        long cpuTicks() {
            return ProcStat.treeCpuTicks(jvm.pid()) + (database > 0 ? ProcStat.treeCpuTicks(database) : 0);
        }

        long databaseTicks() {
            return database > 0 ? ProcStat.treeCpuTicks(database) : 0;
        }

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        JsonNode status() throws Exception {
            return get(url("/bench/status"));
        }

        @Override
        public void close() {
            jvm.close();
        }
    }

    /** One side of a comparison: an application and the URL its load goes to. */
    private static final class Side {
        final String name;
        final App app;
        final String url;
        /** Why it is no longer measured at this level (it locked up), or null. */
        String failed;

        Side(String name, App app, String url) {
            this.name = name;
            this.app = app;
            this.url = url;
        }
    }

    private ExternalBenchmark(Path output, Wrk wrk) {
        this.output = output;
        this.wrk = wrk;
    }

    public static void main(String[] args) throws Exception {
        Path output = Paths.get(System.getProperty("external.output", "target/benchmark-external"));
        Set<String> only = new LinkedHashSet<>(Arrays.asList(
                System.getProperty("external.only", "trigger,action,stores").split(",")));
        int status = 0;
        Files.createDirectories(output);
        ExternalBenchmark benchmark = new ExternalBenchmark(output,
                Wrk.create(output, Benchmark.payload(256), Integer.getInteger("external.wrkThreads", 2),
                        Integer.getInteger("external.wrkTimeoutSeconds", 10)));
        try {
            Map<String, Object> results = benchmark.run(only);
            System.out.println();
            System.out.println(summary(results));
            System.out.println("Results: " + output.resolve("results-external.json").toAbsolutePath());
        } catch (Throwable e) {
            e.printStackTrace();
            status = 1;
        } finally {
            benchmark.close();
        }
        System.exit(status);
    }

    private Map<String, Object> run(Set<String> only) throws Exception {
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("benchmark", "camel-logicwebhook, load from outside the measured JVM");
        results.put("started", Instant.now().toString());
        results.put("wrk", Wrk.version());
        results.put("machine", machine());
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("warmupSeconds", warmupSeconds);
        settings.put("storeWarmupSeconds", storeWarmupSeconds);
        settings.put("rewarmSeconds", rewarmSeconds);
        settings.put("sliceSeconds", sliceSeconds);
        settings.put("steadySpread", steadySpread);
        settings.put("maxWarmupSeconds", maxWarmupSeconds);
        settings.put("roundSeconds", roundSeconds);
        settings.put("rounds", rounds);
        settings.put("appHeap", appHeap);
        settings.put("appJvmArgs", appJvmArgs);
        settings.put("payloadBytes", 256);
        settings.put("actionTimeoutMillis", 30_000);
        results.put("settings", settings);
        long start = System.nanoTime();

        remote = new ChildJvm("remote-service", List.of("-Xmx512m", "-XX:+UseG1GC"), RemoteService.class.getName(),
                List.of(), output.resolve("logs").resolve("remote-service.log"), "REMOTE_SERVICE_READY").start(60);
        serviceUrl = "http://127.0.0.1:" + remote.readyLine().split(" ")[1];
        log("remote service %s (pid %d)", serviceUrl, remote.pid());

        if (only.contains("trigger")) {
            App app = app("app-memory", "memory");
            String triggerUrl = triggerUrl(app);
            int connections = Integer.getInteger("external.triggerConnections", 16);
            log("1. trigger: %s against %s, %d connections", triggerUrl, app.url("/baseline/trigger"), connections);
            List<Side> sides = List.of(new Side("logicwebhook", app, triggerUrl),
                    new Side("platform-http", app, app.url("/baseline/trigger")));
            results.put("trigger", compare("trigger", sides, List.<String[]>of(new String[] { "logicwebhook", "platform-http" }),
                    connections, warmupSeconds));
            write(results);
        }
        if (only.contains("action")) {
            List<Side> sides = List.of(new Side("logicwebhook", app("app-memory", "memory"), null),
                    new Side("handmade", app("app-handmade", "memory"), null),
                    new Side("handmade-eventloop", app("app-handmade-eventloop", "memory"), null));
            Map<String, Object> levels = new LinkedHashMap<>();
            boolean first = true;
            for (String level : System.getProperty("external.levels", "16,200,1000").split(",")) {
                int connections = Integer.parseInt(level.trim());
                List<Side> atLevel = List.of(
                        new Side("logicwebhook", sides.get(0).app, sides.get(0).app.url("/start")),
                        new Side("handmade", sides.get(1).app, sides.get(1).app.url("/handmade/start")),
                        new Side("handmade-eventloop", sides.get(2).app, sides.get(2).app.url("/handmade-el/start")));
                log("2. action round trip behind platform-http, %d connections", connections);
                levels.put(Integer.toString(connections), compare("action-c" + connections, atLevel,
                        List.of(new String[] { "logicwebhook", "handmade" },
                                new String[] { "logicwebhook", "handmade-eventloop" }),
                        connections, first ? warmupSeconds : rewarmSeconds));
                first = false;
                results.put("action", levels);
                write(results);
            }
        }
        if (only.contains("stores")) {
            int connections = Integer.getInteger("external.storeLevel", 16);
            List<Side> atLevel = new ArrayList<>();
            List<String[]> pairs = new ArrayList<>();
            List<String> stores = Arrays.stream(System.getProperty("external.stores", "memory,h2,postgres").split(","))
                    .map(String::trim).toList();
            for (String store : stores) {
                App app = app("app-" + store, store);
                atLevel.add(new Side(store, app, app.url("/start")));
                // without the in-memory side (a run to profile one store) there is nothing to divide by
                if (!"memory".equals(store) && stores.contains("memory")) {
                    pairs.add(new String[] { store, "memory" });
                }
            }
            log("3. action round trip with each wait store, %d connections", connections);
            results.put("stores", compare("stores", atLevel, pairs, connections, storeWarmupSeconds));
            write(results);
        }
        if (only.contains("recovery") || only.contains("crossnode")) {
            // the applications of the comparisons above are not in these figures
            close(apps.values());
            DurabilityBenchmark durability = new DurabilityBenchmark(output, wrk, serviceUrl, this::appOptions);
            if (only.contains("recovery")) {
                log("4. recovery of orphaned waits after a kill -9");
                results.put("recovery", durability.recovery());
                write(results);
            }
            if (only.contains("crossnode")) {
                log("5. resume latency, callback on the same node and on another one");
                results.put("crossnode", durability.crossNode());
                write(results);
            }
        }
        Map<String, Object> restarts = new LinkedHashMap<>();
        apps.forEach((name, app) -> restarts.put(name, app.restarts));
        results.put("appRestarts", restarts);
        results.put("remoteServiceStats", get(serviceUrl + "/stats"));
        results.put("durationSeconds", Benchmark.round((System.nanoTime() - start) / 1e9, 1));
        results.put("loadAverageAtEnd", ProcStat.load1());
        write(results);
        if (results.containsKey("trigger") || results.containsKey("action") || results.containsKey("stores")) {
            ExternalChart.write(results, output.resolve("performance-external.png"));
        }
        return results;
    }

    private App app(String name, String store) throws Exception {
        App app = apps.get(name);
        if (app == null) {
            app = new App(name, store);
            apps.put(name, app);
            log("started %s (store %s, pid %d) on port %d", name, store, app.jvm.pid(), app.port);
        }
        return app;
    }

    private String triggerUrl(App app) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < deadline) {
            HttpResponse<String> answer = HTTP.send(
                    HttpRequest.newBuilder(URI.create(serviceUrl + "/trigger-url?port=" + app.port)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 200) {
                return answer.body();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the trigger of " + app.name + " did not subscribe");
    }

    /**
     * Warms every side up, then runs the rounds, each side once per round, in an order that rotates; and the ratios of
     * the given pairs (first / second) per round.
     */
    private Map<String, Object> compare(String name, List<Side> sides, List<String[]> pairs, int connections,
                                        int warmup) throws Exception {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", connections);
        Map<String, Object> warmups = new LinkedHashMap<>();
        for (Side side : sides) {
            warmups.put(side.name, warmUp(name, side, connections, warmup));
        }
        result.put("warmup", warmups);
        Map<String, List<Map<String, Object>>> measured = new LinkedHashMap<>();
        sides.forEach(side -> measured.put(side.name, new ArrayList<>()));
        List<List<String>> orders = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            List<Side> order = new ArrayList<>(sides);
            if (sides.size() == 2) {
                if (round % 2 == 1) {
                    order = List.of(sides.get(1), sides.get(0));
                }
            } else {
                java.util.Collections.rotate(order, -round);
            }
            orders.add(order.stream().map(s -> s.name).toList());
            for (Side side : order) {
                if (side.failed != null) {
                    continue;
                }
                Map<String, Object> figures = measure(side, connections, roundSeconds);
                figures.put("round", round + 1);
                measured.get(side.name).add(figures);
                log("  %s c=%d round %d %-19s %s", name, connections, round + 1, side.name, line(figures));
                if (Boolean.TRUE.equals(figures.get("lockedUp"))) {
                    side.failed = "locked up in round " + (round + 1) + ": " + figures.get("inflightAtEnd")
                                  + " exchanges in flight, not drained " + drainSeconds + " s after the load stopped";
                    restart(side.app);
                }
            }
        }
        result.put("roundOrders", orders);
        Map<String, Object> perSide = new LinkedHashMap<>();
        for (Side side : sides) {
            Map<String, Object> summary = new LinkedHashMap<>();
            List<Map<String, Object>> list = measured.get(side.name);
            summary.put("okPerSecond", spread(list, "okPerSecond"));
            summary.put("p50Ms", spread(list, "p50Ms"));
            summary.put("p99Ms", spread(list, "p99Ms"));
            summary.put("cpuMsPerRequest", spread(list, "cpuMsPerRequest"));
            summary.put("errors", list.stream().mapToLong(m -> (long) m.get("errors")).sum());
            summary.put("callbackErrors", list.stream().mapToLong(m -> (long) m.get("callbackErrors")).sum());
            if (side.failed != null) {
                summary.put("failed", side.failed);
            }
            summary.put("rounds", list);
            perSide.put(side.name, summary);
            side.failed = null;
        }
        result.put("sides", perSide);
        Map<String, Object> ratios = new LinkedHashMap<>();
        for (String[] pair : pairs) {
            List<Double> throughput = new ArrayList<>();
            List<Double> cpu = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                Map<String, Object> a = inRound(measured.get(pair[0]), round);
                Map<String, Object> b = inRound(measured.get(pair[1]), round);
                if (a == null || b == null) {
                    continue;
                }
                double bRate = (double) b.get("okPerSecond");
                throughput.add(bRate > 0 ? (double) a.get("okPerSecond") / bRate : Double.POSITIVE_INFINITY);
                double bCpu = (double) b.get("cpuMsPerRequest");
                if (bCpu > 0 && (double) a.get("cpuMsPerRequest") > 0) {
                    cpu.add((double) a.get("cpuMsPerRequest") / bCpu);
                }
            }
            Map<String, Object> ratio = new LinkedHashMap<>();
            ratio.put("throughput", spreadOf(throughput, 3));
            ratio.put("cpuPerRequest", spreadOf(cpu, 3));
            ratios.put(pair[0] + "/" + pair[1], ratio);
            log("  %s c=%d %s / %s: throughput %s, CPU per request %s", name, connections, pair[0], pair[1],
                    text(ratio.get("throughput")), text(ratio.get("cpuPerRequest")));
        }
        result.put("ratios", ratios);
        return result;
    }

    private static Map<String, Object> inRound(List<Map<String, Object>> list, int round) {
        return list.stream().filter(m -> (int) m.get("round") == round).findFirst().orElse(null);
    }

    /** The warm-up in slices; a side that locks up meanwhile is restarted and measured once, for the record. */
    private Map<String, Object> warmUp(String name, Side side, int connections, int seconds) throws Exception {
        List<Double> rates = new ArrayList<>();
        long errors = 0;
        // at least the given seconds, then on until the rate is steady (the last three slices within steadySpread of
        // each other), up to maxWarmupSeconds: the JIT of some sides (H2's) takes minutes
        for (int done = 0; done < seconds || !steady(rates) && done < Math.max(seconds, maxWarmupSeconds);
             done += sliceSeconds) {
            Wrk.Result slice = wrk.run(side.url, connections, sliceSeconds);
            rates.add(Benchmark.round(slice.okPerSecond(), 1));
            errors += slice.errors();
            double drained = drain(side.app);
            if (drained < 0) {
                side.failed = "locked up in the warm-up: not drained " + drainSeconds + " s after the load stopped";
                log("  %s c=%d warm-up %s LOCKED UP after %d s (slices %s/s, %d errors); restarting %s", name,
                        connections, side.name, done + sliceSeconds, rates, errors, side.app.name);
                restart(side.app);
                break;
            }
        }
        Map<String, Object> warm = new LinkedHashMap<>();
        warm.put("sliceSeconds", sliceSeconds);
        warm.put("sliceOkPerSecond", rates);
        warm.put("errors", errors);
        if (rates.size() >= 3) {
            List<Double> last = rates.subList(rates.size() - 3, rates.size());
            double min = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            // steady: the last three slices within steadySpread of each other (a shared machine moves more at times)
            warm.put("lastThreeSpread", Benchmark.round(min > 0 ? max / min : 0, 3));
            warm.put("steady", steady(rates));
        }
        if (side.failed != null) {
            warm.put("failed", side.failed);
            // one measured round of the failing side, so that the report has its figures
            Map<String, Object> figures = measure(side, connections, roundSeconds);
            warm.put("probeRound", figures);
            log("  %s c=%d probe  %-19s %s", name, connections, side.name, line(figures));
            if (Boolean.TRUE.equals(figures.get("lockedUp"))) {
                restart(side.app);
            }
        } else {
            log("  %s c=%d warm-up %-19s %s/s per %d s slice, %d errors", name, connections, side.name, rates,
                    sliceSeconds, errors);
        }
        return warm;
    }

    private boolean steady(List<Double> rates) {
        if (rates.size() < 3) {
            return false;
        }
        List<Double> last = rates.subList(rates.size() - 3, rates.size());
        double min = last.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = last.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return min > 0 && max / min <= steadySpread;
    }

    /** One round of one side: wrk, with the CPU of its application JVM and the machine's load around it. */
    private Map<String, Object> measure(Side side, int connections, int seconds) throws Exception {
        double load = ProcStat.load1();
        long[] machine0 = ProcStat.machineJiffies();
        JsonNode service0 = get(serviceUrl + "/stats");
        long cpu0 = side.app.cpuTicks();
        long db0 = side.app.databaseTicks();
        long remoteCpu0 = ProcStat.cpuTicks(remote.pid());
        Wrk.Result r = wrk.run(side.url, connections, seconds);
        long cpu1 = side.app.cpuTicks();
        long db1 = side.app.databaseTicks();
        long remoteCpu1 = ProcStat.cpuTicks(remote.pid());
        long[] machine1 = ProcStat.machineJiffies();
        int inflightAtEnd = side.app.status().path("inflight").asInt();
        double drained = drain(side.app);
        JsonNode service1 = get(serviceUrl + "/stats");
        Map<String, Object> figures = r.toMap();
        double cpuMs = (cpu1 - cpu0) * 1000.0 / ProcStat.TICKS_PER_SECOND;
        figures.put("errors", r.errors());
        figures.put("cpuMsPerRequest", r.ok() > 0 ? Benchmark.round(cpuMs / r.ok(), 4) : 0.0);
        figures.put("appCpuCores", Benchmark.round(cpuMs / 1000 / r.seconds(), 2));
        if (side.app.database > 0) {
            double dbMs = (db1 - db0) * 1000.0 / ProcStat.TICKS_PER_SECOND;
            figures.put("databaseCpuMsPerRequest", r.ok() > 0 ? Benchmark.round(dbMs / r.ok(), 4) : 0.0);
        }
        figures.put("remoteServiceCpuCores",
                Benchmark.round((remoteCpu1 - remoteCpu0) / (double) ProcStat.TICKS_PER_SECOND / r.seconds(), 2));
        long busy = machine1[0] - machine0[0];
        long total = machine1[1] - machine0[1];
        figures.put("machineBusy", total > 0 ? Benchmark.round((double) busy / total, 3) : 0.0);
        figures.put("load1", load);
        figures.put("callbacks", service1.path("callbacksSent").asLong() - service0.path("callbacksSent").asLong());
        figures.put("callbackErrors",
                service1.path("callbackErrors").asLong() - service0.path("callbackErrors").asLong());
        figures.put("inflightAtEnd", inflightAtEnd);
        figures.put("drainSeconds", Benchmark.round(drained, 2));
        figures.put("lockedUp", drained < 0);
        return figures;
    }

    /** Waits until the application has nothing in flight; the seconds it took, or -1 when it did not drain in time. */
    private double drain(App app) throws Exception {
        long start = System.nanoTime();
        long deadline = start + drainSeconds * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode status = app.status();
            if (status.path("inflight").asInt() == 0 && status.path("pendingWaits").asInt() == 0
                && status.path("handmadePending").asInt() == 0) {
                return (System.nanoTime() - start) / 1e9;
            }
            Thread.sleep(100);
        }
        return -1;
    }

    private void restart(App app) throws Exception {
        app.restarts++;
        log("  restarting %s (it did not drain)", app.name);
        app.jvm.restart(180);
        app.findDatabase();
        if ("memory".equals(app.store) && apps.containsKey(app.name)) {
            // the trigger subscribes again with the same signed URL (same key, same name): nothing to update
            log("  %s restarted (pid %d)", app.name, app.jvm.pid());
        }
    }

    /** Median and range of a figure over rounds. */
    private static Map<String, Object> spread(List<Map<String, Object>> rounds, String figure) {
        return spreadOf(rounds.stream().map(m -> ((Number) m.get(figure)).doubleValue()).toList(), 4);
    }

    static Map<String, Object> spreadOf(List<Double> values, int digits) {
        Map<String, Object> map = new LinkedHashMap<>();
        if (values.isEmpty()) {
            map.put("n", 0);
            return map;
        }
        map.put("median", Benchmark.round(SideBySide.medianOf(values), digits));
        map.put("min", Benchmark.round(values.stream().mapToDouble(Double::doubleValue).min().orElse(0), digits));
        map.put("max", Benchmark.round(values.stream().mapToDouble(Double::doubleValue).max().orElse(0), digits));
        map.put("n", values.size());
        map.put("values", values.stream().map(v -> Benchmark.round(v, digits)).toList());
        return map;
    }

    @SuppressWarnings("unchecked")
    private static String text(Object spread) {
        Map<String, Object> map = (Map<String, Object>) spread;
        if (((int) map.get("n")) == 0) {
            return "n/a";
        }
        return String.format("%.3f (%.3f–%.3f, n=%d)", (double) map.get("median"), (double) map.get("min"),
                (double) map.get("max"), (int) map.get("n"));
    }

    private static String line(Map<String, Object> f) {
        return String.format("%8.1f/s p50 %7.2f ms p99 %8.2f ms | CPU %.3f ms/req (%.2f cores) | errors %d (non-2xx %d,"
                             + " timeouts %d) callback errors %d | in flight at end %d, drained in %.1f s | load %.2f,"
                             + " machine busy %.0f %%",
                (double) f.get("okPerSecond"), (double) f.get("p50Ms"), (double) f.get("p99Ms"),
                (double) f.get("cpuMsPerRequest"), (double) f.get("appCpuCores"), (long) f.get("errors"),
                (long) f.get("non2xx"), (long) f.get("timeouts"), (long) f.get("callbackErrors"),
                (int) f.get("inflightAtEnd"), (double) f.get("drainSeconds"), (double) f.get("load1"),
                100 * (double) f.get("machineBusy"));
    }

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> results) {
        StringBuilder text = new StringBuilder("logicwebhook external benchmark (wrk from another process; median"
                                               + " (min–max) of per-round ratios)");
        if (results.get("trigger") instanceof Map<?, ?> trigger) {
            Map<String, Object> ratio = (Map<String, Object>) ((Map<String, Object>) trigger.get("ratios"))
                    .get("logicwebhook/platform-http");
            text.append(String.format("%n1. trigger / bare platform-http: throughput %s (goal >= 1.0), CPU per request"
                                      + " %s (goal <= 1.0)",
                    text(ratio.get("throughput")), text(ratio.get("cpuPerRequest"))));
        }
        if (results.get("action") instanceof Map<?, ?> levels) {
            ((Map<String, Object>) levels).forEach((level, value) -> {
                Map<String, Object> comparison = (Map<String, Object>) value;
                Map<String, Object> ratios = (Map<String, Object>) comparison.get("ratios");
                Map<String, Object> sides = (Map<String, Object>) comparison.get("sides");
                text.append(String.format("%n2. action, %s in flight:", level));
                sides.forEach((name, s) -> {
                    Map<String, Object> side = (Map<String, Object>) s;
                    text.append(String.format(" %s %s/s p50 %s p99 %s ms, %s errors%s;", name,
                            median(side.get("okPerSecond")), median(side.get("p50Ms")), median(side.get("p99Ms")),
                            side.get("errors"), side.containsKey("failed") ? " FAILED: " + side.get("failed") : ""));
                });
                ratios.forEach((pair, r) -> text.append(String.format(" %s throughput %s;", pair,
                        text(((Map<String, Object>) r).get("throughput")))));
            });
        }
        if (results.get("stores") instanceof Map<?, ?> stores) {
            Map<String, Object> ratios = (Map<String, Object>) stores.get("ratios");
            ratios.forEach((pair, r) -> text.append(String.format("%n3. store %s: throughput %s (goal >= 0.5), CPU per"
                                                                   + " request %s",
                    pair, text(((Map<String, Object>) r).get("throughput")),
                    text(((Map<String, Object>) r).get("cpuPerRequest")))));
        }
        if (results.get("recovery") instanceof Map<?, ?> recovery) {
            ((Map<String, Object>) recovery).forEach((store, value) -> {
                if (value instanceof Map<?, ?> perStore) {
                    text.append(String.format("%n4. recovery of %s orphaned waits, %s: recovery / by hand %s (goal <="
                                              + " 1.5)", recovery.get("waits"), store, text(perStore.get("ratio"))));
                }
            });
        }
        if (results.get("crossnode") instanceof Map<?, ?> crossNode) {
            ((Map<String, Object>) crossNode).forEach((level, value) -> {
                if (value instanceof Map<?, ?> atLevel) {
                    text.append(String.format("%n5. resume at %s connections: p50 same node %s, cross node %s ms; p99"
                                              + " same node %s, cross node %s ms (goal <= %s ms)", level,
                            median(atLevel.get("same-nodeResumeP50Ms")), median(atLevel.get("cross-nodeResumeP50Ms")),
                            median(atLevel.get("same-nodeResumeP99Ms")), median(atLevel.get("cross-nodeResumeP99Ms")),
                            atLevel.get("goalP99Ms")));
                }
            });
        }
        return text.toString();
    }

    @SuppressWarnings("unchecked")
    private static Object median(Object spread) {
        return ((Map<String, Object>) spread).get("median");
    }

    private void write(Map<String, Object> results) throws IOException {
        JSON.copy().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(output.resolve("results-external.json").toFile(), results);
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(answer.body());
    }

    private static Map<String, Object> machine() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        machine.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("loadAverageAtStart", ProcStat.load1());
        return machine;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static void log(String format, Object... args) {
        System.out.printf("%tT [external] " + format + "%n", prepend(System.currentTimeMillis(), args));
        System.out.flush();
    }

    private static Object[] prepend(Object first, Object[] rest) {
        Object[] all = new Object[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    private static void close(java.util.Collection<App> apps) {
        apps.forEach(App::close);
    }

    private void close() {
        close(apps.values());
        if (remote != null) {
            remote.close();
        }
    }
}
