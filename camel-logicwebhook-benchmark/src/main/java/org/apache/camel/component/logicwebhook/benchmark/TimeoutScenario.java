package org.apache.camel.component.logicwebhook.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;

/**
 * 4. Timeout sweep: N waits expire at once (the component's clock is moved past their deadline); the time from then
 * until every exchange has failed with ExchangeTimedOutException and the service has received every unsubscribe.
 */
final class TimeoutScenario {

    private static final long TIMEOUT_MILLIS = 60_000;

    private TimeoutScenario() {
    }

    static Map<String, Object> run(Settings settings, byte[] payload) throws Exception {
        MovableClock clock = new MovableClock();
        ExecutorService senders = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "wait-sender");
            t.setDaemon(true);
            return t;
        });
        try (Harness harness = new Harness(payload)) {
            harness.component.setClock(clock);
            String service = harness.service.url();
            harness.routes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:expire").routeId("timeout")
                            .to("logicwebhook:bench-expire?subscribeUri=" + service + "/waits"
                                + "&unsubscribeUri=" + service + "/waits/${variable.subscription[id]}"
                                + "&timeout=" + TIMEOUT_MILLIS);
                    // the same, in a route whose error handler does not format the message history of each failed
                    // exchange (Camel's DefaultErrorHandler does, even when its log is off)
                    from("direct:expire-quiet").routeId("timeout-quiet")
                            .errorHandler(defaultErrorHandler().logExhaustedMessageHistory(false))
                            .to("logicwebhook:bench-expire-quiet?subscribeUri=" + service + "/waits"
                                + "&unsubscribeUri=" + service + "/waits/${variable.subscription[id]}"
                                + "&timeout=" + TIMEOUT_MILLIS);
                }
            }).start();
            AsyncProducer producer = harness.context.getEndpoint("direct:expire").createAsyncProducer();
            producer.start();
            Benchmark.log("4. timeout sweep: %d waits (after a warm-up sweep of %d)", settings.timeoutWaits(),
                    settings.timeoutWarmWaits());
            sweep(harness, clock, producer, senders, settings.timeoutWarmWaits(), null);
            Map<String, Object> result
                    = sweep(harness, clock, producer, senders, settings.timeoutWaits(), "timeout-sweep");
            AsyncProducer quiet = harness.context.getEndpoint("direct:expire-quiet").createAsyncProducer();
            quiet.start();
            sweep(harness, clock, quiet, senders, settings.timeoutWarmWaits(), null);
            Map<String, Object> quietResult = sweep(harness, clock, quiet, senders, settings.timeoutWaits(), null);
            result.put("withoutMessageHistoryDump", quietResult);
            result.put("unsubscribeFloorMs", unsubscribeFloor(harness, harness.component.getWorkerPoolSize(),
                    settings.timeoutWaits()));
            result.put("timeoutCheckIntervalMs", harness.component.getTimeoutCheckInterval());
            result.put("workerPoolSize", harness.component.getWorkerPoolSize());
            result.put("goalMs", 1000);
            long worst = Math.max((long) result.get("allFailedMs"), (long) result.get("allUnsubscribedMs"));
            result.put("goalMet", worst >= 0 && (long) result.get("allFailedMs") >= 0
                                  && (long) result.get("allUnsubscribedMs") >= 0 && worst <= 1000);
            Benchmark.log("  %d expired waits: first failed after %d ms, all failed after %d ms, all unsubscribed"
                          + " after %d ms; the same %d DELETEs by hand, on as many threads as the component's"
                          + " workers: %d ms",
                    settings.timeoutWaits(), (long) result.get("firstFailedMs"), (long) result.get("allFailedMs"),
                    (long) result.get("allUnsubscribedMs"), settings.timeoutWaits(),
                    (long) result.get("unsubscribeFloorMs"));
            Benchmark.log("  the same in a route with logExhaustedMessageHistory(false): all failed after %d ms, all"
                          + " unsubscribed after %d ms",
                    (long) quietResult.get("allFailedMs"), (long) quietResult.get("allUnsubscribedMs"));
            return result;
        } finally {
            senders.shutdownNow();
        }
    }

    private static Map<String, Object> sweep(Harness harness, MovableClock clock, AsyncProducer producer,
                                             ExecutorService senders, int waits, String profile)
            throws Exception {
        LongAdder timedOut = new LongAdder();
        LongAdder otherOutcome = new LongAdder();
        AtomicLong firstFailed = new AtomicLong(Long.MAX_VALUE);
        AtomicLong lastFailed = new AtomicLong();
        long unsubscribesBefore = harness.service.unsubscribes.sum();
        Waits.create(harness.context, producer, senders, 8, waits, exchange -> doneSync -> {
            long now = System.nanoTime();
            if (exchange.getException() instanceof ExchangeTimedOutException) {
                timedOut.increment();
                firstFailed.accumulateAndGet(now, Math::min);
                lastFailed.accumulateAndGet(now, Math::max);
            } else {
                otherOutcome.increment();
            }
        }, harness.component::getPendingWaits, waits, 600_000);
        Thread.sleep(300);

        Profiler profiler = profile == null ? null : Profiler.start(profile);
        long expiry = System.nanoTime();
        clock.advance(TIMEOUT_MILLIS + 1_000);
        long limit = expiry + 120_000_000_000L;
        while ((timedOut.sum() < waits || harness.service.unsubscribes.sum() - unsubscribesBefore < waits)
               && otherOutcome.sum() == 0 && System.nanoTime() < limit) {
            Thread.sleep(1);
        }
        if (profiler != null) {
            profiler.close();
        }
        long unsubscribed = harness.service.unsubscribes.sum() - unsubscribesBefore;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("waits", waits);
        result.put("timedOut", timedOut.sum());
        result.put("otherOutcome", otherOutcome.sum());
        result.put("unsubscribesReceived", unsubscribed);
        result.put("firstFailedMs", timedOut.sum() == 0 ? -1 : millis(firstFailed.get() - expiry));
        result.put("allFailedMs", timedOut.sum() < waits ? -1 : millis(lastFailed.get() - expiry));
        result.put("allUnsubscribedMs",
                unsubscribed < waits ? -1 : millis(harness.service.lastUnsubscribeNanos - expiry));
        return result;
    }

    /**
     * The floor of the sweep: the same number of DELETE requests to the same service through a camel-http producer set
     * up like the component's, from as many threads as the component has workers.
     */
    private static long unsubscribeFloor(Harness harness, int threads, int requests) throws Exception {
        Producer http = ActionScenario.httpProducer(harness.context);
        String uri = harness.service.url() + "/waits/";
        AtomicInteger left = new AtomicInteger(requests);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long start = System.nanoTime();
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(pool.submit(() -> {
                    int n;
                    while ((n = left.getAndDecrement()) > 0) {
                        Exchange exchange = new DefaultExchange(harness.context, ExchangePattern.InOut);
                        exchange.getIn().setHeader(Exchange.HTTP_METHOD, "DELETE");
                        exchange.getIn().setHeader(Exchange.HTTP_URI, uri + n);
                        http.process(exchange);
                        if (exchange.getException() != null) {
                            throw exchange.getException();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
            return millis(System.nanoTime() - start);
        } finally {
            pool.shutdownNow();
            ServiceHelper.stopService(http);
        }
    }

    private static long millis(long nanos) {
        return Math.round(nanos / 1e6);
    }
}
