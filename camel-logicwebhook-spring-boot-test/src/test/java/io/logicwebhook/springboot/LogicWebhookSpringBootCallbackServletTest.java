package io.logicwebhook.springboot;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.callback.CallbackServer;
import org.apache.camel.component.logicwebhook.springboot.LogicWebhookCallbackServlet;
import org.apache.camel.component.platform.http.HttpEndpointModel;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.callbackUrlOf;
import static io.logicwebhook.springboot.LogicWebhookTestApplication.HELD;
import static io.logicwebhook.springboot.LogicWebhookTestApplication.TRIGGERED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The starter's own servlet serves the callback path, over real loopback HTTP: not through platform-http (whose
 * exchanges hold Spring's task executor threads), with non-blocking body reads (a stalled sender holds no container
 * thread), the body limit, early answers that leave the body to the container, 503 while Camel is not started, and a
 * trigger's handshake while it subscribes (as Camel starts).
 * Tomcat runs with 10 threads here, so that a servlet holding threads would show.
 */
@SpringBootTest(classes = { LogicWebhookTestApplication.class, LogicWebhookSpringBootCallbackServletTest.GraphTrigger.class },
                webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        "camel.component.logicwebhook.maxBodySize=65536",
                        "camel.component.logicwebhook.callbackBodyTimeout=5s",
                        "server.tomcat.threads.max=10" })
@ContextConfiguration(initializers = LogicWebhookSpringBootCallbackServletTest.GraphService.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogicWebhookSpringBootCallbackServletTest {

    /**
     * Microsoft Graph's way: it validates the notification URL while the subscribe request waits for its answer, and
     * refuses the subscription unless the URL echoes its token.
     */
    static class GraphService extends FakeServiceInitializer {

        static final List<String> VALIDATIONS = new CopyOnWriteArrayList<>();

        @Override
        void answer(FakeService service) {
            super.answer(service);
            service.on("POST /graph-subscriptions", subscribe -> {
                try {
                    HttpResponse<String> validation = service.post(callbackUrlOf(subscribe) + "&validationToken=token-1",
                            null, "Content-Type", "text/plain");
                    VALIDATIONS.add(validation.statusCode() + " " + validation.body());
                    if (validation.statusCode() == 200 && "token-1".equals(validation.body())) {
                        return FakeService.Answer.of(201, "{\"id\":\"graph-1\"}");
                    }
                } catch (Exception e) {
                    VALIDATIONS.add(e.toString());
                }
                return FakeService.Answer.of(400, "{\"error\":\"validation failed\"}");
            });
        }
    }

    /** A trigger with Graph's handshake. Not a {@code @Configuration}: the application's component scan must not find it. */
    static class GraphTrigger {

        @Bean
        RouteBuilder graphTrigger() {
            return new RouteBuilder() {
                @Override
                public void configure() {
                    from("logicwebhook:graph?subscribeUri={{fake.url}}/graph-subscriptions&handshake=graph")
                            .routeId("graph-trigger")
                            .to("log:graph");
                }
            };
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    CamelContext camelContext;
    @Autowired
    ProducerTemplate template;
    @Autowired
    FakeService service;

    /** The trigger's callback URL. */
    private String triggerUrl() throws Exception {
        return callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
    }

    /** The trigger's callback URL as a request target. */
    private String triggerTarget() throws Exception {
        return triggerUrl().substring(("http://localhost:" + port).length());
    }

    /** A callback the trigger takes: 202, and its route got it. */
    private void assertTriggerTakesACallback(String body) throws Exception {
        assertEquals(202, service.post(triggerUrl(), body).statusCode());
        Exchange received = TRIGGERED.poll(10, TimeUnit.SECONDS);
        assertNotNull(received, "the trigger's route got no exchange");
        assertEquals(body, received.getMessage().getBody(String.class));
    }

    @Test
    @Order(1)
    void theStartersServletServesTheCallbackPathNotPlatformHttp() throws Exception {
        // Camel's registry sees the servlet (a Spring bean): the dispatcher started no platform-http consumer
        List<CallbackServer> servers = List.copyOf(camelContext.getRegistry().findByType(CallbackServer.class));
        assertEquals(1, servers.size(), servers.toString());
        assertInstanceOf(LogicWebhookCallbackServlet.class, servers.get(0));
        PlatformHttpComponent platformHttp = camelContext.getComponent("platform-http", PlatformHttpComponent.class);
        Set<String> served = platformHttp.getHttpEndpoints().stream().map(HttpEndpointModel::getUri)
                .collect(Collectors.toSet());
        assertTrue(served.contains("/start"), served.toString());
        assertTrue(served.stream().noneMatch(uri -> uri.startsWith("/logicwebhook")), served.toString());

        assertTriggerTakesACallback("{\"event\":1}");
    }

    @Test
    @Order(2)
    void aTriggersHandshakeWhileItSubscribesAsCamelStartsIsAnswered() {
        // Tomcat was listening, Camel starting: the component had started, and its servlet answered
        assertEquals(List.of("200 token-1"), GraphService.VALIDATIONS);
        assertTrue(camelContext.getRouteController().getRouteStatus("graph-trigger").isStarted());
    }

    @Test
    @Order(3)
    void aCallbackIsAnsweredWhileEveryTaskExecutorThreadIsHeld() throws Exception {
        LogicWebhookTestApplication.RELEASE = new CountDownLatch(1);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<CompletableFuture<HttpResponse<String>>> holding = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) {
                holding.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/hold"))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            // Spring's task executor has 8 threads: 8 exchanges hold them, the other 2 wait in its queue
            await().atMost(10, TimeUnit.SECONDS).until(() -> HELD.get() == 8);

            Future<Exchange> pending = template.asyncSend("direct:approve", e -> e.getMessage().setBody("held-order"));
            String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/jobs", 1).get(0));
            HttpResponse<String> answer = service.post(callbackUrl, "{\"approved\":\"while held\"}");
            assertEquals(200, answer.statusCode());
            Exchange done = pending.get(10, TimeUnit.SECONDS);
            assertNull(done.getException());
            assertEquals("{\"approved\":\"while held\"}", done.getMessage().getBody(String.class));

            assertTriggerTakesACallback("{\"event\":\"while held\"}");
            assertEquals(8, HELD.get(), "the task executor's threads stayed held");
            assertTrue(holding.stream().noneMatch(CompletableFuture::isDone));
        } finally {
            LogicWebhookTestApplication.RELEASE.countDown();
        }
        for (CompletableFuture<HttpResponse<String>> held : holding) {
            assertEquals("released", held.get(10, TimeUnit.SECONDS).body());
        }
    }

    @Test
    @Order(4)
    void aBodyOverMaxBodySizeIsRefused413AndItsConnectionClosed() throws Exception {
        String target = triggerTarget();
        byte[] body = new byte[100_000];
        // declared: refused before a byte of it is read
        try (RawHttp http = new RawHttp(port, 10_000)) {
            http.send("POST", target, "Content-Length: " + body.length + "\r\n", body);
            RawHttp.Response answer = http.read();
            assertEquals(413, answer.status());
            assertEquals("close", answer.header("Connection"));
            assertTrue(http.closedByServer());
        }
        // not declared (chunked): refused once what was read passes the limit
        try (RawHttp http = new RawHttp(port, 10_000)) {
            http.send("POST", target, "Transfer-Encoding: chunked\r\n", chunked(body, 8192));
            RawHttp.Response answer = http.read();
            assertEquals(413, answer.status());
            assertEquals("body too large", answer.body());
            assertEquals("close", answer.header("Connection"));
            assertTrue(http.closedByServer());
        }
        assertNull(TRIGGERED.poll(200, TimeUnit.MILLISECONDS));
        // a chunked body within the limit is read whole
        try (RawHttp http = new RawHttp(port, 10_000)) {
            byte[] json = ("{\"padding\":\"" + "x".repeat(60_000) + "\"}").getBytes(StandardCharsets.UTF_8);
            http.send("POST", target, "Transfer-Encoding: chunked\r\n", chunked(json, 1000));
            assertEquals(202, http.read().status());
        }
        assertEquals(60_014, TRIGGERED.poll(10, TimeUnit.SECONDS).getMessage().getBody(String.class).length());
    }

    @Test
    @Order(5)
    void anEarlyAnswerLeavesTheBodyToTheContainerAndKeepsTheConnectionUnlessItIsLarge() throws Exception {
        String target = triggerTarget();
        String forged = target.substring(0, target.indexOf("?sig=")) + "?sig=forged";
        // a refused body up to 1 MiB is dropped by the container, and the connection serves the next request
        try (RawHttp http = new RawHttp(port, 10_000)) {
            byte[] body = new byte[200_000];
            http.send("POST", forged, "Content-Length: " + body.length + "\r\n", body);
            RawHttp.Response refused = http.read();
            assertEquals(401, refused.status());
            assertNull(refused.header("Connection"));
            http.send("POST", target, "Content-Length: 2\r\n", "{}".getBytes(StandardCharsets.UTF_8));
            assertEquals(202, http.read().status());
        }
        assertNotNull(TRIGGERED.poll(10, TimeUnit.SECONDS));
        // a longer one is dropped too (Tomcat swallows up to 2 MB), so the sender reads the answer; then it closes
        try (RawHttp http = new RawHttp(port, 10_000)) {
            byte[] body = new byte[1_500_000];
            http.send("POST", forged, "Content-Length: " + body.length + "\r\n", body);
            RawHttp.Response refused = http.read();
            assertEquals(401, refused.status());
            assertEquals("close", refused.header("Connection"));
            assertTrue(http.closedByServer());
        }
    }

    @Test
    @Order(6)
    void aStalledSenderIsAnswered408AndHoldsNoThread() throws Exception {
        String target = triggerTarget();
        List<RawHttp> stalled = new ArrayList<>();
        try {
            // twice as many stalled senders as Tomcat has threads here
            long start = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                RawHttp http = new RawHttp(port, 20_000);
                stalled.add(http);
                http.send("POST", target, "Content-Length: 100\r\n", "{\"partial\":".getBytes(StandardCharsets.UTF_8));
            }
            // a callback is still answered at once: no thread waits for the stalled bodies
            long before = System.nanoTime();
            assertTriggerTakesACallback("{\"event\":\"while stalled\"}");
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
            assertTrue(tookMillis < 2_500, "a callback among stalled senders took " + tookMillis + " ms");

            for (RawHttp http : stalled) {
                RawHttp.Response answer = http.read();
                assertEquals(408, answer.status());
                assertEquals("close", answer.header("Connection"));
                assertTrue(http.closedByServer());
            }
            long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(waitedMillis >= 4_500, "answered 408 before callbackBodyTimeout (5 s): " + waitedMillis + " ms");
        } finally {
            for (RawHttp http : stalled) {
                http.close();
            }
        }
        assertNull(TRIGGERED.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    @Order(7)
    @DirtiesContext
    void whileCamelIsNotStartedCallbacksAreAnswered503WithRetryAfter() throws Exception {
        String url = triggerUrl();
        camelContext.stop();
        HttpResponse<String> answer = service.post(url, "{}");
        assertEquals(503, answer.statusCode());
        assertEquals("5", answer.headers().firstValue("Retry-After").orElse(null));
        assertFalse(camelContext.isStarted());
    }

    /** A body in HTTP/1.1 chunked encoding, in chunks of {@code size}. */
    private static byte[] chunked(byte[] body, int size) {
        StringBuilder out = new StringBuilder();
        for (int at = 0; at < body.length; at += size) {
            int length = Math.min(size, body.length - at);
            out.append(Integer.toHexString(length)).append("\r\n")
                    .append(new String(body, at, length, StandardCharsets.ISO_8859_1)).append("\r\n");
        }
        return out.append("0\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
