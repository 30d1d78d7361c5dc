package io.logicwebhook.quarkus;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import static io.logicwebhook.quarkus.LogicWebhookRoutes.TRIGGERED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logicwebhook trigger and action in a Quarkus application (JVM mode) whose callbacks are served by the Quarkus HTTP
 * server's Vert.x router, through camel-quarkus-platform-http, over real loopback HTTP against a fake remote service.
 */
@QuarkusTest
@WithTestResource(FakeServiceResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogicWebhookQuarkusTest {

    static final ObjectMapper JSON = new ObjectMapper();

    /** Set by {@link FakeServiceResource}. */
    FakeService service;

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @Inject
    CamelContext camelContext;
    @Inject
    ProducerTemplate template;

    static String callbackUrlOf(FakeService.Recorded subscribe) throws Exception {
        return JSON.readTree(subscribe.body()).path("callbackUrl").asText();
    }

    static List<FakeService.Recorded> awaitRequests(FakeService service, String method, String path, int count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> service.requests(method, path).size() >= count);
        return service.requests(method, path);
    }

    @Test
    @Order(1)
    void runsOnTheVertxEngineThatCamelQuarkusBindsToItsRouterWithTheConfiguredComponent() {
        // camel-quarkus-platform-http binds platform-http-vertx's engine to the Quarkus HTTP server's router: no
        // server of its own (the callbacks below reach it on Quarkus' port)
        PlatformHttpEngine engine = camelContext.getRegistry().lookupByNameAndType("platform-http-engine",
                PlatformHttpEngine.class);
        assertInstanceOf(VertxPlatformHttpEngine.class, engine);
        LogicWebhookComponent component = camelContext.getComponent("logicwebhook", LogicWebhookComponent.class);
        assertEquals("quarkus-test-key-0123456789abcdef", component.getSigningKey());
        assertEquals("http://localhost:" + port, component.getConfiguration().getCallbackBaseUrl());
    }

    @Test
    @Order(2)
    void theTriggerSubscribedOnStartAndItsRouteGetsEveryCallback() throws Exception {
        FakeService.Recorded subscribe = awaitRequests(service, "POST", "/subscriptions", 1).get(0);
        assertEquals("orders", subscribe.header(LogicWebhookConstants.OPERATION_NAME_HEADER));
        String callbackUrl = callbackUrlOf(subscribe);
        // served by Quarkus' own HTTP server, on its port
        assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/logicwebhook/orders?sig="), callbackUrl);

        HttpResponse<String> answer = service.post(callbackUrl, "{\"order\":42}", "Content-Type", "application/json",
                "X-Event-Id", "evt-1");
        assertEquals(202, answer.statusCode());

        Exchange received = TRIGGERED.poll(10, TimeUnit.SECONDS);
        assertNotNull(received, "the trigger's route got no exchange");
        assertEquals("{\"order\":42}", received.getMessage().getBody(String.class));
        assertEquals("evt-1", received.getMessage().getHeader("X-Event-Id"));
        assertEquals("orders", received.getMessage().getHeader(LogicWebhookConstants.ENDPOINT_NAME));
        assertEquals("POST", received.getMessage().getHeader(LogicWebhookConstants.HTTP_METHOD));
        assertNull(received.getMessage().getHeader("sig"), "the signature must not reach the route");

        // a forged signature is refused before any route runs
        String forged = callbackUrl.substring(0, callbackUrl.indexOf("?sig=")) + "?sig=forged";
        assertEquals(401, service.post(forged, "{}").statusCode());
        assertNull(TRIGGERED.poll(200, TimeUnit.MILLISECONDS));
    }

    @Test
    @Order(3)
    void theActionWaitsForItsCallbackAndResumesWithItsBody() throws Exception {
        Future<Exchange> pending = template.asyncSend("direct:approve", e -> e.getMessage().setBody("order-7"));

        FakeService.Recorded subscribe = awaitRequests(service, "POST", "/jobs", 1).get(0);
        assertEquals("approval", subscribe.header(LogicWebhookConstants.OPERATION_NAME_HEADER));
        String callbackUrl = callbackUrlOf(subscribe);
        assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/logicwebhook/approval/"), callbackUrl);
        assertFalse(pending.isDone(), "the exchange must wait for its callback");

        HttpResponse<String> answer = service.post(callbackUrl, "{\"approved\":true}",
                "Content-Type", "application/json", "X-Approver", "alice");
        assertEquals(200, answer.statusCode());

        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("{\"approved\":true}", done.getMessage().getBody(String.class));
        assertEquals("alice", done.getMessage().getHeader("X-Approver"));
        assertEquals(200, done.getMessage().getHeader(LogicWebhookConstants.STATUS_CODE));
        assertEquals("approval-action", done.getMessage().getHeader("approvedBy"), "the route went on after the wait");
        // unsubscribed with the id the service answered, and the URL is spent
        assertEquals("/jobs/job-1", awaitRequests(service, "DELETE", "/jobs/", 1).get(0).path());
        assertEquals(409, service.post(callbackUrl, "{}").statusCode());
    }

    @Test
    @Order(4)
    void theTriggerUnsubscribesWhenItsRouteStops() throws Exception {
        assertTrue(service.requests("DELETE", "/subscriptions/").isEmpty());
        camelContext.getRouteController().stopRoute("orders-trigger");
        List<FakeService.Recorded> deletes = service.requests("DELETE", "/subscriptions/");
        assertEquals(1, deletes.size());
        assertEquals("/subscriptions/sub-1", deletes.get(0).path());
        assertEquals("orders", deletes.get(0).header(LogicWebhookConstants.OPERATION_NAME_HEADER));
    }
}
