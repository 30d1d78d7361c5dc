package org.apache.camel.component.logicwebhook;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A YAML file with nothing but a logicwebhook trigger (or action), run by Camel JBang's runtime as {@code camel run}
 * runs it: the runtime sets its HTTP server up when platform-http is first created, which it cannot do once the
 * context is starting; the component resolves platform-http while the context initializes.
 */
class LogicWebhookJBangTest {

    @TempDir
    Path dir;

    /** JBang reads the port of the server it sets up from its run settings, in the working folder. */
    private int configurePort() throws Exception {
        int port = AvailablePortFinder.getNextAvailable();
        Files.createDirectories(dir.resolve(".camel-jbang"));
        Files.writeString(dir.resolve(".camel-jbang/camel-jbang-run.properties"), "camel.server.port=" + port + "\n");
        return port;
    }

    @Test
    void aTriggerOnlyFileStartsAndTakesCallbacks() throws Exception {
        try (FakeService service = new FakeService()) {
            int port = configurePort();
            service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"jb-1\"}"));
            Path yaml = dir.resolve("trigger.yaml");
            Files.writeString(yaml, """
                    - route:
                        from:
                          uri: logicwebhook:orders
                          parameters:
                            subscribeUri: %s/subscriptions
                            unsubscribeUri: "%s/subscriptions/${variable.subscription[id]}"
                          steps:
                            - log: "order event ${body}"
                    """.formatted(service.url(), service.url()));
            ChildJvm app = ChildJvm.start(JBangRuntimeApp.class, dir, yaml.toString(), LogicWebhookTestSupport.SIGNING_KEY);
            try {
                app.awaitLine("STARTED", 60);
                await().until(() -> !service.requests("POST", "/subscriptions").isEmpty());
                String callback = LogicWebhookTestSupport.json(service.requests("POST", "/subscriptions").get(0).body())
                        .path("callbackUrl").asText();
                assertTrue(callback.startsWith("http://localhost:" + port + "/logicwebhook/orders?sig="), callback);
                assertEquals(202, service.post(callback, "{\"order\":1}").statusCode());
            } finally {
                app.stop();
            }
            assertEquals(1, service.requests("DELETE", "/subscriptions/jb-1").size(), String.join("\n", app.lines));
        }
    }

    @Test
    void anActionOnlyFileStarts() throws Exception {
        try (FakeService service = new FakeService()) {
            configurePort();
            Path yaml = dir.resolve("action.yaml");
            Files.writeString(yaml, """
                    - route:
                        from:
                          uri: timer:once
                          parameters:
                            repeatCount: 1
                          steps:
                            - to:
                                uri: logicwebhook:approval
                                parameters:
                                  subscribeUri: %s/jobs
                                  timeout: PT1M
                    """.formatted(service.url()));
            ChildJvm app = ChildJvm.start(JBangRuntimeApp.class, dir, yaml.toString(), LogicWebhookTestSupport.SIGNING_KEY);
            try {
                app.awaitLine("STARTED", 60);
                await().until(() -> !service.requests("POST", "/jobs").isEmpty());
                String callback = LogicWebhookTestSupport.json(service.requests("POST", "/jobs").get(0).body())
                        .path("callbackUrl").asText();
                assertEquals(200, service.post(callback, "approved").statusCode());
            } finally {
                app.stop();
            }
        }
    }
}
