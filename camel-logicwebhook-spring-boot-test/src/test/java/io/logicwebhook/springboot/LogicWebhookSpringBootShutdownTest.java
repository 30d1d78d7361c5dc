package io.logicwebhook.springboot;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.LogicWebhookCancelledException;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.callbackUrlOf;
import static io.logicwebhook.springboot.LogicWebhookTestApplication.RELAY_REQUESTS;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole Spring Boot application shuts down (as on SIGTERM): the trigger unsubscribes, and a pending action is
 * failed at once and unsubscribed rather than holding the shutdown until its timeout, also when HTTP requests wait for
 * it and the web server shuts down gracefully.
 */
class LogicWebhookSpringBootShutdownTest {

    @Test
    void closingTheApplicationUnsubscribesTheTriggerAndCancelsPendingActions() throws Exception {
        try (FakeService service = new FakeService()) {
            service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-9\"}"));
            service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-9\"}"));
            ConfigurableApplicationContext application = new SpringApplicationBuilder(LogicWebhookTestApplication.class)
                    .properties("server.port=0", "fake.url=" + service.url())
                    .run();
            Future<Exchange> pending;
            try {
                int port = Integer.parseInt(application.getEnvironment().getRequiredProperty("local.server.port"));
                String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
                assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/logicwebhook/orders?sig="), callbackUrl);

                pending = application.getBean(ProducerTemplate.class).asyncSend("direct:approve",
                        e -> e.getMessage().setBody("order-9"));
                awaitRequests(service, "POST", "/jobs", 1);
            } finally {
                long start = System.nanoTime();
                application.close();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMillis < 10_000, "shutdown took " + tookMillis + " ms");
            }
            List<FakeService.Recorded> deletes = service.requests("DELETE", "/subscriptions/");
            assertEquals(1, deletes.size());
            assertEquals("/subscriptions/sub-9", deletes.get(0).path());
            assertEquals("orders", deletes.get(0).header(LogicWebhookConstants.OPERATION_NAME_HEADER));

            Exchange cancelled = pending.get(5, TimeUnit.SECONDS);
            assertInstanceOf(LogicWebhookCancelledException.class, cancelled.getException());
            assertEquals("/jobs/job-9", awaitRequests(service, "DELETE", "/jobs/", 1).get(0).path());
        }
    }

    /**
     * With {@code server.shutdown=graceful}, Spring stops the web server's graceful shutdown (which waits for the
     * requests in flight) before Camel: the starter ends the waits one phase earlier, so the requests get their answer
     * at once instead of holding the shutdown until the action's timeout (60 s) or the phase's (30 s).
     */
    @Test
    void closingTheApplicationAnswersEveryRequestWaitingBehindPlatformHttpBeforeTheGracefulShutdown() throws Exception {
        int requests = 20;
        try (FakeService service = new FakeService()) {
            AtomicInteger ids = new AtomicInteger();
            // a service that never calls back
            service.on("POST /relay", r -> FakeService.Answer.of(201, "{\"id\":\"relay-" + ids.incrementAndGet() + "\"}"));
            int arrivedBefore = RELAY_REQUESTS.get();
            ConfigurableApplicationContext application = new SpringApplicationBuilder(LogicWebhookTestApplication.class)
                    .properties("server.port=0", "fake.url=" + service.url(), "server.shutdown=graceful",
                            "spring.lifecycle.timeout-per-shutdown-phase=30s", "relay.timeout=PT60S")
                    .run();
            List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
            long tookMillis;
            try {
                int port = Integer.parseInt(application.getEnvironment().getRequiredProperty("local.server.port"));
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                for (int i = 0; i < requests; i++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/start"))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("request-" + i))
                            .build(), HttpResponse.BodyHandlers.ofString()));
                }
                // 8 wait for their callbacks on the task executor's 8 threads; the other 12 are queued behind them
                awaitRequests(service, "POST", "/relay", 8);
                await().atMost(10, TimeUnit.SECONDS).until(() -> RELAY_REQUESTS.get() - arrivedBefore == requests);
            } finally {
                long start = System.nanoTime();
                application.close();
                tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            }
            System.out.printf("closed with %d requests waiting behind platform-http in %d ms%n", requests, tookMillis);
            assertTrue(tookMillis < 10_000, "shutdown took " + tookMillis + " ms");
            for (CompletableFuture<HttpResponse<String>> response : responses) {
                // the route's error: the waits were cancelled, the queued exchanges took no new wait
                assertEquals(500, response.get(5, TimeUnit.SECONDS).statusCode());
            }
            assertEquals(8, service.requests("POST", "/relay").size(), "no wait started once the application stopped");
            assertEquals(8, awaitRequests(service, "DELETE", "/relay/", 8).size());
        }
    }
}
