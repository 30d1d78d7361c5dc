package org.apache.camel.component.logicwebhook.benchmark;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import io.vertx.core.http.HttpMethod;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.Message;
import org.apache.camel.Producer;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.EventNotifierSupport;

/**
 * The routes and endpoints of {@link AppUnderTest} for the durability benchmarks ({@link DurabilityBenchmark}):
 * <ul>
 * <li>{@code direct:hold} → {@code logicwebhook:hold} (subscribe at the service's {@code /hold}, which never calls
 * back; unsubscribe with {@code DELETE /hold/{id}}; {@code resumeUri=direct:resumed}, which counts): the waits that a
 * {@code kill -9} leaves orphaned.</li>
 * <li>{@code platform-http:/relay?via=PORT} → {@code logicwebhook:relay}, whose subscribe asks the service to call back
 * on the port {@code via} (this node or another): the resume latency, from the service's sending of the callback
 * ({@code X-Sent-Nanos}, its {@code System.nanoTime()}, which on Linux reads the same monotonic clock in every process
 * of the machine) to the exchange going on after the action, here.</li>
 * <li>{@code POST /bench/spawn?n=N}: N exchanges into {@code direct:hold}, answered once all are pending.
 * {@code GET /bench/stored}: how many waits the store holds as subscribed. {@code GET /bench/resumed}.
 * {@code POST /bench/by-hand?n=N&threads=T}: the baseline of the recovery, the same requests by hand: N unsubscribe
 * DELETEs with camel-http and N sends to {@code direct:resumed}, on T threads; answers the milliseconds it took.
 * {@code GET /bench/latency}: the resume latencies since the last call, in microseconds, sorted.</li>
 * </ul>
 */
final class Durability {

    private static final LongAdder RESUMED = new LongAdder();
    /** When the last delivery to the resumeUri came (epoch ms): the benchmark reads it once all came, at its leisure. */
    private static final AtomicLong LAST_RESUMED_AT = new AtomicLong();
    private static final AtomicLong STARTED_AT = new AtomicLong();
    private static final Object LATENCY_LOCK = new Object();
    private static long[] latencies = new long[1024];
    private static int latencyCount;

    private Durability() {
    }

    static void routes(RouteBuilder builder, String service, long holdTimeoutMillis, long timeoutMillis) {
        builder.from("direct:hold").routeId("durability-hold")
                .to("logicwebhook:hold?subscribeUri=" + service + "/hold&unsubscribeUri=" + service
                    + "/hold/${variable.subscription[id]}&timeout=" + holdTimeoutMillis + "&resumeUri=direct:resumed");
        // an orphan past its deadline arrives failed (ExchangeTimedOutException): counted by its handler
        builder.from("direct:resumed").routeId("durability-resumed")
                .onException(Exception.class).handled(true).process(exchange -> resumed()).end()
                .process(exchange -> resumed());
        builder.from("platform-http:/relay?httpMethodRestrict=POST&muteException=true").routeId("durability-relay")
                .convertBodyTo(String.class)
                .to("logicwebhook:relay?subscribeUri=" + service + "/jobs/via/${header.via}&timeout=" + timeoutMillis)
                .process(Durability::recordLatency)
                .convertBodyTo(String.class);
    }

    private static void resumed() {
        RESUMED.increment();
        LAST_RESUMED_AT.accumulateAndGet(System.currentTimeMillis(), Math::max);
    }

    /** When the context said it started (epoch ms): orphans are adopted from its first sweep on. */
    static long startedAt() {
        return STARTED_AT.get();
    }

    /** Notes the time of the context's start; to be added before it starts. */
    static EventNotifierSupport startedNotifier() {
        return new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent) {
                    STARTED_AT.set(System.currentTimeMillis());
                }
            }
        };
    }

    private static void recordLatency(Exchange exchange) {
        String sent = exchange.getMessage().getHeader("X-Sent-Nanos", String.class);
        if (sent == null) {
            return;
        }
        long micros = (System.nanoTime() - Long.parseLong(sent)) / 1_000;
        synchronized (LATENCY_LOCK) {
            if (latencyCount == latencies.length) {
                latencies = Arrays.copyOf(latencies, latencies.length * 2);
            }
            latencies[latencyCount++] = micros;
        }
    }

    static void endpoints(VertxPlatformHttpRouter router, CamelContext context, DataSource store, Producer http,
                          String service) throws Exception {
        router.route(HttpMethod.GET, "/bench/resumed").order(-2)
                .handler(ctx -> ctx.response().end(Long.toString(RESUMED.sum())));
        router.route(HttpMethod.GET, "/bench/resumed-at").order(-2)
                .handler(ctx -> ctx.response().end(Long.toString(LAST_RESUMED_AT.get())));
        router.route(HttpMethod.GET, "/bench/latency").order(-2).handler(ctx -> {
            long[] taken;
            synchronized (LATENCY_LOCK) {
                taken = Arrays.copyOf(latencies, latencyCount);
                latencyCount = 0;
            }
            Arrays.sort(taken);
            StringBuilder json = new StringBuilder("[");
            for (int i = 0; i < taken.length; i++) {
                json.append(i == 0 ? "" : ",").append(taken[i]);
            }
            ctx.response().putHeader("Content-Type", "application/json").end(json.append(']').toString());
        });
        router.route(HttpMethod.GET, "/bench/stored").order(-2)
                .blockingHandler(ctx -> ctx.response().end(Long.toString(subscribedInStore(store))), false);
        AsyncProducer hold = context.getEndpoint("direct:hold").createAsyncProducer();
        hold.start();
        LogicWebhookComponent component = context.getComponent("logicwebhook", LogicWebhookComponent.class);
        router.route(HttpMethod.POST, "/bench/spawn").order(-2).blockingHandler(ctx -> {
            int n = Integer.parseInt(ctx.request().getParam("n"));
            ExecutorService senders = Executors.newFixedThreadPool(16);
            try {
                Waits.create(context, hold, senders, 16, n, exchange -> doneSync -> {
                }, () -> component.getPendingWaits(), n, 300_000);
                ctx.response().end(Integer.toString(component.getPendingWaits()));
            } catch (Exception e) {
                ctx.response().setStatusCode(500).end(e.toString());
            } finally {
                senders.shutdownNow();
            }
        }, false);
        ProducerTemplate template = context.createProducerTemplate();
        router.route(HttpMethod.POST, "/bench/by-hand").order(-2).blockingHandler(ctx -> {
            int n = Integer.parseInt(ctx.request().getParam("n"));
            int threads = Integer.parseInt(ctx.request().getParam("threads"));
            ctx.response().end(Long.toString(byHand(context, http, template, service, n, threads)));
        }, false);
    }

    /** The recovery's work by hand: an unsubscribe DELETE and a send to the resumeUri route per wait, on a pool. */
    private static long byHand(CamelContext context, Producer http, ProducerTemplate template, String service, int n,
                               int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long start = System.nanoTime();
        try {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                tasks.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                        Exchange out = new DefaultExchange(context, ExchangePattern.InOut);
                        Message request = out.getIn();
                        request.setHeader(Exchange.HTTP_METHOD, "DELETE");
                        request.setHeader(Exchange.HTTP_URI, service + "/hold/by-hand-" + i);
                        http.process(out);
                        int status = out.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
                        if (out.getException() != null || status != 204) {
                            throw new IllegalStateException("unsubscribe answered " + status, out.getException());
                        }
                        template.sendBody("direct:resumed", "timed out");
                    }
                    return null;
                }));
            }
            for (Future<?> task : tasks) {
                task.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdownNow();
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static long subscribedInStore(DataSource store) {
        if (store == null) {
            return -1;
        }
        try (Connection connection = store.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT COUNT(*) FROM logicwebhook_wait WHERE subscribed = TRUE AND state = 'PENDING'")) {
            rows.next();
            return rows.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
