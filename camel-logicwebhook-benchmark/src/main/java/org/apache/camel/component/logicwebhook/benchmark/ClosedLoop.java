package org.apache.camel.component.logicwebhook.benchmark;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: {@code concurrency} threads each run one operation after another for a fixed time, and every
 * operation's latency is kept. The same runner drives the subject and its baseline.
 */
final class ClosedLoop {

    /** One request, or one exchange: true when it succeeded. */
    @FunctionalInterface
    interface Operation {
        boolean run(int thread, long sequence) throws Exception;
    }

    /** The figures of one run. */
    record Result(long operations, long errors, double seconds, double perSecond, double p50Ms, double p90Ms,
                  double p99Ms, double meanMs, double cpuMicrosPerOperation) {

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("operations", operations);
            map.put("errors", errors);
            map.put("seconds", Benchmark.round(seconds, 3));
            map.put("perSecond", Benchmark.round(perSecond, 1));
            map.put("p50Ms", Benchmark.round(p50Ms, 3));
            map.put("p90Ms", Benchmark.round(p90Ms, 3));
            map.put("p99Ms", Benchmark.round(p99Ms, 3));
            map.put("meanMs", Benchmark.round(meanMs, 3));
            map.put("cpuMicrosPerOperation", Benchmark.round(cpuMicrosPerOperation, 1));
            return map;
        }
    }

    private ClosedLoop() {
    }

    static Result run(String name, int concurrency, long millis, Operation operation) throws InterruptedException {
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        long[] errors = new long[concurrency];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch ready = new CountDownLatch(concurrency);
        CountDownLatch go = new CountDownLatch(1);
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < concurrency; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                long[] mine = new long[4096];
                int n = 0;
                long sequence = 0;
                ready.countDown();
                try {
                    go.await();
                    long end = window[1];
                    while (true) {
                        long start = System.nanoTime();
                        if (start >= end) {
                            break;
                        }
                        boolean ok;
                        try {
                            ok = operation.run(index, sequence++);
                        } catch (Exception e) {
                            failure.compareAndSet(null, e);
                            ok = false;
                        }
                        long took = System.nanoTime() - start;
                        if (!ok) {
                            errors[index]++;
                            continue;
                        }
                        if (n == mine.length) {
                            mine = Arrays.copyOf(mine, n * 2);
                        }
                        mine[n++] = took;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                latencies[index] = mine;
                counts[index] = n;
            }, name + "-load-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        ready.await();
        long cpuStart = processCpuNanos();
        window[0] = System.nanoTime();
        window[1] = window[0] + millis * 1_000_000L;
        go.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        // the run ends when the last operation started in the window has finished
        double seconds = (System.nanoTime() - window[0]) / 1e9;
        long cpu = processCpuNanos() - cpuStart;
        int total = 0;
        long errorCount = 0;
        for (int t = 0; t < concurrency; t++) {
            total += counts[t];
            errorCount += errors[t];
        }
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < concurrency; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        double mean = total == 0 ? 0 : Arrays.stream(all).average().orElse(0) / 1e6;
        if (failure.get() != null && errorCount > 0) {
            System.err.println(name + ": " + errorCount + " operation(s) failed, the first with: " + failure.get());
        }
        return new Result(total, errorCount, seconds, total / seconds, percentile(all, 50), percentile(all, 90),
                percentile(all, 99), mean, total == 0 ? 0 : cpu / 1e3 / total);
    }

    /** The CPU time of the whole process (server, client and fake service): what one operation costs, whatever the
     * other processes of a shared machine take. */
    static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
