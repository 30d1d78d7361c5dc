package io.logicwebhook.springboot;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with a logicwebhook trigger and a logicwebhook action. The remote service's URL comes from
 * the {@code fake.url} property; the component is configured with {@code camel.component.logicwebhook.*}, which the starter binds.
 */
@SpringBootApplication
public class LogicWebhookTestApplication {

    /** What the trigger's route received: a copy of each callback's exchange. */
    static final BlockingQueue<Exchange> TRIGGERED = new LinkedBlockingQueue<>();

    @Bean
    RouteBuilder logicWebhookRoutes() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // the trigger: subscribes when the route starts, unsubscribes when it stops
                from("logicwebhook:orders?subscribeUri={{fake.url}}/subscriptions"
                     + "&unsubscribeUri=RAW({{fake.url}}/subscriptions/${variable.subscription[id]})")
                        .routeId("orders-trigger")
                        .process(e -> TRIGGERED.add(e.copy()));

                // the action: each exchange subscribes with its own callback URL and waits for it
                from("direct:approve")
                        .routeId("approval-action")
                        .to("logicwebhook:approval?subscribeUri={{fake.url}}/jobs"
                            + "&unsubscribeUri=RAW({{fake.url}}/jobs/${variable.subscription[id]})"
                            + "&timeout=PT20S")
                        .setHeader("approvedBy", constant("approval-action"));
            }
        };
    }
}
