package org.apache.camel.component.logicwebhook.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.management.ObjectName;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.AsyncProcessorSupport;
import org.apache.camel.support.DefaultExchange;

/**
 * 3. Memory and threads per pending wait: the heap retained (after full GCs) by N exchanges suspended in the action,
 * each with no body, measured from a warm state with some waits already pending (so that every pool, cache and lazily
 * made structure exists before the first figure); and the live threads at each count.
 */
final class MemoryScenario {

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    private MemoryScenario() {
    }

    static Map<String, Object> run(Settings settings, byte[] payload) throws Exception {
        LongAdder completed = new LongAdder();
        // one callback for all: it adds nothing per wait
        AtomicLong lastDone = new AtomicLong();
        AsyncCallback done = doneSync -> {
            completed.increment();
            lastDone.accumulateAndGet(System.nanoTime(), Math::max);
        };
        ParkingProcessor floor = new ParkingProcessor();
        ExecutorService senders = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "wait-sender");
            t.setDaemon(true);
            return t;
        });
        try (Harness harness = new Harness(payload)) {
            String service = harness.service.url();
            harness.routes(new RouteBuilder() {
                @Override
                public void configure() {
                    // the floor: an exchange suspended in the simplest async processor there is (its callback kept in a
                    // map under a callback id of the same size), which is what Camel itself holds for any suspended
                    // exchange
                    from("direct:floor").routeId("memory-floor").process(floor);
                    from("direct:wait").routeId("memory")
                            .to("logicwebhook:bench-wait?subscribeUri=" + service + "/waits"
                                + "&unsubscribeUri=" + service + "/waits/${variable.subscription[id]}&timeout=1h");
                }
            }).start();
            AsyncProducer producer = harness.context.getEndpoint("direct:wait").createAsyncProducer();
            producer.start();
            int[] pendingTarget = { 0 };
            Step step = count -> {
                pendingTarget[0] += count;
                Waits.create(harness.context, producer, senders, 8, count, exchange -> done,
                        harness.component::getPendingWaits, pendingTarget[0], 600_000);
            };
            Benchmark.log("3. memory: %d warm waits, then %d, then %d pending waits", settings.memoryWarm(),
                    settings.memorySmall(), settings.memoryLarge());
            // one wait that the benchmark keeps a hand on, to show what a wait's exchange carries
            Exchange sample = new DefaultExchange(harness.context);
            producer.process(sample, done);
            pendingTarget[0]++;
            AsyncProducer floorProducer = harness.context.getEndpoint("direct:floor").createAsyncProducer();
            floorProducer.start();
            step.add(settings.memoryWarm());
            Waits.create(harness.context, floorProducer, senders, 8, settings.memoryWarm(), exchange -> done,
                    floor::size, settings.memoryWarm(), 60_000);
            long heap0 = usedHeapAfterGc();
            int threads0 = liveThreads();

            Waits.create(harness.context, floorProducer, senders, 8, settings.memorySmall(), exchange -> done,
                    floor::size, settings.memoryWarm() + settings.memorySmall(), 60_000);
            long heapFloor = usedHeapAfterGc();
            Map<String, long[]> histogram0 = histogram();
            double floorPerWait = (heapFloor - heap0) / (double) settings.memorySmall();

            long created = System.nanoTime();
            try (Profiler profiler = Profiler.start("memory-create-waits")) {
                step.add(settings.memorySmall());
            }
            long heap1 = usedHeapAfterGc();
            int threads1 = liveThreads();

            step.add(settings.memoryLarge() - settings.memorySmall());
            double createSeconds = (System.nanoTime() - created) / 1e9;
            long heap2 = usedHeapAfterGc();
            int threads2 = liveThreads();
            Map<String, long[]> histogram2 = histogram();
            int pending = harness.component.getPendingWaits();

            double perWaitSmall = (heap1 - heapFloor) / (double) settings.memorySmall();
            double perWaitLarge = (heap2 - heapFloor) / (double) settings.memoryLarge();
            Benchmark.log("  %d waits: %.0f bytes/wait; %d waits: %.0f bytes/wait; threads %d, %d, %d; floor (any"
                          + " suspended exchange): %.0f bytes",
                    settings.memorySmall(), perWaitSmall, settings.memoryLarge(), perWaitLarge, threads0, threads1,
                    threads2, floorPerWait);

            Map<String, Object> result = new LinkedHashMap<>();
            result.put("pendingAtEnd", pending);
            result.put("callbacksDoneWhilePending", completed.sum());
            result.put("createPerSecond", Benchmark.round(settings.memoryLarge() / createSeconds, 1));
            result.put("heapUsedAfterGcBytes",
                    Benchmark.map("warm", heap0, "floor", heapFloor, "small", heap1, "large", heap2));
            result.put("floorBytesPerSuspendedExchange", Math.round(floorPerWait));
            Map<String, Object> small = new LinkedHashMap<>();
            small.put("waits", settings.memorySmall());
            small.put("bytesPerWait", Math.round(perWaitSmall));
            small.put("liveThreads", threads1);
            Map<String, Object> large = new LinkedHashMap<>();
            large.put("waits", settings.memoryLarge());
            large.put("bytesPerWait", Math.round(perWaitLarge));
            large.put("liveThreads", threads2);
            result.put("warm", Benchmark.map("waits", settings.memoryWarm(), "liveThreads", threads0));
            result.put("small", small);
            result.put("large", large);
            result.put("goalBytesPerWait", 2048);
            result.put("goalMet", perWaitSmall <= 2048 && perWaitLarge <= 2048 && threads2 <= threads0 + 2);
            result.put("threadsFlat", threads2 <= threads0 + 2);
            result.put("perWaitByClass", perWait(histogram0, histogram2, settings.memoryLarge()));
            result.put("sampleWaitExchange", describe(sample));

            // the floor's exchanges end; then the context stops with all the waits pending: each should fail
            // promptly and be unsubscribed
            floor.releaseAll();
            long releasedFloor = completed.sum();
            long unsubscribesBefore = harness.service.unsubscribes.sum();
            long stopStart = System.nanoTime();
            try (Profiler profiler = Profiler.start("memory-stop-with-waits")) {
                harness.context.stop();
            }
            Map<String, Object> stop = new LinkedHashMap<>();
            stop.put("seconds", Benchmark.round((System.nanoTime() - stopStart) / 1e9, 3));
            stop.put("exchangesFailed", completed.sum() - releasedFloor);
            stop.put("lastExchangeFailedSeconds", Benchmark.round((lastDone.get() - stopStart) / 1e9, 3));
            stop.put("unsubscribesReceived", harness.service.unsubscribes.sum() - unsubscribesBefore);
            result.put("contextStopWithAllPending", stop);
            Benchmark.log("  context stop with %d pending: %.1f s, %d exchanges failed (the last after %.1f s), %d"
                          + " unsubscribed",
                    pending, (double) stop.get("seconds"), (long) stop.get("exchangesFailed"),
                    (double) stop.get("lastExchangeFailedSeconds"), (long) stop.get("unsubscribesReceived"));
            return result;
        } finally {
            senders.shutdownNow();
        }
    }

    /** What a pending wait's exchange carries besides Camel's own structure: its variables and headers. */
    private static Map<String, Object> describe(Exchange exchange) {
        Map<String, Object> variables = new LinkedHashMap<>();
        exchange.getVariables().forEach((name, value) -> variables.put(name, length(value)));
        Map<String, Object> headers = new LinkedHashMap<>();
        exchange.getMessage().getHeaders().forEach((name, value) -> headers.put(name, length(value)));
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("variableLengths", variables);
        map.put("headerLengths", headers);
        map.put("exchangeIdLength", exchange.getExchangeId().length());
        map.put("body", String.valueOf(exchange.getMessage().getBody()));
        return map;
    }

    private static Object length(Object value) {
        return value instanceof CharSequence text ? text.length() : value == null ? null : value.getClass().getName();
    }

    /** Keeps each exchange's callback under a random id, as small as a suspended exchange can be. */
    static final class ParkingProcessor extends AsyncProcessorSupport {

        private final Map<String, AsyncCallback> parked = new ConcurrentHashMap<>();

        @Override
        public boolean process(Exchange exchange, AsyncCallback callback) {
            byte[] id = new byte[16];
            ThreadLocalRandom.current().nextBytes(id);
            parked.put(Base64.getUrlEncoder().withoutPadding().encodeToString(id), callback);
            return false;
        }

        int size() {
            return parked.size();
        }

        void releaseAll() {
            for (String id : new ArrayList<>(parked.keySet())) {
                AsyncCallback callback = parked.remove(id);
                if (callback != null) {
                    callback.done(false);
                }
            }
        }
    }

    @FunctionalInterface
    private interface Step {
        void add(int count) throws Exception;
    }

    static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    static long usedHeapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(150);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /** The JVM's class histogram of live objects (it runs a full GC first): class → {instances, bytes}. */
    static Map<String, long[]> histogram() throws Exception {
        String text = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] { new String[0] }, new String[] { String[].class.getName() });
        Map<String, long[]> classes = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                classes.merge(m.group(3), new long[] { Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) },
                        (a, b) -> new long[] { a[0] + b[0], a[1] + b[1] });
            }
        }
        return classes;
    }

    /** The classes that grew with the waits, per wait, largest first: what a wait is made of. */
    private static List<Map<String, Object>> perWait(Map<String, long[]> before, Map<String, long[]> after, int waits) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map.Entry<String, long[]> e : after.entrySet()) {
            long[] b = before.getOrDefault(e.getKey(), new long[2]);
            double bytes = (e.getValue()[1] - b[1]) / (double) waits;
            double instances = (e.getValue()[0] - b[0]) / (double) waits;
            if (bytes >= 4) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("class", e.getKey());
                row.put("instancesPerWait", Benchmark.round(instances, 2));
                row.put("bytesPerWait", Benchmark.round(bytes, 1));
                rows.add(row);
            }
        }
        rows.sort((x, y) -> Double.compare((double) y.get("bytesPerWait"), (double) x.get("bytesPerWait")));
        return rows.size() > 25 ? new ArrayList<>(rows.subList(0, 25)) : rows;
    }
}
