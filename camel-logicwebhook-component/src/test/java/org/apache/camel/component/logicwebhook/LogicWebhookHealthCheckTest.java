package org.apache.camel.component.logicwebhook;

import java.util.Collection;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.health.HealthCheckRepository;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A trigger's readiness, as Camel's consumer health check reports it: DOWN with the reason while not subscribed. */
class LogicWebhookHealthCheckTest extends LogicWebhookTestSupport {

    private final TestClock clock = new TestClock();
    /** What the service answers a subscribe: 201 with a lease of 100 s, or this status. */
    private volatile int readyStatus = 201;

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    @Override
    protected void doPreSetup() throws Exception {
        service.on("POST /ready", r -> readyStatus == 201
                ? FakeService.Answer.of(201, "{\"expiresIn\":100}")
                : FakeService.Answer.of(readyStatus, "{\"error\":\"maintenance\"}"));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                // started with the context: Camel's consumer health check skips a route that is started by hand
                from("logicwebhook:ready?subscribeUri=" + service.url() + "/ready")
                        .routeId("ready").to("mock:ready");
            }
        };
    }

    private void advance(long millis) {
        sweepAfter(clock, millis);
    }

    @Test
    void aFailedRenewalIsRetriedAndShowsInTheReadinessCheckUntilItSucceeds() throws Exception {
        assertEquals(HealthCheck.State.UP, readiness("ready").getState());
        assertEquals(HealthCheck.State.UP, camelReadiness("ready").getState(), "Camel's own consumer check asks ours");

        readyStatus = 503;
        advance(80_000);
        await().until(() -> trigger("ready").getSubscriptionState() == LogicWebhookConsumer.SubscriptionState.RETRYING);
        HealthCheck.Result down = camelReadiness("ready");
        assertEquals(HealthCheck.State.DOWN, down.getState());
        assertTrue(down.getMessage().orElse("").contains("maintenance"), down.getMessage().toString());

        readyStatus = 201;
        advance(7_000);
        awaitRequests("POST", "/ready", 3);
        await().until(() -> trigger("ready").getSubscriptionState() == LogicWebhookConsumer.SubscriptionState.SUBSCRIBED);
        assertEquals(HealthCheck.State.UP, camelReadiness("ready").getState());
    }

    @Test
    void aSuspendedTriggerIsNotReady() throws Exception {
        context.getRouteController().suspendRoute("ready");
        HealthCheck.Result result = readiness("ready");
        assertEquals(HealthCheck.State.DOWN, result.getState());
        assertTrue(result.getMessage().orElse("").contains("SUSPENDED"), result.getMessage().toString());
        assertEquals(HealthCheck.State.UP, trigger("ready").getHealthCheck()
                .call(java.util.Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.LIVENESS)).getState(),
                "liveness stays UP: a restart would not make the service answer");
        context.getRouteController().resumeRoute("ready");
        assertEquals(HealthCheck.State.UP, readiness("ready").getState());
    }

    /** The readiness that Camel reports for the route's consumer (what /q/health or actuator show). */
    private HealthCheck.Result camelReadiness(String routeId) {
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry.getRepository("consumers").isEmpty()) {
            // what camel.health.consumersEnabled (on by default) does in Camel Main
            HealthCheckRepository consumers = (HealthCheckRepository) registry.resolveById("consumers");
            consumers.setEnabled(true);
            registry.register(consumers);
        }
        Collection<HealthCheck.Result> results = HealthCheckHelper.invokeReadiness(context);
        return results.stream().filter(r -> r.getCheck().getId().equals("consumer:" + routeId)).findFirst()
                .orElseThrow(() -> new AssertionError("no consumer check for " + routeId + " in "
                                                       + results.stream().map(r -> r.getCheck().getId()).toList()));
    }
}
