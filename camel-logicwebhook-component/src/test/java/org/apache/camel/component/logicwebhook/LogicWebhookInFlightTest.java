package org.apache.camel.component.logicwebhook;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shape of use that locked up: a Camel Main application whose platform-http route calls the action, so each of its
 * requests holds one of Vert.x's 20 workers while it waits. The callbacks must be answered anyway, on default settings.
 */
class LogicWebhookInFlightTest {

    private static final int IN_FLIGHT = 1_000;

    private int port;
    private final ExecutorService callers = Executors.newFixedThreadPool(16);
    private FakeService service;
    private Main main;

    @BeforeEach
    void start() throws Exception {
        service = new FakeService();
        port = AvailablePortFinder.getNextAvailable();
        // the service answers the subscribe, then calls back on its own, as a job service does when its job is done
        service.on("POST /jobs", r -> {
            String order = r.body().replaceAll(".*\"order\":\"([^\"]*)\".*", "$1");
            String callback = r.body().replaceAll(".*\"callback\":\"([^\"]*)\".*", "$1");
            callers.execute(() -> {
                try {
                    service.post(callback, "done " + order);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            return FakeService.Answer.of(201, "{}");
        });
        main = new Main();
        main.addInitialProperty("camel.server.enabled", "true");
        main.addInitialProperty("camel.server.port", String.valueOf(port));
        main.addInitialProperty("camel.component.logicwebhook.signingKey", LogicWebhookTestSupport.SIGNING_KEY);
        main.addInitialProperty("camel.component.logicwebhook.callbackBodyTimeout", "2s");
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("platform-http:/start")
                        .convertBodyTo(String.class)
                        .to("logicwebhook:job?subscribeUri=" + service.url() + "/jobs"
                            + "&subscribeBody=RAW({\"order\":\"${body}\",\"callback\":\"${variable.callbackUrl}\"})"
                            + "&timeout=PT2M")
                        .convertBodyTo(String.class);
                from("logicwebhook:events?subscribeUri=" + service.url() + "/subscriptions").to("mock:events");
            }
        });
        main.start();
    }

    @AfterEach
    void stop() {
        main.stop();
        callers.shutdownNow();
        service.close();
    }

    @Test
    void aThousandRequestsWaitingBehindPlatformHttpAllResumeWithTheirOwnCallback() throws Exception {
        // HTTP/1.1: one connection per request in flight, as browsers and most clients of such an API behave
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/start"))
                    .timeout(Duration.ofSeconds(90)).POST(HttpRequest.BodyPublishers.ofString("order-" + i)).build();
            answers.add(client.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < IN_FLIGHT; i++) {
            HttpResponse<String> answer = answers.get(i).get(90, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals("done order-" + i, answer.body());
        }
        assertEquals(IN_FLIGHT, service.requests("POST", "/jobs").size());
    }

    @Test
    void aCallbackIsAnsweredWhileFiftySendersStallMidBodyAndTheyGet408() throws Exception {
        String trigger = awaitTriggerUrl();
        URI uri = URI.create(trigger);
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                out.write(("POST " + uri.getRawPath() + "?" + uri.getRawQuery() + " HTTP/1.1\r\nHost: x\r\n"
                           + "Content-Length: 100\r\n\r\n{\"half\":").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                stalled.add(socket);
            }
            long started = System.nanoTime();
            HttpResponse<String> answer = service.post(trigger, "{\"event\":1}");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertEquals(202, answer.statusCode());
            assertTrue(millis < 1_000, "answered in " + millis + " ms while 50 senders stall");
            for (Socket socket : stalled) {
                assertEquals("HTTP/1.1 408 Request Timeout", statusLine(socket.getInputStream()));
            }
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    private String awaitTriggerUrl() throws Exception {
        await().until(() -> !service.requests("POST", "/subscriptions").isEmpty());
        return LogicWebhookTestSupport.json(service.requests("POST", "/subscriptions").get(0).body())
                .path("callbackUrl").asText();
    }

    private static String statusLine(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }
}
