package org.apache.camel.component.logicwebhook;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

import javax.sql.DataSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;

/**
 * One start of an application whose action keeps its waits in a store: stopped and started again on the same port,
 * signing key and database, as a redeploy does. Its resumeUri route records what reaches it.
 */
final class DurableApp implements AutoCloseable {

    /** What the resumeUri route received. */
    record Resumed(String waitId, Object body, Map<String, Object> headers, Map<String, Object> variables,
                   Exception exception) {
    }

    static final String ACTION = "approval";

    final CamelContext context;
    final List<Resumed> resumed = new CopyOnWriteArrayList<>();
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    /** While set, every delivery to the resumeUri route waits for it (at most 30 s). */
    volatile CountDownLatch deliveriesHeld;
    /** While above zero, a delivery to the resumeUri route fails (the route throws) and counts it down. */
    final AtomicInteger failDeliveries = new AtomicInteger();
    /** The waits whose delivery to the resumeUri route fails every time, by wait id. */
    volatile Predicate<String> failWaits = id -> false;
    /** How many deliveries reached the resumeUri route, failed ones too. */
    final AtomicInteger deliveriesTried = new AtomicInteger();
    private ProducerTemplate template;

    /**
     * @param resumeUri whether the action has one
     * @param options   more endpoint options, "&..." (or "")
     */
    DurableApp(int port, FakeService service, DataSource store, TestClock clock, boolean resumeUri, String options,
               Consumer<LogicWebhookComponent> configure) throws Exception {
        context = TestNode.context(port, component -> {
            component.setWaitStoreDataSource(store);
            LogicWebhookTestSupport.sweepByHand(component, clock);
            configure.accept(component);
        });
        context.getRegistry().bind("metricsRegistry", meters);
        String action = "logicwebhook:" + ACTION + "?subscribeUri=" + service.url() + "/jobs"
                        + "&subscribeBody=RAW({\"order\":\"${body}\",\"callback\":\"${variable.callbackUrl}\","
                        + "\"failure\":\"${variable.failureUrl}\"})"
                        + "&unsubscribeUri=RAW(" + service.url() + "/jobs/${variable.subscription[id]})"
                        + "&timeout=PT10S&snapshotHeaders=X-Order&snapshotVariables=customer"
                        + (resumeUri ? "&resumeUri=direct:approved" : "") + options;
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:start").routeId("start").to(action).to("direct:approved");
                from("direct:approved").routeId("approved")
                        .onException(Exception.class).handled(true).process(DurableApp.this::record).end()
                        .process(DurableApp.this::record);
            }
        });
    }

    private void record(Exchange exchange) throws InterruptedException {
        CountDownLatch held = deliveriesHeld;
        if (held != null && !held.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the test never let the deliveries go on");
        }
        deliveriesTried.incrementAndGet();
        if (failWaits.test(exchange.getMessage().getHeader(LogicWebhookConstants.WAIT_ID, String.class))
            || failDeliveries.getAndUpdate(left -> Math.max(0, left - 1)) > 0) {
            throw new IllegalStateException("the resumeUri route failed (the test made it fail)");
        }
        Exception exception = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        resumed.add(new Resumed(exchange.getMessage().getHeader(LogicWebhookConstants.WAIT_ID, String.class),
                exchange.getMessage().getBody(), Map.copyOf(exchange.getMessage().getHeaders()),
                Map.copyOf(exchange.getVariables()), exception));
    }

    DurableApp start() {
        context.start();
        template = context.createProducerTemplate();
        return this;
    }

    LogicWebhookComponent component() {
        return context.getComponent("logicwebhook", LogicWebhookComponent.class);
    }

    /** Starts an exchange that waits in the action, with a header and a variable its snapshot keeps. */
    CompletableFuture<Exchange> startWait(String order) {
        return template.asyncSend("direct:start", exchange -> {
            exchange.getMessage().setBody(order);
            exchange.getMessage().setHeader("X-Order", order);
            exchange.setVariable("customer", "customer of " + order);
        });
    }

    /** Runs what the sweeper would on its next tick: timeouts, retries, the store's heartbeat and orphans. */
    void sweep() {
        component().getWaitRegistry().sweep();
    }

    @Override
    public void close() {
        context.stop();
    }
}
