package org.apache.camel.component.logicwebhook.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The durability scenarios of the external benchmark (docs/performance.md), each application in a JVM of its own:
 * <ol>
 * <li>{@code recovery} (issue #13): an application with N waits pending ({@link Durability}'s hold route) is killed
 * ({@code kill -9}); once their deadlines have passed (and, with PostgreSQL, the node timeout, after which another
 * incarnation may adopt them), it is started again on the same store, and the time is taken from its context's start
 * until every wait is unsubscribed (the service counted N DELETEs) and delivered to its resumeUri. The baseline: a fresh
 * application of the same kind sends the same N DELETEs by hand with camel-http, and N sends to the same resumeUri
 * route, on as many threads as the component's worker pool (10).</li>
 * <li>{@code crossnode} (issue #14): two nodes on one PostgreSQL; the action on node A, its callback sent by the
 * service to A itself (same node) or to B (cross node: B claims the wait in the store and notifies A). The resume
 * latency is taken from the service's sending of the callback to the exchange going on in A, at 1 and 16 connections
 * of wrk, the two kinds in alternating rounds.</li>
 * </ol>
 * System properties ({@code -Dexternal.…}): {@code recoveryWaits} (10000), {@code recoveryStores} (h2,postgres),
 * {@code recoveryRounds} (3), {@code recoveryTimeoutMillis} (45000: the waits' timeout), {@code crossLevels} (1,16),
 * {@code crossRounds} (3), {@code crossSeconds} (20), {@code crossWarmupSeconds} (30).
 */
final class DurabilityBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The component's default waitStoreNodeTimeout: a crashed node's waits are adopted by another after it. */
    private static final long NODE_TIMEOUT_MILLIS = 30_000;
    private static final int WORKER_POOL_SIZE = 10;

    private final Path output;
    private final Wrk wrk;
    private final String serviceUrl;
    /** An application's JVM options by its name (heap, collector, the run's appJvmArgs). */
    private final Function<String, List<String>> appOptions;

    DurabilityBenchmark(Path output, Wrk wrk, String serviceUrl, Function<String, List<String>> appOptions) {
        this.output = output;
        this.wrk = wrk;
        this.serviceUrl = serviceUrl;
        this.appOptions = appOptions;
    }

    // ---- recovery --------------------------------------------------------------------------------------------------

    Map<String, Object> recovery() throws Exception {
        int waits = Integer.getInteger("external.recoveryWaits", 10_000);
        int rounds = Integer.getInteger("external.recoveryRounds", 3);
        long timeout = Long.getLong("external.recoveryTimeoutMillis", 45_000);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("waits", waits);
        result.put("waitTimeoutMillis", timeout);
        result.put("baselineThreads", WORKER_POOL_SIZE);
        warmUpService(waits, timeout);
        for (String store : System.getProperty("external.recoveryStores", "h2,postgres").split(",")) {
            store = store.trim();
            EmbeddedPostgres postgres = store.equals("postgres") ? EmbeddedPostgres.builder().start() : null;
            try {
                List<Map<String, Object>> measured = new ArrayList<>();
                for (int round = 1; round <= rounds; round++) {
                    measured.add(recoveryRound(store, postgres, waits, timeout, round));
                }
                Map<String, Object> perStore = new LinkedHashMap<>();
                perStore.put("rounds", measured);
                List<Double> ratios = measured.stream().map(m -> (double) m.get("ratio")).toList();
                perStore.put("ratio", spread(ratios));
                perStore.put("goal", 1.5);
                perStore.put("goalMet", SideBySide.medianOf(ratios) <= 1.5);
                ExternalBenchmark.log("recovery %s: %d waits, recovery / by hand %s (goal <= 1.5)", store, waits,
                        perStore.get("ratio"));
                result.put(store, perStore);
            } finally {
                if (postgres != null) {
                    postgres.close();
                }
            }
        }
        return result;
    }

    /**
     * The service's share warmed up before the first round: in a round the recovery comes first, and its DELETEs met a
     * service whose JIT had not compiled their path yet (the first round's recovery was the slowest of a run, 2.4x
     * against 1.5-1.6x in the others); the by-hand requests of an application that is then thrown away warm it.
     */
    private void warmUpService(int waits, long timeout) throws Exception {
        Path dir = output.resolve("h2-recovery-warmup").toAbsolutePath();
        try (ChildJvm warmup = appJvm("recovery-warmup", "memory", null, dir, false, timeout)) {
            long millis = Long.parseLong(post("http://127.0.0.1:" + port(warmup) + "/bench/by-hand?n=" + waits
                                              + "&threads=" + WORKER_POOL_SIZE));
            ExternalBenchmark.log("recovery: the service warmed up with %d requests by hand in %d ms", waits, millis);
        } finally {
            AppUnderTest.deleteTree(dir);
        }
    }

    private Map<String, Object> recoveryRound(String store, EmbeddedPostgres postgres, int waits, long timeout, int round)
            throws Exception {
        String name = "recovery-" + store;
        Path dir = output.resolve("h2-" + name).toAbsolutePath();
        if (postgres != null) {
            // every round on an empty database
            try (var connection = postgres.getPostgresDatabase().getConnection();
                 var statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS logicwebhook_wait, logicwebhook_node, logicwebhook_trigger");
            }
        }
        // 1. the waits, in an application that is then killed
        long spawnStart;
        long killedAt;
        try (ChildJvm first = appJvm(name + "-first", store, postgres, dir, false, timeout)) {
            String base = "http://127.0.0.1:" + port(first);
            spawnStart = System.currentTimeMillis();
            post(base + "/bench/spawn?n=" + waits);
            long deadline = System.currentTimeMillis() + 120_000;
            while (getLong(base + "/bench/stored") < waits) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the store did not hold " + waits + " subscribed waits");
                }
                Thread.sleep(100);
            }
            long spawned = System.currentTimeMillis() - spawnStart;
            if (spawned > timeout - 5_000) {
                throw new IllegalStateException("creating the waits took " + spawned + " ms, too close to their timeout");
            }
            first.kill();
            killedAt = System.currentTimeMillis();
            ExternalBenchmark.log("recovery %s round %d: %d waits pending and stored in %d ms, killed", store, round,
                    waits, spawned);
        }
        // 2. once every deadline has passed (and, in a shared database, the dead node's timeout), start again
        long adoptable = Math.max(spawnStart + timeout, postgres != null ? killedAt + NODE_TIMEOUT_MILLIS : 0) + 1_000;
        Thread.sleep(Math.max(0, adoptable - System.currentTimeMillis()));
        long unsubscribedBefore = serviceStats().get("unsubscribes").asLong();
        Map<String, Object> figures = new LinkedHashMap<>();
        long launched = System.currentTimeMillis();
        try (ChildJvm second = appJvm(name + "-second", store, postgres, dir, true, timeout)) {
            long startedAt = startedAt(second);
            String base = "http://127.0.0.1:" + port(second);
            long deadline = System.currentTimeMillis() + 600_000;
            // polled slowly: the end is when the last of the unsubscribes and deliveries came, as the service and the
            // application noted it (one clock: the same machine); a poll every 20 ms cost 13 % of a core on the 2
            // that the recovery needs
            while (serviceStats().get("unsubscribes").asLong() - unsubscribedBefore < waits
                   || getLong(base + "/bench/resumed") < waits) {
                if (System.currentTimeMillis() > deadline) {
                    throw new IllegalStateException("the restarted application did not settle its orphans");
                }
                Thread.sleep(250);
            }
            long done = Math.max(serviceStats().get("lastUnsubscribeAt").asLong(), getLong(base + "/bench/resumed-at"));
            figures.put("recoveryMillis", done - startedAt);
            figures.put("launchToDoneMillis", done - launched);
            figures.put("unsubscribes", serviceStats().get("unsubscribes").asLong() - unsubscribedBefore);
            figures.put("resumed", getLong(base + "/bench/resumed"));
        }
        // 3. the same requests by hand, in a fresh application of the same kind
        if (postgres != null) {
            try (var connection = postgres.getPostgresDatabase().getConnection();
                 var statement = connection.createStatement()) {
                statement.execute("DELETE FROM logicwebhook_wait");
            }
        }
        try (ChildJvm baseline = appJvm(name + "-byhand", store, postgres, dir, false, timeout)) {
            String base = "http://127.0.0.1:" + port(baseline);
            figures.put("byHandMillis", Long.parseLong(post(base + "/bench/by-hand?n=" + waits + "&threads="
                                                            + WORKER_POOL_SIZE)));
        }
        figures.put("ratio", Benchmark.round((long) figures.get("recoveryMillis")
                                             / (double) (long) figures.get("byHandMillis"), 3));
        ExternalBenchmark.log("recovery %s round %d: recovered in %d ms from the context's start (%d ms from launch);"
                              + " by hand %d ms; ratio %.3f", store, round, figures.get("recoveryMillis"),
                figures.get("launchToDoneMillis"), figures.get("byHandMillis"), figures.get("ratio"));
        return figures;
    }

    private ChildJvm appJvm(String name, String store, EmbeddedPostgres postgres, Path dir, boolean keep, long timeout)
            throws Exception {
        List<String> options = appOptions.apply(name);
        options.addAll(List.of("-Dapp.port=" + ExternalBenchmark.freePort(), "-Dapp.service=" + serviceUrl,
                "-Dapp.holdTimeoutMillis=" + timeout));
        if (postgres != null) {
            options.add("-Dapp.store=postgres-shared");
            options.add("-Dapp.jdbcUrl=" + postgres.getJdbcUrl("postgres", "postgres"));
        } else {
            options.add("-Dapp.store=" + store);
            options.add("-Dapp.dir=" + dir);
            options.add("-Dapp.keepDir=" + keep);
        }
        return new ChildJvm(name, options, AppUnderTest.class.getName(), List.of(),
                output.resolve("logs").resolve(name + ".log"), "APP_READY").start(180);
    }

    // ---- cross-node resume ---------------------------------------------------------------------------------------

    Map<String, Object> crossNode() throws Exception {
        int rounds = Integer.getInteger("external.crossRounds", 3);
        int seconds = Integer.getInteger("external.crossSeconds", 20);
        int warmup = Integer.getInteger("external.crossWarmupSeconds", 30);
        Map<String, Object> result = new LinkedHashMap<>();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start();
             ChildJvm a = appJvm("crossnode-a", "postgres", postgres, null, false, 30_000);
             ChildJvm b = appJvm("crossnode-b", "postgres", postgres, null, false, 30_000)) {
            String nodeA = "http://127.0.0.1:" + port(a);
            Map<String, String> urls = new LinkedHashMap<>();
            urls.put("same-node", nodeA + "/relay?via=" + port(a));
            urls.put("cross-node", nodeA + "/relay?via=" + port(b));
            result.put("store", "PostgreSQL (embedded, one server for both nodes), LISTEN/NOTIFY");
            for (String level : System.getProperty("external.crossLevels", "1,16").split(",")) {
                int connections = Integer.parseInt(level.trim());
                for (Map.Entry<String, String> kind : urls.entrySet()) {
                    Wrk.Result warm = wrk.run(kind.getValue(), connections, warmup);
                    resumeLatencies(nodeA);
                    ExternalBenchmark.log("crossnode c=%d warm-up %s: %.1f/s, %d errors", connections, kind.getKey(),
                            warm.okPerSecond(), warm.errors());
                }
                Map<String, List<Map<String, Object>>> measured = new LinkedHashMap<>();
                for (int round = 1; round <= rounds; round++) {
                    List<String> order = new ArrayList<>(urls.keySet());
                    if (round % 2 == 0) {
                        java.util.Collections.reverse(order);
                    }
                    for (String kind : order) {
                        Wrk.Result run = wrk.run(urls.get(kind), connections, seconds);
                        long[] latencies = resumeLatencies(nodeA);
                        Map<String, Object> figures = new LinkedHashMap<>(run.toMap());
                        figures.put("resumes", latencies.length);
                        figures.put("resumeP50Ms", percentileMs(latencies, 50));
                        figures.put("resumeP90Ms", percentileMs(latencies, 90));
                        figures.put("resumeP99Ms", percentileMs(latencies, 99));
                        figures.put("resumeMaxMs", percentileMs(latencies, 100));
                        ExternalBenchmark.log("crossnode c=%d round %d %-10s %8.1f/s, resume p50 %.2f ms p99 %.2f ms"
                                              + " max %.2f ms (%d resumes), round trip p50 %.2f ms p99 %.2f ms, %d errors",
                                connections, round, kind, run.okPerSecond(), figures.get("resumeP50Ms"),
                                figures.get("resumeP99Ms"), figures.get("resumeMaxMs"), latencies.length, run.p50Ms(),
                                run.p99Ms(), run.errors());
                        measured.computeIfAbsent(kind, k -> new ArrayList<>()).add(figures);
                    }
                }
                Map<String, Object> atLevel = new LinkedHashMap<>();
                atLevel.put("rounds", measured);
                for (String kind : urls.keySet()) {
                    atLevel.put(kind + "ResumeP50Ms", spread(figure(measured.get(kind), "resumeP50Ms")));
                    atLevel.put(kind + "ResumeP99Ms", spread(figure(measured.get(kind), "resumeP99Ms")));
                }
                double sameP99 = SideBySide.medianOf(figure(measured.get("same-node"), "resumeP99Ms"));
                double crossP99 = SideBySide.medianOf(figure(measured.get("cross-node"), "resumeP99Ms"));
                atLevel.put("goalP99Ms", Benchmark.round(2 * sameP99 + 50, 2));
                atLevel.put("goalMet", crossP99 <= 2 * sameP99 + 50);
                ExternalBenchmark.log("crossnode c=%d: resume p99 cross %.2f ms vs same %.2f ms (goal <= %.2f ms)",
                        connections, crossP99, sameP99, 2 * sameP99 + 50);
                result.put(Integer.toString(connections), atLevel);
            }
        }
        return result;
    }

    private static List<Double> figure(List<Map<String, Object>> rounds, String name) {
        return rounds.stream().map(m -> ((Number) m.get(name)).doubleValue()).toList();
    }

    /** The resume latencies node A took since the last call, sorted, in microseconds. */
    private static long[] resumeLatencies(String node) throws Exception {
        JsonNode list = JSON.readTree(get(node + "/bench/latency"));
        long[] values = new long[list.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = list.get(i).asLong();
        }
        return values;
    }

    private static double percentileMs(long[] sorted, int percentile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return Benchmark.round(sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0, 3);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static Map<String, Object> spread(List<Double> values) {
        return ExternalBenchmark.spreadOf(values, 3);
    }

    private JsonNode serviceStats() throws Exception {
        return JSON.readTree(get(serviceUrl + "/stats"));
    }

    private static int port(ChildJvm app) {
        return Integer.parseInt(app.readyLine().split(" ")[1]);
    }

    private static long startedAt(ChildJvm app) {
        for (String part : app.readyLine().split(" ")) {
            if (part.startsWith("startedAt=")) {
                return Long.parseLong(part.substring("startedAt=".length()));
            }
        }
        throw new IllegalStateException("no startedAt in " + app.readyLine());
    }

    private static long getLong(String url) throws Exception {
        return Long.parseLong(get(url).trim());
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static String post(String url) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + answer.statusCode() + ": " + answer.body());
        }
        return answer.body();
    }
}
