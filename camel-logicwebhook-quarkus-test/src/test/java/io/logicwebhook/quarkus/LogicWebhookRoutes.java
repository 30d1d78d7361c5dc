package io.logicwebhook.quarkus;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A logicwebhook trigger and a logicwebhook action, found by Camel Quarkus like any RouteBuilder of the application. The
 * remote service's URL comes from the {@code fake.url} property that {@link FakeServiceResource} sets.
 */
public class LogicWebhookRoutes extends RouteBuilder {

    /** What the trigger's route received: a copy of each callback's exchange. */
    static final BlockingQueue<Exchange> TRIGGERED = new LinkedBlockingQueue<>();

    @Override
    public void configure() {
        // the trigger: subscribes when the route starts, unsubscribes when it stops
        from("logicwebhook:orders?subscribeUri={{fake.url}}/subscriptions"
             + "&unsubscribeUri=RAW({{fake.url}}/subscriptions/${variable.subscription[id]})")
                .routeId("orders-trigger")
                .process(e -> TRIGGERED.add(e.copy()));

        // the action: each exchange subscribes with its own callback URL and waits for it, holding no thread
        from("direct:approve")
                .routeId("approval-action")
                .to("logicwebhook:approval?subscribeUri={{fake.url}}/jobs"
                    + "&unsubscribeUri=RAW({{fake.url}}/jobs/${variable.subscription[id]})"
                    + "&timeout=PT20S")
                .setHeader("approvedBy", constant("approval-action"));
    }
}
