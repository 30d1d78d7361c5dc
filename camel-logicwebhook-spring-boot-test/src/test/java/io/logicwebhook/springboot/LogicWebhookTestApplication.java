package io.logicwebhook.springboot;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Filter;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with a logicwebhook trigger and a logicwebhook action, and a platform-http route in front of
 * another action (its exchanges run on Spring's task executor, each holding a thread while it waits). The remote
 * service's URL comes from the {@code fake.url} property; the component is configured with
 * {@code camel.component.logicwebhook.*}, which the starter binds.
 */
@SpringBootApplication
public class LogicWebhookTestApplication {

    /** What the trigger's route received: a copy of each callback's exchange. */
    static final BlockingQueue<Exchange> TRIGGERED = new LinkedBlockingQueue<>();
    /** Requests to /start that reached the web server, before Spring MVC queues them for the task executor. */
    static final AtomicInteger RELAY_REQUESTS = new AtomicInteger();
    /** Exchanges of /hold holding a task executor thread, until {@link #RELEASE} opens. */
    static final AtomicInteger HELD = new AtomicInteger();
    static volatile CountDownLatch RELEASE = new CountDownLatch(0);

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

                // an HTTP request that waits for an action's callback: the response is the callback's body
                from("platform-http:/start")
                        .routeId("relay-front")
                        .convertBodyTo(String.class)
                        .to("logicwebhook:relay?subscribeUri={{fake.url}}/relay"
                            + "&unsubscribeUri=RAW({{fake.url}}/relay/${variable.subscription[id]})"
                            + "&subscribeBody=RAW({\"callbackUrl\":\"${variable.callbackUrl}\",\"request\":\"${body}\"})"
                            + "&timeout={{relay.timeout:PT60S}}");

                // holds a task executor thread until the test releases it
                from("platform-http:/hold")
                        .routeId("hold")
                        .process(e -> {
                            HELD.incrementAndGet();
                            RELEASE.await();
                            HELD.decrementAndGet();
                        })
                        .setBody(constant("released"));
            }
        };
    }

    @Bean
    FilterRegistrationBean<Filter> relayRequestCounter() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            RELAY_REQUESTS.incrementAndGet();
            chain.doFilter(request, response);
        });
        registration.addUrlPatterns("/start");
        return registration;
    }
}
