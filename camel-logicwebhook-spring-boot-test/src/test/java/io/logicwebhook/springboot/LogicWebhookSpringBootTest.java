package io.logicwebhook.springboot;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ContextConfiguration;

import static io.logicwebhook.springboot.LogicWebhookTestApplication.TRIGGERED;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The logicwebhook trigger and action in a Spring Boot 3.5 application whose callbacks are served by Spring's own
 * Tomcat, through the starter's callback servlet, over real loopback HTTP against a fake remote service; the
 * component's meters and the trigger's readiness check as Spring Boot's actuator shows them.
 */
@SpringBootTest(classes = LogicWebhookTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ContextConfiguration(initializers = FakeServiceInitializer.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogicWebhookSpringBootTest {

    static final ObjectMapper JSON = new ObjectMapper();
    @LocalServerPort
    int port;
    @Autowired
    CamelContext camelContext;
    @Autowired
    ProducerTemplate template;
    @Autowired
    FakeService service;

    static String callbackUrlOf(FakeService.Recorded subscribe) throws Exception {
        return JSON.readTree(subscribe.body()).path("callbackUrl").asText();
    }

    static List<FakeService.Recorded> awaitRequests(FakeService service, String method, String path, int count) {
        await().atMost(10, TimeUnit.SECONDS).until(() -> service.requests(method, path).size() >= count);
        return service.requests(method, path);
    }

    @Test
    @Order(1)
    void runsOnSpringBootsPlatformHttpEngineWithTheConfiguredComponent() {
        PlatformHttpEngine engine = camelContext.getRegistry().lookupByNameAndType("platform-http-engine",
                PlatformHttpEngine.class);
        assertInstanceOf(SpringBootPlatformHttpEngine.class, engine);
        LogicWebhookComponent component = camelContext.getComponent("logicwebhook", LogicWebhookComponent.class);
        assertEquals("spring-boot-test-key-0123456789abcdef", component.getSigningKey());
        assertEquals("http://localhost:" + port, component.getConfiguration().getCallbackBaseUrl());
    }

    @Test
    @Order(2)
    void theTriggerSubscribedOnStartAndItsRouteGetsEveryCallback() throws Exception {
        FakeService.Recorded subscribe = awaitRequests(service, "POST", "/subscriptions", 1).get(0);
        assertEquals("orders", subscribe.header(LogicWebhookConstants.OPERATION_NAME_HEADER));
        String callbackUrl = callbackUrlOf(subscribe);
        // served by Spring Boot's own web server, under the context path (the root here)
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
    void theActuatorShowsTheComponentsMetersAndTheTriggersReadiness() throws Exception {
        // Spring Boot's MeterRegistry bean was found: the callbacks of the test before are counted there
        String accepted = "/actuator/metrics/logicwebhook.callbacks?tag=endpoint:orders&tag=outcome:accepted";
        assertEquals(1.0, count(actuator(accepted)), accepted);
        String unauthorized = "/actuator/metrics/logicwebhook.callbacks?tag=endpoint:orders&tag=outcome:unauthorized";
        assertEquals(1.0, count(actuator(unauthorized)), unauthorized);
        JsonNode pending = actuator("/actuator/metrics/logicwebhook.waits.pending?tag=endpoint:approval");
        assertEquals("logicwebhook.waits.pending", pending.path("name").asText());

        // the trigger's readiness check, through camel-spring-boot's camelHealth indicator
        JsonNode camelHealth = actuator("/actuator/health").path("components").path("camelHealth");
        assertEquals("UP", camelHealth.path("status").asText(), camelHealth.toString());
        assertEquals("UP", camelHealth.path("details").path("consumer:orders-trigger").asText(),
                camelHealth.toString());
        // the component's own check, not Camel's generic consumer check
        JsonNode trigger = camelHealth.path("details").path("consumer:orders-trigger.data");
        assertEquals("SUBSCRIBED", trigger.path("logicwebhook.subscriptionState").asText(), camelHealth.toString());
        assertEquals("orders", trigger.path("logicwebhook.trigger").asText(), camelHealth.toString());
    }

    private JsonNode actuator(String path) throws Exception {
        HttpResponse<String> answer = service.send("GET", "http://localhost:" + port + path, null);
        assertEquals(200, answer.statusCode(), path + " answered " + answer.body());
        return JSON.readTree(answer.body());
    }

    private static double count(JsonNode meter) {
        for (JsonNode measurement : meter.path("measurements")) {
            if ("COUNT".equals(measurement.path("statistic").asText())) {
                return measurement.path("value").asDouble();
            }
        }
        throw new AssertionError("no COUNT in " + meter);
    }

    @Test
    @Order(4)
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
    @Order(5)
    @DirtiesContext
    void theTriggerUnsubscribesWhenCamelStops() {
        assertTrue(service.requests("DELETE", "/subscriptions/").isEmpty());
        camelContext.stop();
        List<FakeService.Recorded> deletes = service.requests("DELETE", "/subscriptions/");
        assertEquals(1, deletes.size());
        assertEquals("/subscriptions/sub-1", deletes.get(0).path());
        assertEquals("orders", deletes.get(0).header(LogicWebhookConstants.OPERATION_NAME_HEADER));
    }
}
