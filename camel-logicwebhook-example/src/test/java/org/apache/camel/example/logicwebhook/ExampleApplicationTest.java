package org.apache.camel.example.logicwebhook;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.test.junit5.TestExecutionConfiguration;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the example application as configured (application.properties, the YAML routes, the demo services) on a free
 * port with auto-approval, and checks over real HTTP that the trigger and the action work end to end.
 */
class ExampleApplicationTest extends ExampleTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    void demoProperties(Properties properties) {
        properties.setProperty("demo.autoApprove", "true");
        properties.setProperty("demo.orders", "1");
    }

    @Override
    public void configureTest(TestExecutionConfiguration configuration) {
        super.configureTest(configuration);
        // started by the test, once it watches the routes: the first order is approved within ~2 s of the start
        configuration.withAutoStartContext(false);
    }

    @Test
    void triggerAndActionWorkEndToEnd() throws Exception {
        NotifyBuilder eventReceived = new NotifyBuilder(context).fromRoute("feed-trigger").whenCompleted(1).create();
        // the approved order goes on in the route that a resumed one goes to as well
        NotifyBuilder orderApproved = new NotifyBuilder(context).fromRoute("order-approval").wereSentTo("direct:approved")
                .whenAnyDoneMatches(ExampleApplicationTest::continuedApproved).create();
        context.start();

        // the trigger subscribed at start: the feed has exactly one subscriber, our callback URL
        Map<?, ?> subscriptions = getJson("/demo/feed/subscriptions");
        assertEquals(1, subscriptions.size(), "subscribers: " + subscriptions);
        String subscriptionId = subscriptions.keySet().iterator().next().toString();
        assertEquals("http://localhost:" + port() + "/logicwebhook/feed?…", subscriptions.get(subscriptionId));

        // a feed event reached the trigger route
        assertTrue(eventReceived.matches(10, TimeUnit.SECONDS), "no feed event reached the trigger route");

        // the order was auto-approved by the approval service and the route continued with the callback's body
        assertTrue(orderApproved.matches(15, TimeUnit.SECONDS), "the order route did not continue after an approval");
        assertEquals("[]", getText("/demo/approvals"), "no approval should be left pending");

        // stopping the trigger unsubscribes it from the feed, with the id the subscribe response carried
        context.getRouteController().stopRoute("feed-trigger");
        EventFeed feed = context.getRegistry().lookupByNameAndType("eventFeed", EventFeed.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.unsubscribed().contains(subscriptionId));
        assertTrue(getJson("/demo/feed/subscriptions").isEmpty(), "the feed still has a subscriber");
    }

    /** Done without an exception caught by onException, and with the callback's JSON body {"approved": true}. */
    private static boolean continuedApproved(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return exchange.getProperty(Exchange.EXCEPTION_CAUGHT) == null && exchange.getException() == null
               && body instanceof Map<?, ?> map && Boolean.TRUE.equals(map.get("approved"));
    }

    private Map<?, ?> getJson(String path) throws Exception {
        return JSON.readValue(getText(path), Map.class);
    }

    private String getText(String path) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://localhost:" + port() + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path + " answered " + response.statusCode() + ": " + response.body());
        assertFalse(response.body().isBlank());
        return response.body();
    }
}
