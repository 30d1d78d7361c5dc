package org.apache.camel.component.logicwebhook.benchmark;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.store.EmbeddedH2;
import org.apache.camel.component.logicwebhook.store.InMemoryWaitStore;
import org.apache.camel.component.logicwebhook.store.JdbcWaitStore;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;

/**
 * 5. The wait stores (issue #13), in this JVM, without HTTP:
 * <ol>
 * <li><b>writes</b>: what the three writes of a wait cost (insert, subscribed, finish; as the action makes them, from
 * 16 threads at once), in waits per second and CPU per wait (this JVM, and the PostgreSQL server's processes), for each
 * store: the in-memory one, the H2 file (waitStoreUrl), PostgreSQL as the component's tests start it (io.zonky: fsync
 * and synchronous_commit off), PostgreSQL with both on (as a production server runs);</li>
 * <li><b>orphanScan</b>: how long the durable store's periodic work takes (every waitStoreHeartbeatInterval, 5 s: the
 * count by state, the adopt UPDATE and the orphanWork SELECT) when the table holds N finished waits, which it keeps for
 * finishedWaitsRetention (7 days);</li>
 * <li><b>heap</b>: heap per pending wait with each store, measured as scenario 3 does (full GCs, the least of three
 * readings), and the part of it that is H2's own classes.</li>
 * </ol>
 * {@code -Dbenchmark.stores=memory,h2,...} chooses the stores, {@code -Dbenchmark.storeParts=writes,...} the parts; the smoke run takes memory and h2 only (no PostgreSQL).
 */
final class StoreScenario {

    static final List<String> ALL = List.of("memory", "h2", "postgres", "postgres-durable");

    private StoreScenario() {
    }

    /** A store over a fresh database, and what to close after. */
    private record Db(String name, WaitStore store, DataSource dataSource, long serverPid, Runnable close) {
    }

    static Map<String, Object> run(Settings settings, byte[] payload) throws Exception {
        List<String> stores = settings.smoke() ? List.of("memory", "h2")
                : List.of(System.getProperty("benchmark.stores", String.join(",", ALL)).split(","));
        Path dir = Files.createTempDirectory("logicwebhook-bench-stores");
        EmbeddedPostgres[] servers = new EmbeddedPostgres[2];
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            result.put("stores", stores);
            List<String> parts = List.of(System.getProperty("benchmark.storeParts", "writes,orphanScan,heap").split(","));
            if (parts.contains("writes")) {
                result.put("writes", writes(settings, stores, dir, servers));
            }
            if (parts.contains("orphanScan")) {
                List<String> scanned = stores.stream().filter(s -> s.equals("h2") || s.equals("postgres")).toList();
                result.put("orphanScan", orphanScan(settings, scanned, dir, servers));
            }
            if (parts.contains("heap")) {
                List<String> heap = stores.stream().filter(s -> List.of("memory", "h2", "postgres").contains(s)).toList();
                result.put("heap", heap(settings, payload, heap, dir, servers));
            }
        } finally {
            for (EmbeddedPostgres server : servers) {
                if (server != null) {
                    server.close();
                }
            }
            AppUnderTest.deleteTree(dir);
        }
        return result;
    }

    /** A new store on an empty database: H2 in a folder of its own, PostgreSQL with its tables dropped. */
    private static Db open(String name, Path dir, EmbeddedPostgres[] servers) throws Exception {
        switch (name) {
            case "memory":
                return new Db(name, new InMemoryWaitStore(10_000), null, -1, () -> {
                });
            case "h2": {
                Path folder = Files.createTempDirectory(dir, name);
                DataSource h2 = EmbeddedH2.dataSource("jdbc:h2:file:" + folder.resolve("waits").toAbsolutePath());
                WaitStore store = new JdbcWaitStore(h2, () -> EmbeddedH2.close(h2));
                return new Db(name, store, h2, -1, () -> {
                });
            }
            default: {
                boolean durable = name.equals("postgres-durable");
                int index = durable ? 1 : 0;
                if (servers[index] == null) {
                    servers[index] = AppUnderTest.startPostgres(durable);
                }
                EmbeddedPostgres server = servers[index];
                try (Connection connection = server.getPostgresDatabase().getConnection();
                     Statement statement = connection.createStatement()) {
                    statement.execute("DROP TABLE IF EXISTS logicwebhook_wait");
                    statement.execute("DROP TABLE IF EXISTS logicwebhook_node");
                }
                HikariDataSource pool = AppUnderTest.postgresPool(server.getJdbcUrl("postgres", "postgres"));
                WaitStore store = new JdbcWaitStore(pool, pool::close);
                return new Db(name, store, pool, ProcStat.postgresServer(server.getPort()), () -> {
                });
            }
        }
    }

    // ---- 1. the three writes of a wait ------------------------------------------------------------------------------

    private static Map<String, Object> writes(Settings settings, List<String> stores, Path dir, EmbeddedPostgres[] servers)
            throws Exception {
        int threads = settings.concurrency();
        long warmup = settings.smoke() ? 300 : 5_000;
        long measure = settings.smoke() ? 300 : 5_000;
        int rounds = settings.smoke() ? 1 : 3;
        Benchmark.log("5. stores, writes: %s, %d threads, %d rounds of %d ms each, in a rotating order", stores, threads,
                rounds, measure);
        List<Db> dbs = new ArrayList<>();
        for (String name : stores) {
            Db db = open(name, dir, servers);
            db.store().start();
            dbs.add(db);
        }
        Map<String, List<Map<String, Object>>> measured = new LinkedHashMap<>();
        try {
            for (Db db : dbs) {
                measured.put(db.name(), new ArrayList<>());
                writeLoad(db, threads, warmup);
            }
            for (int round = 0; round < rounds; round++) {
                List<Db> order = new ArrayList<>(dbs);
                Collections.rotate(order, -round);
                for (Db db : order) {
                    Map<String, Object> figures = writeLoad(db, threads, measure);
                    figures.put("load1", ProcStat.load1());
                    measured.get(db.name()).add(figures);
                    Benchmark.log("  writes round %d %-17s %8.0f waits/s, CPU %6.0f us/wait (database server %4.0f),"
                                  + " %s writes per commit, load %.2f",
                            round + 1, db.name(), (double) figures.get("waitsPerSecond"),
                            (double) figures.get("cpuMicrosPerWait"), (double) figures.get("databaseCpuMicrosPerWait"),
                            figures.get("writesPerCommit"), (double) figures.get("load1"));
                }
            }
        } finally {
            for (Db db : dbs) {
                db.store().stop();
                db.close().run();
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("threads", threads);
        result.put("measureMillis", measure);
        Map<String, Object> perStore = new LinkedHashMap<>();
        measured.forEach((name, list) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("waitsPerSecond", spread(list, "waitsPerSecond"));
            s.put("cpuMicrosPerWait", spread(list, "cpuMicrosPerWait"));
            s.put("databaseCpuMicrosPerWait", spread(list, "databaseCpuMicrosPerWait"));
            s.put("rounds", list);
            perStore.put(name, s);
        });
        result.put("perStore", perStore);
        return result;
    }

    /** {@code threads} threads make waits' three writes for {@code millis}; waits per second and CPU per wait. */
    private static Map<String, Object> writeLoad(Db db, int threads, long millis) throws Exception {
        WaitStore store = db.store();
        String incarnation = WaitRegistry.newId();
        AtomicLong waits = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(threads);
        long self = ProcessHandle.current().pid();
        long cpu0 = ProcStat.treeCpuTicks(self);
        long db0 = db.serverPid() > 0 ? ProcStat.treeCpuTicks(db.serverPid()) : 0;
        long start = System.nanoTime();
        long end = start + millis * 1_000_000L;
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        String id = WaitRegistry.newId();
                        long now = System.currentTimeMillis();
                        // as WaitRegistry.register, subscribed and finish write them for a live wait
                        store.insert(new StoredWait(id, "bench-action", incarnation, false, WaitStore.PENDING, false, now,
                                now + 3_600_000, Long.MAX_VALUE, null, null, null, false));
                        store.subscribed(id, null);
                        store.finish(id, "COMPLETED", null, true, now);
                        waits.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done.countDown();
                }
            }, "store-writer-" + t);
            thread.setDaemon(true);
            thread.start();
        }
        done.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failure.get() != null) {
            throw new IllegalStateException(db.name() + " failed", failure.get());
        }
        long cpu = ProcStat.treeCpuTicks(self) - cpu0;
        long dbCpu = db.serverPid() > 0 ? ProcStat.treeCpuTicks(db.serverPid()) - db0 : 0;
        long n = Math.max(1, waits.get());
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("waits", waits.get());
        figures.put("waitsPerSecond", Benchmark.round(waits.get() / seconds, 1));
        figures.put("cpuMicrosPerWait", Benchmark.round((cpu + dbCpu) * 1e6 / ProcStat.TICKS_PER_SECOND / n, 1));
        figures.put("databaseCpuMicrosPerWait", Benchmark.round(dbCpu * 1e6 / ProcStat.TICKS_PER_SECOND / n, 1));
        figures.put("writesPerCommit", store instanceof JdbcWaitStore jdbc
                ? Benchmark.round(jdbc.getWritesPerCommit(), 2) : 1.0);
        return figures;
    }

    // ---- 2. the periodic orphan work against a growing table --------------------------------------------------------

    private static Map<String, Object> orphanScan(Settings settings, List<String> stores, Path dir,
                                                  EmbeddedPostgres[] servers) throws Exception {
        List<Integer> sizes = settings.smoke() ? List.of(1_000) : List.of(10_000, 100_000, 1_000_000);
        Map<String, Object> result = new LinkedHashMap<>();
        for (String name : stores) {
            Db db = open(name, dir, servers);
            db.store().start();
            String incarnation = WaitRegistry.newId();
            Map<String, Object> perSize = new LinkedHashMap<>();
            try {
                int rows = 0;
                for (int size : sizes) {
                    fillFinished(db.dataSource(), incarnation, size - rows);
                    rows = size;
                    List<Double> total = new ArrayList<>();
                    List<Double> heartbeat = new ArrayList<>();
                    List<Double> count = new ArrayList<>();
                    List<Double> pending = new ArrayList<>();
                    List<Double> adopt = new ArrayList<>();
                    List<Double> orphanWork = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        long now = System.currentTimeMillis();
                        // what Orphans.work does every waitStoreHeartbeatInterval
                        long t0 = System.nanoTime();
                        db.store().heartbeat(incarnation, now);
                        long tc = System.nanoTime();
                        db.store().countByState();
                        long tp = System.nanoTime();
                        db.store().countPending();
                        long t1 = System.nanoTime();
                        // what an adoption reads (it writes only what it finds: nothing here)
                        db.store().adoptable(incarnation, now - 30_000, List.of("bench-wait"), 200);
                        long t2 = System.nanoTime();
                        db.store().orphanWork(incarnation, List.of("bench-wait"), now, 100);
                        long t3 = System.nanoTime();
                        heartbeat.add((tc - t0) / 1e6);
                        count.add((tp - tc) / 1e6);
                        pending.add((t1 - tp) / 1e6);
                        adopt.add((t2 - t1) / 1e6);
                        orphanWork.add((t3 - t2) / 1e6);
                        total.add((t3 - t0) / 1e6);
                    }
                    Map<String, Object> figures = new LinkedHashMap<>();
                    figures.put("tickMillis", spreadOf(total, 2));
                    figures.put("heartbeatMillis", spreadOf(heartbeat, 2));
                    figures.put("countByStateMillis", spreadOf(count, 2));
                    figures.put("countPendingMillis", spreadOf(pending, 2));
                    figures.put("adoptMillis", spreadOf(adopt, 2));
                    figures.put("orphanWorkMillis", spreadOf(orphanWork, 2));
                    perSize.put(Integer.toString(size), figures);
                    Benchmark.log("  orphan scan %-8s %,9d finished waits in the table: %.1f ms per tick (heartbeat"
                                  + " %.1f, countByState %.1f, countPending %.1f, adopt %.1f, orphanWork %.1f)", name, size,
                            SideBySide.medianOf(total), SideBySide.medianOf(heartbeat), SideBySide.medianOf(count),
                            SideBySide.medianOf(pending),
                            SideBySide.medianOf(adopt), SideBySide.medianOf(orphanWork));
                }
            } finally {
                db.store().stop();
                db.close().run();
            }
            result.put(name, perSize);
        }
        return result;
    }

    /** Adds finished, delivered waits of one owner, as a store holds them for finishedWaitsRetention. */
    private static void fillFinished(DataSource dataSource, String owner, int count) throws Exception {
        long now = System.currentTimeMillis();
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO logicwebhook_wait (id, endpoint, owner, adopted, state, subscribed, created_at, deadline,"
                                                                       + " hard_deadline, finished_at, delivered)"
                                                                       + " VALUES (?, 'bench-action', ?, FALSE, 'COMPLETED',"
                                                                       + " TRUE, ?, ?, ?, ?, TRUE)")) {
                for (int i = 0; i < count; i++) {
                    insert.setString(1, WaitRegistry.newId());
                    insert.setString(2, owner);
                    insert.setLong(3, now);
                    insert.setLong(4, now + 3_600_000);
                    insert.setLong(5, Long.MAX_VALUE);
                    insert.setLong(6, now);
                    insert.addBatch();
                    if (i % 5_000 == 4_999) {
                        insert.executeBatch();
                        connection.commit();
                    }
                }
                insert.executeBatch();
                connection.commit();
            }
            try (Statement statement = connection.createStatement()) {
                // what a DBA's autovacuum would do: the planner knows the table's size
                statement.execute(dataSource instanceof HikariDataSource ? "ANALYZE logicwebhook_wait" : "ANALYZE");
            }
            connection.commit();
        }
    }

    // ---- 3. heap per pending wait -----------------------------------------------------------------------------------

    private static Map<String, Object> heap(Settings settings, byte[] payload, List<String> stores, Path dir,
                                            EmbeddedPostgres[] servers) throws Exception {
        int warm = settings.smoke() ? 50 : 2_000;
        int count = settings.smoke() ? 200 : 20_000;
        Map<String, Object> result = new LinkedHashMap<>();
        ExecutorService senders = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "wait-sender");
            t.setDaemon(true);
            return t;
        });
        try {
            for (String name : stores) {
                Db db = open(name, dir, servers);
                try (Harness harness = new Harness(payload)) {
                    harness.component.setWaitStore(db.store());
                    String service = harness.service.url();
                    harness.routes(new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:wait").routeId("store-heap")
                                    .to("logicwebhook:bench-wait?subscribeUri=" + service + "/waits"
                                        + "&unsubscribeUri=" + service + "/waits/${variable.subscription[id]}&timeout=1h");
                        }
                    }).start();
                    AsyncProducer producer = harness.context.getEndpoint("direct:wait").createAsyncProducer();
                    producer.start();
                    AsyncCallback done = doneSync -> {
                    };
                    Waits.create(harness.context, producer, senders, 8, warm, exchange -> done,
                            harness.component::getPendingWaits, warm, 600_000);
                    long heap0 = MemoryScenario.usedHeapAfterGc();
                    Map<String, long[]> histogram0 = MemoryScenario.histogram();
                    long start = System.nanoTime();
                    Waits.create(harness.context, producer, senders, 8, count, exchange -> done,
                            harness.component::getPendingWaits, warm + count, 600_000);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    long heap1 = MemoryScenario.usedHeapAfterGc();
                    Map<String, long[]> histogram1 = MemoryScenario.histogram();
                    Map<String, Object> figures = new LinkedHashMap<>();
                    figures.put("waits", count);
                    figures.put("bytesPerWait", Math.round((heap1 - heap0) / (double) count));
                    figures.put("h2BytesPerWait", Math.round(bytesOf(histogram0, histogram1, "org.h2.") / (double) count));
                    figures.put("waitsMadePerSecond", Benchmark.round(count / seconds, 1));
                    result.put(name, figures);
                    Benchmark.log("  heap %-8s %,d pending waits: %s B per wait (of which H2's classes %s B); made at"
                                  + " %.0f/s",
                            name, count, figures.get("bytesPerWait"), figures.get("h2BytesPerWait"), count / seconds);
                    producer.stop();
                } finally {
                    db.close().run();
                }
            }
        } finally {
            senders.shutdownNow();
        }
        return result;
    }

    private static long bytesOf(Map<String, long[]> before, Map<String, long[]> after, String prefix) {
        long bytes = 0;
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                bytes += e.getValue()[1] - before.getOrDefault(e.getKey(), new long[2])[1];
            }
        }
        return bytes;
    }

    private static Map<String, Object> spread(List<Map<String, Object>> rounds, String figure) {
        return spreadOf(rounds.stream().map(m -> ((Number) m.get(figure)).doubleValue()).toList(), 1);
    }

    static Map<String, Object> spreadOf(List<Double> values, int digits) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("median", Benchmark.round(SideBySide.medianOf(values), digits));
        map.put("min", Benchmark.round(values.stream().mapToDouble(Double::doubleValue).min().orElse(0), digits));
        map.put("max", Benchmark.round(values.stream().mapToDouble(Double::doubleValue).max().orElse(0), digits));
        map.put("values", values.stream().map(v -> Benchmark.round(v, digits)).toList());
        return map;
    }
}
