package org.apache.camel.component.logicwebhook;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.engine.DefaultProducerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ten thousand exchanges waiting at once cost memory, not threads, and each resumes with its own callback.
 */
class LogicWebhookManyWaitsTest extends LogicWebhookTestSupport {

    private static final int WAITS = 10_000;
    private static final int WARM = 1_000;

    private DefaultProducerTemplate sender;
    private final Map<String, String> callbackByOrder = new ConcurrentHashMap<>();

    @Override
    protected void doPreSetup() throws Exception {
        service.on("POST /jobs", r -> {
            try {
                callbackByOrder.put(json(r.body()).path("order").asText(), json(r.body()).path("callback").asText());
            } catch (Exception e) {
                return FakeService.Answer.of(400, e.getMessage());
            }
            return FakeService.Answer.of(201, "{}");
        });
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:start")
                        .to("logicwebhook:bulk?subscribeUri=" + service.url() + "/jobs&timeout=10m"
                            + "&subscribeBody=RAW({\"order\":\"${body}\",\"callback\":\"${variable.callbackUrl}\"})");
            }
        };
    }

    private static int liveThreads() {
        return ManagementFactory.getThreadMXBean().getThreadCount();
    }

    @Test
    void tenThousandWaitsHoldNoThreadsAndEachResumesWithItsOwnCallback() throws Exception {
        // senders of a fixed size (the default template's pool grows when its queue fills), and the first thousand waits
        // bring every other pool on the way to its size
        sender = new DefaultProducerTemplate(context, Executors.newFixedThreadPool(8));
        sender.start();
        List<Future<Exchange>> pending = new ArrayList<>(WAITS);
        for (int i = 0; i < WARM; i++) {
            pending.add(send(i));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> component().getWaitRegistry().size() == WARM);
        int threadsAtWarm = liveThreads();

        for (int i = WARM; i < WAITS; i++) {
            pending.add(send(i));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> component().getWaitRegistry().size() == WAITS);
        int threadsAtAll = liveThreads();
        assertTrue(threadsAtAll <= threadsAtWarm + 2,
                "threads grew with the waits: " + threadsAtWarm + " at " + WARM + " waits, " + threadsAtAll + " at " + WAITS);

        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        Semaphore inFlight = new Semaphore(32);
        List<CompletableFuture<HttpResponse<Void>>> answers = new ArrayList<>(WAITS);
        for (int i = 0; i < WAITS; i++) {
            inFlight.acquire();
            HttpRequest request = HttpRequest.newBuilder(URI.create(callbackByOrder.get("o" + i)))
                    .POST(HttpRequest.BodyPublishers.ofString("done-o" + i)).build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<Void>> answer : answers) {
            assertEquals(200, answer.get(60, TimeUnit.SECONDS).statusCode());
        }
        for (int i = 0; i < WAITS; i++) {
            Exchange done = pending.get(i).get(60, TimeUnit.SECONDS);
            assertNull(done.getException());
            assertEquals("done-o" + i, done.getMessage().getBody(String.class));
        }
        assertEquals(0, component().getWaitRegistry().size());
    }

    @AfterEach
    void stopSender() {
        if (sender != null) {
            sender.stop();
        }
    }

    private Future<Exchange> send(int i) {
        return sender.asyncSend("direct:start", e -> e.getMessage().setBody("o" + i));
    }
}
