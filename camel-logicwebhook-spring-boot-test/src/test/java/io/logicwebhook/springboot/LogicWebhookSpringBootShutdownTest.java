package io.logicwebhook.springboot;

import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.apache.camel.component.logicwebhook.LogicWebhookCancelledException;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.callbackUrlOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole Spring Boot application shuts down (as on SIGTERM): the trigger unsubscribes, and a pending action is
 * failed at once and unsubscribed rather than holding the shutdown until its timeout.
 */
class LogicWebhookSpringBootShutdownTest {

    @Test
    void closingTheApplicationUnsubscribesTheTriggerAndCancelsPendingActions() throws Exception {
        try (FakeService service = new FakeService()) {
            service.on("POST /subscriptions", r -> FakeService.Answer.of(201, "{\"id\":\"sub-9\"}"));
            service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-9\"}"));
            ConfigurableApplicationContext application = new SpringApplicationBuilder(LogicWebhookTestApplication.class)
                    .properties("server.port=0", "fake.url=" + service.url())
                    .run();
            Future<Exchange> pending;
            try {
                int port = Integer.parseInt(application.getEnvironment().getRequiredProperty("local.server.port"));
                String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
                assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/logicwebhook/orders?sig="), callbackUrl);

                pending = application.getBean(ProducerTemplate.class).asyncSend("direct:approve",
                        e -> e.getMessage().setBody("order-9"));
                awaitRequests(service, "POST", "/jobs", 1);
            } finally {
                long start = System.nanoTime();
                application.close();
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(tookMillis < 10_000, "shutdown took " + tookMillis + " ms");
            }
            List<FakeService.Recorded> deletes = service.requests("DELETE", "/subscriptions/");
            assertEquals(1, deletes.size());
            assertEquals("/subscriptions/sub-9", deletes.get(0).path());
            assertEquals("orders", deletes.get(0).header(LogicWebhookConstants.OPERATION_NAME_HEADER));

            Exchange cancelled = pending.get(5, TimeUnit.SECONDS);
            assertInstanceOf(LogicWebhookCancelledException.class, cancelled.getException());
            assertEquals("/jobs/job-9", awaitRequests(service, "DELETE", "/jobs/", 1).get(0).path());
        }
    }
}
