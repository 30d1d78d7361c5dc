package org.apache.camel.component.logicwebhook;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainHelper;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trigger in a Camel Main application, whose HTTP server is camel-platform-http-main configured with
 * {@code camel.server.*}, and whose callback base URL is not configured (so it is taken from that server).
 */
class LogicWebhookCamelMainTest {

    @Test
    void aTriggerRunsEndToEndInCamelMain() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        try (FakeService service = new FakeService()) {
            int port = AvailablePortFinder.getNextAvailable();
            service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"main-1\"}"));
            Main main = new Main();
            main.addInitialProperty("camel.server.enabled", "true");
            main.addInitialProperty("camel.server.port", String.valueOf(port));
            main.addInitialProperty("camel.component.logicwebhook.signingKey", "main-test-key-0123456789");
            main.configure().addRoutesBuilder(new RouteBuilder() {
                @Override
                public void configure() {
                    from("logicwebhook:orders?subscribeUri=" + service.url() + "/subscriptions"
                         + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]})")
                            .process(e -> received.add(e.getMessage().getBody(String.class)));
                }
            });
            main.start();
            try {
                // Camel Main masks these in its configuration summary
                assertTrue(MainHelper.containsSensitive(main.getCamelContext(),
                        "camel.component.logicwebhook.signingKey", "main-test-key-0123456789"));
                for (String option : List.of("authBearerToken", "unsubscribeAuthPassword", "unsubscribeAuthBearerToken",
                        "unsubscribeAuthorization", "unsubscribeOauth2ClientSecret")) {
                    assertTrue(MainHelper.containsSensitive(main.getCamelContext(),
                            "camel.component.logicwebhook." + option, "t"), option);
                }
                // Camel finds a name anywhere inside the list: none of ours hides an unrelated option
                assertFalse(MainHelper.containsSensitive(main.getCamelContext(), "camel.main.name", "orders-app"));
                await().until(() -> !service.requests("POST", "/subscriptions").isEmpty());
                String callbackUrl = LogicWebhookTestSupport.json(service.requests("POST", "/subscriptions").get(0).body())
                        .path("callbackUrl").asText();
                assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/logicwebhook/orders?sig="), callbackUrl);

                assertEquals(202, service.post(callbackUrl, "{\"order\":1}").statusCode());
                assertEquals(202, service.post(callbackUrl, "{\"order\":2}").statusCode());
                assertEquals(List.of("{\"order\":1}", "{\"order\":2}"), received);
            } finally {
                main.stop();
            }
            assertEquals(1, service.requests("DELETE", "/subscriptions/main-1").size());
        }
    }
}
