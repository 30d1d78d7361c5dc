package io.logicwebhook.quarkus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.runtime.ExecutorRecorder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.logicwebhook.quarkus.InFlightRoutes.HELD;
import static io.logicwebhook.quarkus.InFlightRoutes.HOLDING_THREADS;
import static io.logicwebhook.quarkus.InFlightRoutes.TRIGGERED;
import static io.logicwebhook.quarkus.LogicWebhookQuarkusTest.JSON;
import static io.logicwebhook.quarkus.LogicWebhookQuarkusTest.awaitRequests;
import static io.logicwebhook.quarkus.LogicWebhookQuarkusTest.callbackUrlOf;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Requests waiting behind a platform-http route for an action's callback, on Quarkus' default settings. Quarkus runs
 * platform-http's exchanges on its worker pool ({@code quarkus.thread-pool.max-threads}: the larger of 200 and 8 per
 * CPU), and each waiting exchange holds a worker; requests beyond the pool queue on it. The callbacks are served on the
 * event loop by the component's own route on Quarkus' router and run on the component's own pool, so every request
 * resumes with its own callback, and a callback is answered while every worker is held.
 */
@QuarkusTest
@TestProfile(InFlightProfile.class)
@WithTestResource(FakeServiceResource.class)
class LogicWebhookQuarkusInFlightTest {

    private static final int IN_FLIGHT = 1_000;
    private static final String PREFIX = "callback-for-";

    /** Set by {@link FakeServiceResource}. */
    FakeService service;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "quarkus.thread-pool.max-threads")
    Optional<Integer> maxThreads;
    @Inject
    ProducerTemplate template;

    /** HTTP/1.1: one connection per request in flight (HTTP/2 would meet the server's concurrent-stream limit). */
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    /** The answers the service's callbacks got (or will get). */
    private final List<CompletableFuture<HttpResponse<String>>> callbacks = new CopyOnWriteArrayList<>();
    private final AtomicInteger relayIds = new AtomicInteger();

    @BeforeEach
    void answerAndCallBack() {
        // the remote service as a real one behaves: it answers each subscribe, and calls the callback URL it was given
        // back from another thread (the client's), with "callback-for-" and the request the subscribe carried
        service.on("POST /relay", subscribe -> {
            JsonNode body;
            try {
                body = JSON.readTree(subscribe.body());
            } catch (IOException e) {
                return FakeService.Answer.of(400, "{}");
            }
            callbacks.add(client.sendAsync(HttpRequest.newBuilder(URI.create(body.path("callbackUrl").asText()))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(PREFIX + body.path("request").asText())).build(),
                    HttpResponse.BodyHandlers.ofString()));
            return FakeService.Answer.of(201, "{\"id\":\"relay-" + relayIds.incrementAndGet() + "\"}");
        });
    }

    @Test
    void aThousandRequestsWaitingBehindPlatformHttpEachResumeWithTheirOwnCallback() throws Exception {
        int deletesBefore = service.requests("DELETE", "/relay/").size();
        PlatformHttpArrivals.STARTS_PEAK.set(0);
        long start = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/start"))
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString("request-" + i)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        for (int i = 0; i < IN_FLIGHT; i++) {
            HttpResponse<String> answer = answers.get(i).get();
            assertEquals(200, answer.statusCode(), "request " + i + ": " + answer.body());
            assertEquals(PREFIX + "request-" + i, answer.body(), "request " + i);
        }
        assertEquals(IN_FLIGHT, callbacks.size());
        for (CompletableFuture<HttpResponse<String>> callback : callbacks) {
            assertEquals(200, callback.get(10, TimeUnit.SECONDS).statusCode());
        }
        // every wait ended with its callback: each subscription is deleted
        await().atMost(30, TimeUnit.SECONDS)
                .until(() -> service.requests("DELETE", "/relay/").size() - deletesBefore == IN_FLIGHT);
        int peak = PlatformHttpArrivals.STARTS_PEAK.get();
        System.out.printf("%d requests waiting behind platform-http on Quarkus (%d workers, up to %d requests in the "
                          + "server at once), each resumed by its callback, in %d ms%n",
                IN_FLIGHT, workers(), peak, tookMillis);
        // more requests at once than the pool has workers: the rest queued on the pool, behind waiting exchanges
        assertTrue(peak > workers(), "at most " + peak + " requests in the server at once");
        assertTrue(tookMillis < 120_000, tookMillis + " ms");
    }

    @Test
    void callbacksAreAnsweredWhileEveryWorkerIsHeldAndMoreRequestsQueue() throws Exception {
        int workers = workers();
        int queued = 20;
        HELD.set(0);
        PlatformHttpArrivals.HOLDS_ARRIVED.set(0);
        HOLDING_THREADS.clear();
        InFlightRoutes.release = new CountDownLatch(1);
        // a first callback while the pool is free: the time measured below is not the callback path's first use (its
        // classes loaded, the connection opened)
        String trigger = callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
        long first = System.nanoTime();
        assertEquals(202, service.post(trigger, "{\"event\":\"before\"}").statusCode());
        System.out.printf("a trigger's first callback answered in %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first));
        assertNotNull(TRIGGERED.poll(10, TimeUnit.SECONDS), "the trigger's route got no exchange");

        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        try {
            for (int i = 0; i < workers + queued; i++) {
                holding.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hold"))
                        .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofString("hold-" + i)).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // every request reached the router; the pool runs as many as it has workers, the rest wait in its queue
            await().atMost(60, TimeUnit.SECONDS)
                    .until(() -> PlatformHttpArrivals.HOLDS_ARRIVED.get() == workers + queued && HELD.get() >= workers);
            assertEquals(workers, HELD.get(), "as many requests in the route as the pool has workers");
            assertTrue(HOLDING_THREADS.stream().allMatch(name -> name.startsWith("executor-thread-")),
                    "platform-http runs on Quarkus' worker pool: " + HOLDING_THREADS);

            // a trigger's callback is answered at once
            long started = System.nanoTime();
            HttpResponse<String> answer = service.post(trigger, "{\"event\":\"while held\"}");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(202, answer.statusCode());
            assertTrue(millis < 1_000, "answered in " + millis + " ms while every worker is held");
            System.out.printf("a trigger's callback answered %d in %d ms while %d workers were held and %d requests "
                              + "queued%n", answer.statusCode(), millis, workers, queued);
            Exchange received = TRIGGERED.poll(10, TimeUnit.SECONDS);
            assertNotNull(received, "the trigger's route got no exchange");
            assertEquals("{\"event\":\"while held\"}", received.getMessage().getBody(String.class));

            // an action's callback resumes its exchange
            int jobsBefore = service.requests("POST", "/jobs").size();
            Future<Exchange> pending = template.asyncSend("direct:approve", e -> e.getMessage().setBody("held-order"));
            String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/jobs", jobsBefore + 1).get(jobsBefore));
            assertEquals(200, service.post(callbackUrl, "{\"approved\":\"while held\"}").statusCode());
            Exchange done = pending.get(10, TimeUnit.SECONDS);
            assertNull(done.getException());
            assertEquals("{\"approved\":\"while held\"}", done.getMessage().getBody(String.class));

            assertEquals(workers, HELD.get(), "the workers stayed held, and the queued requests queued");
            assertTrue(holding.stream().noneMatch(CompletableFuture::isDone));
        } finally {
            InFlightRoutes.release.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> held : holding) {
            HttpResponse<String> answer = held.get(60, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode());
            assertEquals("released", answer.body());
        }
        assertEquals(workers + queued, HELD.get());
    }

    /** Quarkus' worker pool, as Quarkus sizes it: {@code quarkus.thread-pool.max-threads}, or its default. */
    private int workers() {
        return maxThreads.orElseGet(ExecutorRecorder::calculateMaxThreads);
    }
}
