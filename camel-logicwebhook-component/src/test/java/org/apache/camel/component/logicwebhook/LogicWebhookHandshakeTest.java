package org.apache.camel.component.logicwebhook;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.callback.SubscriptionHandshake;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.apache.camel.component.logicwebhook.FakeWebSubHub.encode;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogicWebhookHandshakeTest extends LogicWebhookTestSupport {

    private static final String TOPIC = "https://example.com/feed?lang=en";
    private static final String GRAPH_TOKEN = "Validation: Testing client application reachability for subscription"
                                              + " Request-Id: 0a1b2c3d-4e5f & more";

    private final TestClock clock = new TestClock();
    private final FakeWebSubHub hub = new FakeWebSubHub(service, "/hub", 864_000);

    @Override
    void configureComponent(LogicWebhookComponent component) {
        component.setClock(clock);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        String subscriptions = "subscribeUri=" + service.url() + "/subscriptions";
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:websub?" + subscriptions + "&handshake=websub&websubTopic=RAW(" + TOPIC + ")")
                        .routeId("websub").to("mock:websub");
                from("logicwebhook:graph?" + subscriptions + "&handshake=graph").to("mock:graph");
                from("logicwebhook:ce?" + subscriptions + "&handshake=cloudevents&callbackMethods=POST,PUT"
                     + "&webhookAllowedOrigins=eventgrid.azure.net, events.example.com&webhookAllowedRate=120")
                        .to("mock:ce");
                from("logicwebhook:plain?" + subscriptions).to("mock:plain");

                from("logicwebhook:hubbed?subscribeUri=" + hub.url()
                     + "&subscribeHeader.Content-Type=application/x-www-form-urlencoded"
                     + "&subscribeBody=RAW(hub.mode=subscribe&hub.topic=" + encode(TOPIC)
                     + "&hub.callback=${variable.callbackUrlEncoded})"
                     + "&unsubscribeMethod=POST&unsubscribeUri=" + hub.url()
                     + "&unsubscribeHeader.Content-Type=application/x-www-form-urlencoded"
                     + "&unsubscribeBody=RAW(hub.mode=unsubscribe&hub.topic=" + encode(TOPIC)
                     + "&hub.callback=${variable.callbackUrlEncoded})"
                     + "&handshake=websub&websubTopic=RAW(" + TOPIC + ")")
                        .routeId("hubbed").autoStartup(false).to("mock:hubbed");

                from("direct:graphWait")
                        .to("logicwebhook:graphWait?subscribeUri=" + service.url() + "/jobs&handshake=graph")
                        .to("mock:graphWaitDone");
                from("direct:websubWait")
                        .to("logicwebhook:websubWait?subscribeUri=" + service.url() + "/jobs&handshake=websub"
                            + "&websubTopic=RAW(" + TOPIC + ")")
                        .to("mock:websubWaitDone");
            }
        };
    }

    @AfterEach
    void closeHub() {
        hub.close();
    }

    private static String websub(String url, String mode, String topic, String challenge) {
        return url + "&hub.mode=" + mode + "&hub.topic=" + encode(topic) + "&hub.challenge=" + encode(challenge);
    }

    /** A handshake must not start an exchange: the route's mock expects none. */
    private MockEndpoint expectNoExchange(String uri) {
        MockEndpoint mock = getMockEndpoint(uri);
        mock.expectedMessageCount(0);
        return mock;
    }

    private static void assertEchoed(String expected, HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(expected, response.body());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    }

    private String waitCallbackUrl(String name) throws Exception {
        FakeService.Recorded subscribe = awaitRequests("POST", "/jobs", 1).stream()
                .filter(r -> r.header("x-ms-workflow-operation-name").equals(name)).findFirst().orElseThrow();
        return json(subscribe.body()).path("callbackUrl").asText();
    }

    @Test
    void webSubSubscribeVerificationEchoesTheChallengeAndGrantsTheLease() throws Exception {
        MockEndpoint mock = expectNoExchange("mock:websub");
        String url = callbackUrlOf("websub");

        HttpResponse<String> answer = service.send("GET", websub(url, "subscribe", TOPIC, "chall enge/+=") + "&hub.lease_seconds=3600", null);

        assertEchoed("chall enge/+=", answer);
        LogicWebhookConsumer trigger = trigger("websub");
        assertEquals(clock.millis() + 3_600_000, trigger.getLeaseExpiresAt());
        mock.assertIsSatisfied();
    }

    @Test
    void webSubVerificationsThatDoNotMatchAreAnswered404() throws Exception {
        MockEndpoint mock = expectNoExchange("mock:websub");
        String url = callbackUrlOf("websub");
        String unknown = "http://127.0.0.1:" + port + "/logicwebhook/nope?sig=" + component().getSigner().sign("nope", null);

        assertEquals(404, service.send("GET", websub(url, "subscribe", TOPIC + "x", "c"), null).statusCode(), "wrong topic");
        assertEquals(404, service.send("GET", websub(url, "subscribed", TOPIC, "c"), null).statusCode(), "unknown mode");
        assertEquals(404, service.send("GET", url + "&hub.mode=subscribe&hub.topic=" + encode(TOPIC), null).statusCode(),
                "no challenge");
        assertEquals(404, service.send("GET", websub(unknown, "subscribe", TOPIC, "c"), null).statusCode(), "no trigger");
        assertEquals(404, service.send("GET", websub(url, "unsubscribe", TOPIC, "c"), null).statusCode(),
                "a subscribed trigger that did not ask to unsubscribe");
        assertEquals(401, service.send("GET", websub(url.replace("sig=", "sig=x"), "subscribe", TOPIC, "c"), null)
                .statusCode(), "the signature is checked first");
        assertEquals(LogicWebhookConsumer.SubscriptionState.SUBSCRIBED,
                trigger("websub").getSubscriptionState());
        mock.assertIsSatisfied();
    }

    @Test
    void webSubDenialIsSurfacedOnTheTrigger() throws Exception {
        String url = callbackUrlOf("websub");

        HttpResponse<String> answer = service.send("GET",
                url + "&hub.mode=denied&hub.topic=" + encode(TOPIC) + "&hub.reason=" + encode("quota exceeded"), null);

        assertEquals(200, answer.statusCode());
        LogicWebhookConsumer trigger = trigger("websub");
        assertEquals(LogicWebhookConsumer.SubscriptionState.DENIED, trigger.getSubscriptionState());
        assertTrue(trigger.getLastError().contains("quota exceeded"), trigger.getLastError());
        // a denied trigger confirms no subscription any more
        assertEquals(404, service.send("GET", websub(url, "subscribe", TOPIC, "c"), null).statusCode());
    }

    @Test
    void aHubVerifiesTheSubscribeAndAfterTheRouteStopsTheUnsubscribe() throws Exception {
        context.getRouteController().startRoute("hubbed");
        FakeService.Recorded subscribe = awaitRequests("POST", "/hub", 1).get(0);
        assertTrue(subscribe.body().startsWith("hub.mode=subscribe&hub.topic=" + encode(TOPIC) + "&hub.callback=http"),
                subscribe.body());
        await().until(() -> hub.verifications().size() == 1);
        FakeWebSubHub.Verification verified = hub.verifications().get(0);
        assertEquals(200, verified.status(), verified.body());
        assertEquals(verified.challenge(), verified.body());
        LogicWebhookConsumer trigger = trigger("hubbed");
        assertEquals(clock.millis() + 864_000_000L, trigger.getLeaseExpiresAt());

        context.getRouteController().stopRoute("hubbed");
        assertTrue(awaitRequests("POST", "/hub", 2).get(1).body().startsWith("hub.mode=unsubscribe&"));
        await().until(() -> hub.verifications().size() == 2);
        FakeWebSubHub.Verification unsubscribe = hub.verifications().get(1);
        assertEquals("unsubscribe", unsubscribe.mode());
        assertEquals(200, unsubscribe.status(), unsubscribe.body());
        assertEquals(unsubscribe.challenge(), unsubscribe.body());

        // the stopped trigger confirms no subscribe (503: it does not run here; in a cluster the hub's retry may reach
        // the node that runs it), and its unsubscribe only for a while
        String url = callbackUrlOf(subscribe);
        assertEquals(503, service.send("GET", websub(url, "subscribe", TOPIC, "c"), null).statusCode());
        assertEquals(404, service.send("GET", websub(url, "unsubscribe", TOPIC + "x", "c"), null).statusCode());
        clock.advance(SubscriptionHandshake.UNSUBSCRIBE_MEMORY_MILLIS);
        assertEquals(404, service.send("GET", websub(url, "unsubscribe", TOPIC, "c"), null).statusCode());
    }

    private static String callbackUrlOf(FakeService.Recorded formSubscribe) {
        String encoded = formSubscribe.body().substring(formSubscribe.body().indexOf("hub.callback=") + 13);
        return java.net.URLDecoder.decode(encoded, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aWaitConfirmsItsWebSubSubscriptionAndFailsWhenDenied() throws Exception {
        Future<Exchange> result = template.asyncSend("direct:websubWait", e -> e.getMessage().setBody("order"));
        String url = waitCallbackUrl("websubWait");

        assertEchoed("c1", service.send("GET", websub(url, "subscribe", TOPIC, "c1"), null));
        assertEquals(1, component().getWaitRegistry().size(), "the wait goes on");
        assertEquals(200, service.send("GET",
                url + "&hub.mode=denied&hub.topic=" + encode(TOPIC) + "&hub.reason=" + encode("no such topic"), null)
                .statusCode());

        Exception failure = result.get(10, TimeUnit.SECONDS).getException();
        assertInstanceOf(LogicWebhookSubscriptionException.class, failure);
        assertTrue(failure.getMessage().contains("no such topic"), failure.getMessage());
        assertEquals(0, getMockEndpoint("mock:websubWaitDone").getReceivedCounter());
        // the ended wait confirms nothing more
        assertEquals(409, service.send("GET", websub(url, "subscribe", TOPIC, "c2"), null).statusCode());
    }

    @Test
    void graphValidationEchoesTheTokenWithoutStartingAnExchange() throws Exception {
        MockEndpoint mock = expectNoExchange("mock:graph");
        String url = callbackUrlOf("graph");

        HttpResponse<String> answer = service.post(url + "&validationToken=" + encode(GRAPH_TOKEN), null,
                "Content-Type", "text/plain; charset=utf-8");

        assertEchoed(GRAPH_TOKEN, answer);
        assertEquals("nosniff", answer.headers().firstValue("X-Content-Type-Options").orElse(null));
        mock.assertIsSatisfied();
        // an ordinary notification still starts one
        mock.reset();
        mock.expectedBodiesReceived("{\"value\":[]}");
        assertEquals(202, service.post(url, "{\"value\":[]}", "Content-Type", "application/json").statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void graphValidationOfAWaitDoesNotResumeIt() throws Exception {
        MockEndpoint done = getMockEndpoint("mock:graphWaitDone");
        done.expectedBodiesReceived("the result");
        template.asyncSendBody("direct:graphWait", "order");
        String url = waitCallbackUrl("graphWait");

        assertEchoed(GRAPH_TOKEN, service.post(url + "&validationToken=" + encode(GRAPH_TOKEN), null,
                "Content-Type", "text/plain"));

        assertEquals(1, component().getWaitRegistry().size(), "the wait goes on");
        assertEquals(0, done.getReceivedCounter());
        assertEquals(200, service.post(url, "the result").statusCode());
        done.assertIsSatisfied();
    }

    @Test
    void cloudEventsValidationGrantsAnAllowedOrigin() throws Exception {
        MockEndpoint mock = expectNoExchange("mock:ce");
        String url = callbackUrlOf("ce");

        HttpResponse<String> answer = service.send("OPTIONS", url, null, "WebHook-Request-Origin", "EventGrid.Azure.net",
                "WebHook-Request-Rate", "300", "WebHook-Request-Callback", service.url() + "/never-called");

        assertEquals(200, answer.statusCode(), answer.body());
        assertEquals("EventGrid.Azure.net", answer.headers().firstValue("WebHook-Allowed-Origin").orElse(null));
        assertEquals("120", answer.headers().firstValue("WebHook-Allowed-Rate").orElse(null));
        assertEquals("POST, PUT", answer.headers().firstValue("Allow").orElse(null));
        assertTrue(service.requests("GET", "/never-called").isEmpty());
        assertEquals(200, service.send("OPTIONS", url, null, "WebHook-Request-Origin", "events.example.com").statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void cloudEventsValidationRefusesAnotherOrigin() throws Exception {
        HttpResponse<String> answer = service.send("OPTIONS", callbackUrlOf("ce"), null,
                "WebHook-Request-Origin", "evil.example.org");

        assertEquals(403, answer.statusCode());
        assertFalse(answer.headers().firstValue("WebHook-Allowed-Origin").isPresent());
        assertFalse(answer.headers().firstValue("WebHook-Allowed-Rate").isPresent());
    }

    @Test
    void withoutAHandshakeOptionTheRequestsAreCallbacksAsBefore() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:plain");
        mock.expectedMessageCount(1);
        String url = callbackUrlOf("plain");

        HttpResponse<String> options = service.send("OPTIONS", url, null, "WebHook-Request-Origin", "eventgrid.azure.net");
        assertEquals(405, options.statusCode());
        assertEquals("POST", options.headers().firstValue("Allow").orElse(null));
        assertFalse(options.headers().firstValue("WebHook-Allowed-Origin").isPresent());
        assertEquals(405, service.send("GET", websub(url, "subscribe", TOPIC, "c"), null).statusCode());
        HttpResponse<String> graph = service.post(url + "&validationToken=abc", null, "Content-Type", "text/plain");
        assertEquals(202, graph.statusCode());
        assertFalse(graph.body().contains("abc"));
        mock.assertIsSatisfied();
        // and a handshake of another kind than the endpoint's is a callback too
        assertEquals(405, service.send("OPTIONS", callbackUrlOf("graph"), null, "WebHook-Request-Origin", "x.y").statusCode());
    }

    @Test
    void aWebSubHandshakeWithoutATopicFailsTheRouteStart() {
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:notopic?subscribeUri=" + service.url() + "/subscriptions&handshake=websub")
                        .to("mock:notopic");
            }
        }));
        Throwable cause = e;
        while (cause.getCause() != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        assertTrue(cause.getMessage().contains("websubTopic"), cause.getMessage());
        List<FakeService.Recorded> subscribes = service.requests("POST", "/subscriptions");
        assertFalse(subscribes.stream().anyMatch(r -> "notopic".equals(r.header("x-ms-workflow-operation-name"))));
    }
}
