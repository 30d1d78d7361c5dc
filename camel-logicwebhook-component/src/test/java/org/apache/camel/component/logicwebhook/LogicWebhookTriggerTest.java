package org.apache.camel.component.logicwebhook;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.FailedToStartRouteException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogicWebhookTriggerTest extends LogicWebhookTestSupport {

    @Override
    protected void doPreSetup() throws Exception {
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-42\"}"));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions"
                     + "&subscribeHeader.X-Callback=${variable.callbackUrl}"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]})")
                        .routeId("feed")
                        .to("mock:events");

                from("logicwebhook:inuri?subscribeUri=RAW(" + service.url() + "/hooks?url=${variable.callbackUrlEncoded})"
                     + "&subscribeMethod=PUT")
                        .routeId("inuri").autoStartup(false)
                        .to("mock:inuri");

                from("logicwebhook:failing?subscribeUri=" + service.url() + "/subscriptions")
                        .routeId("failing")
                        .throwException(new IllegalStateException("route failed on purpose"));
            }
        };
    }

    @Test
    void subscribesOnStartWithTheCallbackUrlInBodyAndHeader() throws Exception {
        FakeService.Recorded subscribe = service.requests("POST", "/subscriptions").stream()
                .filter(r -> r.header("x-ms-workflow-operation-name").equals("feed")).findFirst().orElseThrow();
        String callbackUrl = json(subscribe.body()).path("callbackUrl").asText();
        assertTrue(callbackUrl.startsWith("http://127.0.0.1:" + port + "/logicwebhook/feed?sig="), callbackUrl);
        assertEquals(callbackUrl, subscribe.header("X-Callback"));
        assertTrue(subscribe.header("Content-Type").startsWith("application/json"));
        assertEquals(context.getName() + "/feed", subscribe.header("x-ms-client-tracking-id"));
    }

    @Test
    void placesTheCallbackUrlInTheSubscribeUri() throws Exception {
        context.getRouteController().startRoute("inuri");
        FakeService.Recorded put = awaitRequests("PUT", "/hooks", 1).get(0);
        String url = java.net.URLDecoder.decode(put.query().substring("url=".length()), StandardCharsets.UTF_8);
        assertTrue(url.contains("/logicwebhook/inuri?sig="), url);

        MockEndpoint mock = getMockEndpoint("mock:inuri");
        mock.expectedBodiesReceived("hello");
        assertEquals(202, service.post(url, "hello").statusCode());
        mock.assertIsSatisfied();
    }

    @Test
    void unsubscribesOnStopWithTheIdFromTheSubscribeResponse() throws Exception {
        context.getRouteController().stopRoute("feed");
        FakeService.Recorded delete = awaitRequests("DELETE", "/subscriptions/", 1).get(0);
        assertEquals("/subscriptions/sub-42", delete.path());
        assertEquals("feed", delete.header("x-ms-workflow-operation-name"));
        // once the route stopped the trigger does not run here: 503, so the sender retries (in a cluster another node
        // may run it)
        assertEquals(503, service.post(callbackUrlOf("feed"), "{}").statusCode());
    }

    @Test
    void everyCallbackBecomesAnExchangeWithItsBodyAndHeaders() throws Exception {
        String url = callbackUrlOf("feed");
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(3);
        for (int i = 1; i <= 3; i++) {
            HttpResponse<String> response = service.post(url + "&extra=" + i, "{\"n\":" + i + "}",
                    "Content-Type", "application/json", "X-Event-Id", "e" + i, "CamelFoo", "injected");
            assertEquals(202, response.statusCode());
        }
        mock.assertIsSatisfied();
        List<Exchange> exchanges = mock.getReceivedExchanges();
        for (int i = 1; i <= 3; i++) {
            Exchange exchange = exchanges.get(i - 1);
            assertEquals("{\"n\":" + i + "}", exchange.getMessage().getBody(String.class));
            assertEquals("e" + i, exchange.getMessage().getHeader("X-Event-Id"));
            assertEquals("application/json", exchange.getMessage().getHeader("Content-Type"));
            assertEquals("feed", exchange.getMessage().getHeader(LogicWebhookConstants.ENDPOINT_NAME));
            assertEquals("POST", exchange.getMessage().getHeader(LogicWebhookConstants.HTTP_METHOD));
            assertEquals("extra=" + i, exchange.getMessage().getHeader(LogicWebhookConstants.HTTP_QUERY));
            assertNull(exchange.getMessage().getHeader("sig"), "the signature must not reach the route");
            assertNull(exchange.getMessage().getHeader("CamelFoo"), "Camel headers cannot be injected");
        }
    }

    @Test
    void answersBadRequestsWithoutReachingTheRoute() throws Exception {
        String url = callbackUrlOf("feed");
        String base = "http://127.0.0.1:" + port + "/logicwebhook/";
        MockEndpoint mock = getMockEndpoint("mock:events");
        mock.expectedMessageCount(0);

        assertEquals(401, service.post(base + "feed", "{}").statusCode(), "no signature");
        assertEquals(401, service.post(base + "feed?sig=AAAA", "{}").statusCode(), "wrong signature");
        assertEquals(401, service.post(url.replace("/feed?", "/fees?"), "{}").statusCode(), "signature of another path");
        String unknown = base + "nope?sig=" + component().getSigner().sign("nope", null);
        assertEquals(404, service.post(unknown, "{}").statusCode(), "signed but no such trigger");
        assertEquals(404, service.post(base + "a/b/c/d?sig=x", "{}").statusCode(), "not a callback path");
        HttpResponse<String> get = service.send("GET", url, null);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(null));
        mock.assertIsSatisfied();
    }

    @Test
    void aFailingRouteIsAnswered500WithoutStackTraceSoTheSenderRetries() throws Exception {
        HttpResponse<String> response = service.post(callbackUrlOf("failing"), "{}");
        assertEquals(500, response.statusCode());
        assertFalse(response.body().contains("Exception"), response.body());
        assertFalse(response.body().contains("route failed on purpose"), response.body());
    }

    @Test
    void suspendUnsubscribesAndAnswers503ResumeSubscribesAgain() throws Exception {
        String url = callbackUrlOf("feed");
        context.getRouteController().suspendRoute("feed");
        awaitRequests("DELETE", "/subscriptions/sub-42", 1);
        HttpResponse<String> suspended = service.post(url, "{}");
        assertEquals(503, suspended.statusCode());
        // the sender is told when to try again (a sender that follows Standard Webhooks reads it)
        assertEquals("5", suspended.headers().firstValue("Retry-After").orElse(null));

        int subscribes = service.requests("POST", "/subscriptions").size();
        context.getRouteController().resumeRoute("feed");
        awaitRequests("POST", "/subscriptions", subscribes + 1);
        assertEquals(202, service.post(url, "{}").statusCode());
    }

    @Test
    void aCallbackSentBeforeTheSubscribeAnswerIsDelivered() throws Exception {
        service.on("POST /early", r -> {
            try {
                String callbackUrl = json(r.body()).path("callbackUrl").asText();
                HttpResponse<String> early = service.post(callbackUrl, "early event");
                return FakeService.Answer.of(201, "{\"early\":" + early.statusCode() + "}");
            } catch (Exception e) {
                return FakeService.Answer.of(599, e.toString());
            }
        });
        MockEndpoint mock = getMockEndpoint("mock:early");
        mock.expectedBodiesReceived("early event");
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:early?subscribeUri=" + service.url() + "/early").to("mock:early");
            }
        });
        mock.assertIsSatisfied();
    }

    @Test
    void aFailedSubscribeFailsTheRouteStartWithWhatTheServiceAnswered() throws Exception {
        // services often echo what they refused: the signed callback URL must not reach the message
        service.on("POST /refuse", r -> FakeService.Answer.of(403,
                "{\"error\":\"subscription quota exceeded\",\"for\":\"" + r.body().replace("\"", "'") + "\"}"));
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:refused?subscribeUri=RAW(" + service.url() + "/refuse?code=s3cr3t-query)"
                     + "&authMethod=Basic&authUsername=bob&authPassword=RAW(hunter2-secret)")
                        .routeId("refused").to("mock:refused");
            }
        }));
        LogicWebhookSubscriptionException cause = subscriptionFailure(e);
        String message = cause.getMessage();
        assertTrue(message.contains(service.url() + "/refuse"), message);
        assertTrue(message.contains("403"), message);
        assertTrue(message.contains("subscription quota exceeded"), message);
        assertFalse(message.contains("s3cr3t-query"), message);
        assertFalse(message.contains("hunter2-secret"), message);
        assertFalse(message.contains(component().getSigner().sign("refused", null)), message);
        assertTrue(message.contains("sig=…"), message);
        assertEquals(403, cause.getStatusCode());
        // the failed trigger takes no callback: 503 (the route controller may start it again later)
        String url = "http://127.0.0.1:" + port + "/logicwebhook/refused?sig=" + component().getSigner().sign("refused", null);
        assertEquals(503, service.post(url, "{}").statusCode());
        assertTrue(e instanceof FailedToStartRouteException || e.getCause() != null);
    }

    @Test
    void aRedirectFailsTheRouteStartSayingWhereItPointedAndIsNotFollowed() throws Exception {
        service.on("POST /moved", r -> new FakeService.Answer(302, null,
                Map.of("Location", service.url() + "/new-home?token=s3cr3t-query")));
        Exception e = assertThrows(Exception.class, () -> context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:moved?subscribeUri=" + service.url() + "/moved").routeId("moved").to("mock:moved");
            }
        }));
        LogicWebhookSubscriptionException failure = subscriptionFailure(e);
        assertEquals(302, failure.getStatusCode());
        assertEquals("POST " + service.url() + "/moved answered 302 (redirects are not followed) to " + service.url()
                     + "/new-home?…", failure.getMessage());
        assertEquals(0, service.requests("POST", "/new-home").size(), "the redirect was followed");
        assertEquals(0, service.requests("GET", "/new-home").size(), "the redirect was followed");
    }

    @Test
    void aFailingUnsubscribeIsTriedAgainThenGivenUpWithoutBlockingTheStop() throws Exception {
        service.on("DELETE /stuck/", r -> {
            try {
                Thread.sleep(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeService.Answer.of(204, null);
        });
        service.on("POST /stuck", r -> FakeService.Answer.of(201, "{\"id\":\"s1\"}"));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:stuck?subscribeUri=" + service.url() + "/stuck&requestTimeout=500"
                     + "&unsubscribeUri=RAW(" + service.url() + "/stuck/${variable.subscription[id]})")
                        .routeId("stuck").to("mock:stuck");
            }
        });
        long begin = System.nanoTime();
        context.getRouteController().stopRoute("stuck");
        long millis = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
        assertTrue(millis < 2_500, "the stop waited " + millis + " ms for a service that does not answer");
        assertEquals(2, awaitRequests("DELETE", "/stuck/s1", 2).size(), "two attempts by default");
    }

    @Test
    void basicCredentialsAreSentWithTheSubscribe() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:authd?subscribeUri=" + service.url() + "/subscriptions"
                     + "&authMethod=Basic&authUsername=bob&authPassword=RAW(pa ss)")
                        .to("mock:authd");
            }
        });
        FakeService.Recorded r = service.requests("POST", "/subscriptions").stream()
                .filter(x -> "authd".equals(x.header("x-ms-workflow-operation-name"))).findFirst().orElseThrow();
        String expected = "Basic " + java.util.Base64.getEncoder().encodeToString("bob:pa ss".getBytes(StandardCharsets.UTF_8));
        assertEquals(expected, r.header("Authorization"));
        assertNotNull(URLEncoder.encode("x", StandardCharsets.UTF_8));
    }
}
