package io.logicwebhook.quarkus;

import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * Platform-http routes in front of the action, whose exchanges Quarkus runs on its worker pool (each one holds a worker
 * while it waits), a route that holds workers until the test releases them, and a trigger and an action to call back
 * while they are held. Only in the {@link InFlightProfile} application.
 */
public class InFlightRoutes extends RouteBuilder {

    /** What the trigger's route received: a copy of each callback's exchange. */
    static final BlockingQueue<Exchange> TRIGGERED = new LinkedBlockingQueue<>();
    /** Exchanges of /hold holding a worker, until {@link #release} opens. */
    static final AtomicInteger HELD = new AtomicInteger();
    /** The threads /hold ran on. */
    static final Set<String> HOLDING_THREADS = ConcurrentHashMap.newKeySet();
    static volatile CountDownLatch release = new CountDownLatch(0);

    @Override
    public void configure() {
        from("logicwebhook:events?subscribeUri={{fake.url}}/subscriptions"
             + "&unsubscribeUri=RAW({{fake.url}}/subscriptions/${variable.subscription[id]})")
                .routeId("events-trigger")
                .process(e -> TRIGGERED.add(e.copy()));

        // an HTTP request that waits for an action's callback: the response is the callback's body
        from("platform-http:/start")
                .routeId("relay-front")
                .convertBodyTo(String.class)
                .to("logicwebhook:relay?subscribeUri={{fake.url}}/relay"
                    + "&unsubscribeUri=RAW({{fake.url}}/relay/${variable.subscription[id]})"
                    + "&subscribeBody=RAW({\"callbackUrl\":\"${variable.callbackUrl}\",\"request\":\"${body}\"})"
                    + "&timeout=PT3M")
                .convertBodyTo(String.class);

        // holds a worker until the test releases it
        from("platform-http:/hold")
                .routeId("hold")
                .process(e -> {
                    HOLDING_THREADS.add(Thread.currentThread().getName());
                    HELD.incrementAndGet();
                    if (!release.await(2, TimeUnit.MINUTES)) {
                        throw new IllegalStateException("never released");
                    }
                    e.getMessage().setBody("released");
                });

        // an action called from the test's own thread (not from a worker)
        from("direct:approve")
                .routeId("approval-action")
                .to("logicwebhook:approval?subscribeUri={{fake.url}}/jobs"
                    + "&unsubscribeUri=RAW({{fake.url}}/jobs/${variable.subscription[id]})"
                    + "&timeout=PT20S");
    }
}
