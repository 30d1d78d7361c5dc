package io.logicwebhook.quarkus;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.camel.builder.RouteBuilder;

/**
 * A trigger that does not start with Camel (Camel Quarkus starts routes before the HTTP server listens):
 * {@link StartTriggersAfterHttpServer} starts it. Only in the {@link StartAfterHttpServerProfile} application.
 */
public class StartAfterHttpServerRoutes extends RouteBuilder {

    static final String TRIGGER = "graph-trigger";
    /** The bodies of the callbacks the trigger's route received. */
    static final BlockingQueue<String> RECEIVED = new LinkedBlockingQueue<>();

    @Override
    public void configure() {
        from("logicwebhook:graph?subscribeUri={{fake.url}}/subscriptions"
             + "&unsubscribeUri=RAW({{fake.url}}/subscriptions/${variable.subscription[id]})")
                .routeId(TRIGGER)
                .autoStartup(false)
                .process(e -> RECEIVED.add(e.getMessage().getBody(String.class)));
    }
}
