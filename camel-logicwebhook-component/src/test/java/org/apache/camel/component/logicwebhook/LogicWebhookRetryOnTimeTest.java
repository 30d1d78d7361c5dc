package org.apache.camel.component.logicwebhook;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries on the real clock come at their time, not at the next sweep after it: the sweep runs every 10 s here, so a
 * retry that waited for it would come 10 s after the first attempt. (The other retry tests move a test clock.)
 */
class LogicWebhookRetryOnTimeTest extends LogicWebhookTestSupport {

    private static final long SWEEP_INTERVAL = 10_000;
    /** Far from the sweep's 10 s, and roomy enough for a busy build machine. */
    private static final long WELL_BEFORE_THE_SWEEP = 5_000;

    /** When each request reached the fake, in System.nanoTime(). */
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        component.setTimeoutCheckInterval(SWEEP_INTERVAL);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions")
                        .routeId("feed").autoStartup(false).to("mock:feed");
                from("direct:job")
                        .to("logicwebhook:job?subscribeUri=" + service.url() + "/jobs"
                            + "&retryPolicy=fixed&retryCount=1&retryInterval=300&timeout=30s");
                from("direct:later")
                        .to("logicwebhook:later?subscribeUri=" + service.url() + "/later&timeout=PT2H");
            }
        };
    }

    /** Answers {@code first} to the first request and 201 to the next, noting when each arrived. */
    private void answerOnceThenAccept(String key, FakeService.Answer first) {
        AtomicInteger calls = new AtomicInteger();
        service.on(key, r -> {
            arrivals.add(System.nanoTime());
            return calls.getAndIncrement() == 0 ? first : FakeService.Answer.of(201, "{\"id\":\"s-1\"}");
        });
    }

    private long millisBetweenTheTwoAttempts() {
        assertEquals(2, arrivals.size());
        return TimeUnit.NANOSECONDS.toMillis(arrivals.get(1) - arrivals.get(0));
    }

    @Test
    void aTriggersRetryAfterOneSecondComesAfterOneSecond() throws Exception {
        answerOnceThenAccept("POST /subscriptions",
                new FakeService.Answer(503, "busy", Map.of("Retry-After", "1")));
        context.getRouteController().startRoute("feed");
        long waited = millisBetweenTheTwoAttempts();
        assertTrue(waited >= 1_000, "retried before the Retry-After: " + waited + " ms");
        assertTrue(waited < WELL_BEFORE_THE_SWEEP, "the retry waited for the sweep: " + waited + " ms");
        assertEquals(0, component().getWaitRegistry().scheduledTasks());
    }

    @Test
    void anActionsFixedRetryOf300MillisecondsComesAfter300Milliseconds() throws Exception {
        answerOnceThenAccept("POST /jobs", FakeService.Answer.of(503, "busy"));
        template.asyncSend("direct:job", e -> e.getMessage().setBody("order"));
        awaitRequests("POST", "/jobs", 2);
        long waited = millisBetweenTheTwoAttempts();
        assertTrue(waited >= 300, "retried before its interval: " + waited + " ms");
        assertTrue(waited < WELL_BEFORE_THE_SWEEP, "the retry waited for the sweep: " + waited + " ms");
        await().until(() -> component().getWaitRegistry().scheduledTasks() == 0);
    }

    @Test
    void aRetryDueInAnHourKeepsNoThreadAliveOnceTheContextStopped() throws Exception {
        service.on("POST /later", r -> new FakeService.Answer(503, "busy", Map.of("Retry-After", "3600")));
        template.asyncSend("direct:later", e -> e.getMessage().setBody("order"));
        await().until(() -> component().getWaitRegistry().scheduledTasks() == 1);
        String sweeper = "Camel (" + context.getName() + ") thread";
        context.stop();
        // its wake-up is cancelled with it: an executor that is shut down would otherwise still run it, in an hour
        await().until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(sweeper) && t.getName().endsWith("LogicWebhookTimeouts")));
    }
}
