package org.apache.camel.component.logicwebhook;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping the context while a thousand exchanges wait: it does not sit out Camel's 45 s graceful shutdown; every wait
 * is failed and unsubscribed.
 */
class LogicWebhookShutdownTest extends LogicWebhookTestSupport {

    private static final int WAITS = 1_000;

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:start")
                        .to("logicwebhook:held?subscribeUri=" + service.url() + "/jobs&timeout=1h"
                            + "&unsubscribeUri=RAW(" + service.url() + "/jobs/${exchangeId})");
            }
        };
    }

    @Test
    void stoppingTheContextFailsAndUnsubscribesEveryWaitPromptly() throws Exception {
        List<Future<Exchange>> pending = new ArrayList<>();
        for (int i = 0; i < WAITS; i++) {
            pending.add(template.asyncSend("direct:start", e -> e.getMessage().setBody("held")));
        }
        WaitRegistry registry = component().getWaitRegistry();
        await().atMost(Duration.ofSeconds(60)).until(() -> registry.size() == WAITS);
        context.getShutdownStrategy().setTimeout(45);

        long begin = System.nanoTime();
        context.stop();
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - begin);
        assertTrue(seconds < 20, "the stop waited for callbacks: " + seconds + " s");

        for (Future<Exchange> future : pending) {
            assertInstanceOf(LogicWebhookCancelledException.class, future.get(10, TimeUnit.SECONDS).getException());
        }
        assertEquals(0, registry.size());
        assertEquals(WAITS, service.requests("DELETE", "/jobs/").size(), "every wait unsubscribed");
    }
}
