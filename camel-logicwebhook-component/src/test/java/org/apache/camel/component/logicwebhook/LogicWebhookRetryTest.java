package org.apache.camel.component.logicwebhook;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retries of subscribe and unsubscribe requests, driven by a clock the test moves and a fake service that answers what
 * each test scripts: no test waits for a retry's real delay.
 */
class LogicWebhookRetryTest extends LogicWebhookTestSupport {

    private final TestClock clock = new TestClock();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:feed?subscribeUri=" + service.url() + "/subscriptions"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]})")
                        .routeId("feed").autoStartup(false).to("mock:feed");
                from("logicwebhook:impatient?subscribeUri=" + service.url() + "/subscriptions&startTimeout=10s")
                        .routeId("impatient").autoStartup(false).to("mock:impatient");
                from("logicwebhook:graphfeed?subscribeUri=" + service.url() + "/graph&handshake=graph")
                        .routeId("graphfeed").autoStartup(false).to("mock:graphfeed");
                from("logicwebhook:quick?subscribeUri=" + service.url() + "/quick"
                     + "&retryPolicy=fixed&retryCount=1&retryInterval=300")
                        .routeId("quick").autoStartup(false).to("mock:quick");
                from("direct:job")
                        .to("logicwebhook:job?subscribeUri=" + service.url() + "/jobs&timeout=10s")
                        .to("mock:job");
            }
        };
    }

    private WaitRegistry registry() {
        return component().getWaitRegistry();
    }

    private void advance(long millis) {
        sweepAfter(clock, millis);
    }

    /** Answers the scripted statuses in turn, then 201 with a subscription id. */
    private void answer(String key, int... statuses) {
        AtomicInteger calls = new AtomicInteger();
        service.on(key, r -> {
            int call = calls.getAndIncrement();
            return call < statuses.length
                    ? FakeService.Answer.of(statuses[call], "{\"error\":\"busy " + call + "\"}")
                    : FakeService.Answer.of(201, "{\"id\":\"s-" + call + "\"}");
        });
    }

    private CompletableFuture<Void> startRoute(String routeId) {
        return CompletableFuture.runAsync(() -> {
            try {
                context.getRouteController().startRoute(routeId);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void theTriggersStartRetriesA503WithExponentialBackoffAndIsReadyOnceSubscribed() throws Exception {
        answer("POST /subscriptions", 503, 503);
        CompletableFuture<Void> started = startRoute("feed");
        awaitRequests("POST", "/subscriptions", 1);
        assertEquals(1, registry().scheduledTasks(), "retry 1 is scheduled, on no thread");
        assertEquals(LogicWebhookConsumer.SubscriptionState.RETRYING, trigger("feed").getSubscriptionState());
        HealthCheck.Result down = readiness("feed");
        assertEquals(HealthCheck.State.DOWN, down.getState());
        assertTrue(down.getMessage().orElse("").contains("503"), down.getMessage().toString());

        // retry 1 comes between 5 s (the minimum) and 7 s
        advance(4_999);
        assertEquals(1, registry().scheduledTasks());
        assertEquals(1, service.requests("POST", "/subscriptions").size());
        advance(2_001);
        awaitRequests("POST", "/subscriptions", 2);
        // retry 2 between 7 s and 14 s
        await().until(() -> registry().scheduledTasks() == 1);
        advance(6_999);
        assertEquals(1, registry().scheduledTasks());
        advance(7_001);
        awaitRequests("POST", "/subscriptions", 3);

        started.get(10, TimeUnit.SECONDS);
        assertEquals(LogicWebhookConsumer.SubscriptionState.SUBSCRIBED, trigger("feed").getSubscriptionState());
        assertNull(trigger("feed").getLastError());
        assertEquals(HealthCheck.State.UP, readiness("feed").getState());
    }

    @Test
    void aStartThatCannotSubscribeWithinStartTimeoutFailsWithTheServicesAnswer() throws Exception {
        answer("POST /subscriptions", 503, 503, 503, 503, 503);
        CompletableFuture<Void> started = startRoute("impatient");
        awaitRequests("POST", "/subscriptions", 1);
        advance(7_000);
        awaitRequests("POST", "/subscriptions", 2);
        // retry 2 would wait at least 7 s more: past the 10 s startTimeout, so the start fails now
        Exception e = assertThrows(Exception.class, () -> started.get(10, TimeUnit.SECONDS));
        LogicWebhookSubscriptionException failure = subscriptionFailure(e);
        assertEquals(503, failure.getStatusCode());
        assertTrue(failure.getMessage().contains("would come too late"), failure.getMessage());
        assertEquals(2, service.requests("POST", "/subscriptions").size());
        assertEquals(0, registry().scheduledTasks());
        assertFalse(context.getRouteController().getRouteStatus("impatient").isStarted());
    }

    @Test
    void aRetryIsDueOnTheComponentsClockNotOnTheRealOne() throws Exception {
        // a retry also wakes the sweeper at its time on the real clock, but what is due is read on the component's
        answer("POST /quick", 503);
        CompletableFuture<Void> started = startRoute("quick");
        await().until(() -> registry().scheduledTasks() == 1);
        await().during(1, TimeUnit.SECONDS).atMost(5, TimeUnit.SECONDS)
                .until(() -> service.requests("POST", "/quick").size() == 1);
        assertEquals(1, registry().scheduledTasks(), "the retry waits for the clock the test moves");
        advance(300);
        started.get(10, TimeUnit.SECONDS);
        assertEquals(2, service.requests("POST", "/quick").size());
    }

    @Test
    void a4xxFailsTheStartAtOnceWithoutRetry() throws Exception {
        answer("POST /subscriptions", 403);
        Exception e = assertThrows(Exception.class, () -> startRoute("feed").get(10, TimeUnit.SECONDS));
        assertEquals(403, subscriptionFailure(e).getStatusCode());
        assertEquals(1, service.requests("POST", "/subscriptions").size());
        assertEquals(0, registry().scheduledTasks());
    }

    @Test
    void anActionHonoursRetryAfterAsADateAndResumesOnItsCallback() throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(Instant.ofEpochMilli(clock.millis()).plusSeconds(3).atOffset(ZoneOffset.UTC));
        AtomicInteger calls = new AtomicInteger();
        service.on("POST /jobs", r -> calls.getAndIncrement() == 0
                ? new FakeService.Answer(429, "slow down", Map.of("Retry-After", date))
                : FakeService.Answer.of(202, "{}"));
        Future<Exchange> pending = template.asyncSend("direct:job", e -> e.getMessage().setBody("order"));
        awaitRequests("POST", "/jobs", 1);
        await().until(() -> registry().scheduledTasks() == 1);
        advance(2_999);
        assertEquals(1, registry().scheduledTasks(), "not before the date the service gave");
        advance(1);
        String callback = json(awaitRequests("POST", "/jobs", 2).get(1).body()).path("callbackUrl").asText();
        assertEquals(200, service.post(callback, "approved").statusCode());
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("approved", done.getMessage().getBody(String.class));
    }

    @Test
    void anActionGivesUpWhenTheNextRetryWouldComeAfterItsTimeout() throws Exception {
        answer("POST /jobs", 503, 503, 503);
        Future<Exchange> pending = template.asyncSend("direct:job", e -> e.getMessage().setBody("order"));
        awaitRequests("POST", "/jobs", 1);
        await().until(() -> registry().scheduledTasks() == 1);
        advance(7_000);
        awaitRequests("POST", "/jobs", 2);
        // retry 2 (7 s or more) would end after the wait's 10 s timeout
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        LogicWebhookSubscriptionException e = assertInstanceOf(LogicWebhookSubscriptionException.class, done.getException());
        assertEquals(503, e.getStatusCode());
        assertEquals(0, registry().size());
        assertEquals(2, service.requests("POST", "/jobs").size());
    }

    @Test
    void aFailedUnsubscribeIsRetriedInTheBackgroundAndTheStopDoesNotWaitForIt() throws Exception {
        answer("POST /subscriptions");
        answer("DELETE /subscriptions/", 503);
        startRoute("feed").get(10, TimeUnit.SECONDS);
        context.getRouteController().stopRoute("feed");
        assertEquals(1, service.requests("DELETE", "/subscriptions/s-0").size());
        assertEquals(1, registry().scheduledTasks(), "the retry is scheduled; the route stopped without it");
        advance(7_000);
        awaitRequests("DELETE", "/subscriptions/s-0", 2);
        await().until(() -> registry().scheduledTasks() == 0);
        assertEquals(0, trigger("feed").getEndpoint().getStatistics().unsubscribeFailures());
    }

    @Test
    void aHandshakeIsAnsweredWhileTheSubscribeIsBeingRetried() throws Exception {
        // Microsoft Graph validates the URL while it handles the subscribe, here the retry after a 503
        answer("POST /graph", 503);
        CompletableFuture<Void> started = startRoute("graphfeed");
        String callback = json(awaitRequests("POST", "/graph", 1).get(0).body()).path("callbackUrl").asText();
        assertEquals(LogicWebhookConsumer.SubscriptionState.RETRYING, trigger("graphfeed").getSubscriptionState());
        var validation = service.post(callback + "&validationToken=token%20one", null, "Content-Type", "text/plain");
        assertEquals(200, validation.statusCode());
        assertEquals("token one", validation.body());
        advance(7_000);
        started.get(10, TimeUnit.SECONDS);
        assertEquals(LogicWebhookConsumer.SubscriptionState.SUBSCRIBED, trigger("graphfeed").getSubscriptionState());
    }

    @Test
    void anUnsubscribeThatFailsAsTheApplicationStopsIsRetriedOnceAtOnce() throws Exception {
        answer("POST /subscriptions");
        answer("DELETE /subscriptions/", 503);
        startRoute("feed").get(10, TimeUnit.SECONDS);
        EndpointStatistics statistics = trigger("feed").getEndpoint().getStatistics();
        // no clock moves: the stop does not wait for the policy's delay, and does not give up after one attempt
        context.stop();
        assertEquals(2, service.requests("DELETE", "/subscriptions/s-0").size());
        assertEquals(0, statistics.unsubscribeFailures());
    }

    @Test
    void aConnectionFailureIsRetried() throws Exception {
        int closed = AvailablePortFinder.getNextAvailable();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:unreachable?subscribeUri=http://127.0.0.1:" + closed + "/subscriptions"
                     + "&retryPolicy=fixed&retryCount=1&retryInterval=2s&requestTimeout=2s")
                        .routeId("unreachable").autoStartup(false).to("mock:unreachable");
            }
        });
        CompletableFuture<Void> started = startRoute("unreachable");
        await().until(() -> registry().scheduledTasks() == 1);
        advance(2_000);
        LogicWebhookSubscriptionException e = subscriptionFailure(assertThrows(Exception.class,
                () -> started.get(10, TimeUnit.SECONDS)));
        assertEquals(0, e.getStatusCode());
        assertTrue(e.getMessage().contains("after 1 retries"), e.getMessage());
    }
}
