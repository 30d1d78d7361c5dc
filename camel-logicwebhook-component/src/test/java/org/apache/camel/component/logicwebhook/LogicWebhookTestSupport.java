package org.apache.camel.component.logicwebhook;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.subscription.RequestTemplate;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckAware;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;

import static org.awaitility.Awaitility.await;

/**
 * Runs each test's Camel context with a Vert.x platform-http server on a free loopback port, and a fake remote service.
 */
abstract class LogicWebhookTestSupport extends CamelTestSupport {

    static final String SIGNING_KEY = "test-signing-key-0123456789abcdef";

    final FakeService service = newService();
    /**
     * Chosen once the fake service listens, so that it cannot be the fake's port: Camel's platform-http Vert.x server
     * only logs a port it cannot bind, and the callbacks would reach the fake.
     */
    final int port = AvailablePortFinder.getNextAvailable();

    private static FakeService newService() {
        try {
            return new FakeService();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        VertxPlatformHttpServerConfiguration configuration = new VertxPlatformHttpServerConfiguration();
        configuration.setBindHost("127.0.0.1");
        configuration.setBindPort(port);
        context.addService(new VertxPlatformHttpServer(configuration));
        LogicWebhookComponent component = new LogicWebhookComponent();
        component.setSigningKey(SIGNING_KEY);
        component.getConfiguration().setCallbackBaseUrl("http://127.0.0.1:" + port);
        configureComponent(component);
        context.addComponent("logicwebhook", component);
        return context;
    }

    /** Lets a test change the component before the context starts. */
    void configureComponent(LogicWebhookComponent component) {
    }

    /** Timeouts follow {@code clock}, and the test sweeps them itself after moving it. */
    static void sweepByHand(LogicWebhookComponent component, TestClock clock) {
        component.setClock(clock);
        component.setTimeoutCheckInterval(3_600_000);
    }

    LogicWebhookComponent component() {
        return context.getComponent("logicwebhook", LogicWebhookComponent.class);
    }

    /** Moves the clock and runs what is due then (timeouts, retries, renewals), as the sweeper would on its next tick. */
    void sweepAfter(TestClock clock, long millis) {
        clock.advance(millis);
        component().getWaitRegistry().sweep();
    }

    LogicWebhookConsumer trigger(String routeId) {
        return (LogicWebhookConsumer) context.getRoute(routeId).getConsumer();
    }

    /** The trigger's own readiness check. */
    HealthCheck.Result readiness(String routeId) {
        HealthCheck check = ((HealthCheckAware) trigger(routeId)).getHealthCheck();
        return check.call(Map.of(HealthCheck.CHECK_KIND, HealthCheck.Kind.READINESS));
    }

    /** The context stops (and unsubscribes) while the fake service still listens. */
    @AfterEach
    void closeService() {
        context.stop();
        service.close();
    }

    /** Waits for the fake to have received {@code count} requests of a method to a path, and returns them. */
    List<FakeService.Recorded> awaitRequests(String method, String path, int count) {
        await().until(() -> service.requests(method, path).size() >= count);
        return service.requests(method, path);
    }

    /** The callback URL that a trigger sent in its (default) subscribe body to POST /subscriptions. */
    String callbackUrlOf(String name) throws Exception {
        for (FakeService.Recorded r : service.requests("POST", "/subscriptions")) {
            String url = json(r.body()).path("callbackUrl").asText();
            if (url.contains("/logicwebhook/" + name + "?")) {
                return url;
            }
        }
        throw new AssertionError("no subscription for " + name);
    }

    /** The Authorization header value of Basic authentication. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(String text) throws Exception {
        return RequestTemplate.JSON.readTree(text);
    }

    /** The LogicWebhookSubscriptionException among the causes of a failed route start or exchange. */
    static LogicWebhookSubscriptionException subscriptionFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof LogicWebhookSubscriptionException found) {
                return found;
            }
        }
        throw new AssertionError("no LogicWebhookSubscriptionException in " + e, e);
    }
}
