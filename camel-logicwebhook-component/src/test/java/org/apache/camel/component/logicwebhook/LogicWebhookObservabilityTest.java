package org.apache.camel.component.logicwebhook;

import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.observability.ComponentStatistics;
import org.apache.camel.component.logicwebhook.observability.LogicWebhookMeters;
import org.apache.camel.console.DevConsole;
import org.apache.camel.console.DevConsoleRegistry;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JMX attributes, Micrometer meters and the dev console, read over real callbacks, a real timeout and a real subscribe
 * failure.
 */
class LogicWebhookObservabilityTest extends LogicWebhookTestSupport {

    private final TestClock clock = new TestClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Override
    public boolean useJmx() {
        return true;
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getRegistry().bind(LogicWebhookMeters.REGISTRY_NAME, meters);
        return context;
    }

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    @Override
    protected void doPreSetup() throws Exception {
        service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-1\"}"));
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job\"}"));
        service.on("POST /refuse", r -> FakeService.Answer.of(400, "no thanks"));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions").routeId("feed")
                        .to("mock:events");
                from("logicwebhook:failing?subscribeUri=" + service.url() + "/subscriptions").routeId("failing")
                        .throwException(new IllegalStateException("route failed on purpose"));
                from("logicwebhook:refused?subscribeUri=" + service.url() + "/refuse").routeId("refused")
                        .autoStartup(false).to("mock:refused");
                from("direct:start")
                        .to("logicwebhook:approval?subscribeUri=" + service.url() + "/jobs&timeout=PT10S")
                        .to("mock:done");
            }
        };
    }

    private Object attribute(String endpointName, String attribute) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = server.queryNames(
                new ObjectName("org.apache.camel:context=" + context.getManagementName() + ",type=endpoints,*"), null);
        ObjectName name = names.stream().filter(n -> n.getKeyProperty("name").contains("logicwebhook://" + endpointName))
                .findFirst().orElseThrow(() -> new AssertionError("no MBean for " + endpointName + " in " + names));
        return server.getAttribute(name, attribute);
    }

    private double callbacks(String endpoint, String outcome) {
        FunctionCounter counter = meters.find("logicwebhook.callbacks").tags("endpoint", endpoint, "outcome", outcome)
                .functionCounter();
        assertNotNull(counter, endpoint + "/" + outcome);
        return counter.count();
    }

    private Timer waitDuration(String outcome) {
        return meters.find("logicwebhook.wait.duration").tags("endpoint", "approval", "outcome", outcome).timer();
    }

    private double pendingGauge() {
        Gauge gauge = meters.find("logicwebhook.waits.pending").tag("endpoint", "approval").gauge();
        return gauge.value();
    }

    /** Starts an exchange of the action and returns it with the callback URL it handed out. */
    private Map.Entry<Future<Exchange>, String> startWait(int subscribes) throws Exception {
        Future<Exchange> pending = template.asyncSend("direct:start", e -> e.getMessage().setBody("order"));
        FakeService.Recorded subscribe = awaitRequests("POST", "/jobs", subscribes).get(subscribes - 1);
        return Map.entry(pending, json(subscribe.body()).path("callbackUrl").asText());
    }

    @Test
    void triggerCallbacksAreCountedByOutcomeAndEndpoint() throws Exception {
        String feed = callbackUrlOf("feed");
        assertEquals(202, service.post(feed, "one").statusCode());
        assertEquals(202, service.post(feed, "two").statusCode());
        assertEquals(401, service.post(feed.replace("sig=", "sig=x"), "forged").statusCode());
        assertEquals(405, service.send("GET", feed, null).statusCode());
        assertEquals(500, service.post(callbackUrlOf("failing"), "boom").statusCode());
        String unknown = feed.replace("/logicwebhook/feed?", "/logicwebhook/nosuchname?");
        assertEquals(401, service.post(unknown, "guess").statusCode());

        assertEquals(2L, attribute("feed", "CallbacksAccepted"));
        assertEquals(1L, attribute("feed", "CallbacksRejectedUnauthorized"));
        assertEquals(1L, attribute("feed", "CallbacksRejectedMethodNotAllowed"));
        assertEquals(2L, attribute("feed", "CallbacksRejected"));
        assertEquals("SUBSCRIBED", attribute("feed", "SubscriptionState"));
        assertEquals(1L, attribute("failing", "CallbacksRejectedFailed"));
        assertEquals(0L, attribute("failing", "CallbacksAccepted"));

        assertEquals(2.0, callbacks("feed", "accepted"));
        assertEquals(1.0, callbacks("feed", "unauthorized"));
        assertEquals(1.0, callbacks("failing", "failed"));
        // a name no endpoint has never becomes a tag
        assertNull(meters.find("logicwebhook.callbacks").tag("endpoint", "nosuchname").meter());
        assertEquals(1.0, callbacks(ComponentStatistics.UNATTRIBUTED, "unauthorized"));
        ObjectName componentName = new ObjectName("org.apache.camel:context=" + context.getManagementName()
                                                  + ",type=components,name=\"logicwebhook\"");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        assertEquals(4L, server.getAttribute(componentName, "CallbacksRejected"));
        assertEquals(2L, server.getAttribute(componentName, "CallbacksAccepted"));
        assertEquals(1L, server.getAttribute(componentName, "CallbacksUnattributed"));
    }

    @Test
    void waitsAreCountedAndTimedUntilTheirCallbackOrTimeout() throws Exception {
        Map.Entry<Future<Exchange>, String> first = startWait(1);
        assertEquals(1L, attribute("approval", "PendingWaits"));
        assertEquals(1.0, pendingGauge());
        assertNull(attribute("approval", "SubscriptionState"), "an action has no subscription state");

        clock.advance(1_500);
        assertEquals(200, service.post(first.getValue(), "{}").statusCode());
        assertNull(first.getKey().get(10, TimeUnit.SECONDS).getException());
        assertEquals(409, service.post(first.getValue(), "{}").statusCode());

        Map.Entry<Future<Exchange>, String> second = startWait(2);
        clock.advance(11_000);
        component().getWaitRegistry().sweep();
        assertInstanceOf(ExchangeTimedOutException.class, second.getKey().get(10, TimeUnit.SECONDS).getException());
        assertEquals(410, service.post(second.getValue(), "{}").statusCode());

        assertEquals(0L, attribute("approval", "PendingWaits"));
        assertEquals(0.0, pendingGauge());
        assertEquals(1L, attribute("approval", "WaitsCompleted"));
        assertEquals(1L, attribute("approval", "WaitsTimedOut"));
        assertEquals(1L, attribute("approval", "CallbacksAccepted"));
        assertEquals(1L, attribute("approval", "CallbacksRejectedDuplicate"));
        assertEquals(1L, attribute("approval", "CallbacksRejectedGone"));
        assertEquals(1.0, callbacks("approval", "duplicate"));
        assertEquals(1.0, callbacks("approval", "gone"));

        Timer completed = waitDuration("completed");
        assertEquals(1, completed.count());
        assertEquals(1_500.0, completed.totalTime(TimeUnit.MILLISECONDS));
        Timer timedOut = waitDuration("timed_out");
        assertEquals(1, timedOut.count());
        assertEquals(11_000.0, timedOut.totalTime(TimeUnit.MILLISECONDS));
    }

    @Test
    void aFailedSubscribeIsCountedWithItsError() throws Exception {
        try {
            context.getRouteController().startRoute("refused");
        } catch (Exception expected) {
            // the route does not start: the service refused
        }
        assertEquals(1L, attribute("refused", "SubscribeFailures"));
        // Camel stops a consumer whose start failed; the trigger still reads FAILED, and the failure stays counted
        assertEquals("FAILED", attribute("refused", "SubscriptionState"));
        String error = (String) attribute("refused", "LastError");
        assertTrue(error.contains("400"), error);
        assertFalse(error.contains("sig="), error);
        assertNotNull(attribute("refused", "LastErrorTime"));
        assertEquals(1.0, meters.find("logicwebhook.subscribe.failures").tag("endpoint", "refused").functionCounter()
                .count());
        assertEquals(0.0, meters.find("logicwebhook.unsubscribe.failures").tag("endpoint", "refused").functionCounter()
                .count());
    }

    @Test
    void theDevConsoleShowsTriggersAndWaitsWithoutSecrets() throws Exception {
        Map.Entry<Future<Exchange>, String> wait = startWait(1);
        clock.advance(2_000);
        DevConsole console = DevConsoleRegistry.get(context).resolveById("logicwebhook");
        assertNotNull(console, "the logicwebhook dev console is found by its id");

        String text = (String) console.call(DevConsole.MediaType.TEXT, Map.of());
        assertTrue(text.contains("feed (route feed): SUBSCRIBED since "), text);
        assertTrue(text.contains("Pending waits: 1"), text);
        assertTrue(text.contains("approval " + wait.getValue().split("/approval/")[1].substring(0, 6) + "…"), text);
        assertTrue(text.contains("age 2 s"), text);

        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) console.call(DevConsole.MediaType.JSON, Map.of());
        String rendered = json.toString();
        assertEquals(1, json.get("pendingWaits"));
        assertTrue(rendered.contains("\"subscriptionState\":\"SUBSCRIBED\"") || rendered.contains("SUBSCRIBED"),
                rendered);
        String id = wait.getValue().split("/approval/")[1].split("\\?")[0];
        String signature = wait.getValue().split("sig=")[1];
        for (String shown : new String[] { text, rendered }) {
            assertFalse(shown.contains(id), "the full wait id: " + shown);
            assertFalse(shown.contains(signature), "a signature: " + shown);
            assertFalse(shown.contains("sig="), "a signed URL: " + shown);
        }

        assertEquals(200, service.post(wait.getValue(), "{}").statusCode());
        wait.getKey().get(10, TimeUnit.SECONDS);
        await().until(() -> ((String) console.call(DevConsole.MediaType.TEXT, Map.of())).contains("Pending waits: 0"));
    }
}
