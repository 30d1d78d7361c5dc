package org.apache.camel.component.logicwebhook;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.logicwebhook.wait.PendingWait;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.component.mock.MockEndpoint;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogicWebhookActionTest extends LogicWebhookTestSupport {

    private final TestClock clock = new TestClock();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    void configureComponent(LogicWebhookComponent component) {
        sweepByHand(component, clock);
    }

    @Override
    protected void doPreSetup() throws Exception {
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + ids.incrementAndGet() + "\"}"));
    }

    @Override
    protected RouteBuilder createRouteBuilder() {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:start")
                        .to("logicwebhook:approval?subscribeUri=" + service.url() + "/jobs"
                            + "&subscribeBody=RAW({\"order\":\"${body}\",\"callback\":\"${variable.callbackUrl}\","
                            + "\"failure\":\"${variable.failureUrl}\",\"heartbeat\":\"${variable.heartbeatUrl}\"})"
                            + "&unsubscribeUri=RAW(" + service.url() + "/jobs/${variable.subscription[id]})"
                            + "&timeout=PT10S&maxTimeout=25s")
                        .to("mock:done");

                from("direct:json")
                        .to("logicwebhook:jsonjob?subscribeUri=" + service.url() + "/jobs&jsonBody=true&timeout=1m")
                        .to("mock:json");
            }
        };
    }

    private WaitRegistry registry() {
        return component().getWaitRegistry();
    }

    /**
     * The subscribe requests, once each pending wait also holds its subscribe answer: the fake records a request before
     * the action has read the answer, and a timeout in between would find no unsubscribe request yet (it then fails the
     * exchange at once and unsubscribes when the answer comes).
     */
    private List<FakeService.Recorded> subscribed(int count) {
        List<FakeService.Recorded> requests = subscribes(count);
        await().until(() -> {
            for (PendingWait wait : registry().pending()) {
                if (!wait.isSubscribeOver()) {
                    return false;
                }
            }
            return true;
        });
        return requests;
    }

    /** The subscribe requests of the approval route, in order. */
    private List<FakeService.Recorded> subscribes(int count) {
        return awaitRequests("POST", "/jobs", count);
    }

    private String field(FakeService.Recorded subscribe, String name) throws Exception {
        return json(subscribe.body()).path(name).asText();
    }

    private Future<Exchange> start(String body) {
        return template.asyncSend("direct:start", e -> e.getMessage().setBody(body));
    }

    /** The fake's unsubscribe answer waits for {@code release}, after counting down {@code unsubscribing}. */
    private void holdUnsubscribes(CountDownLatch unsubscribing, CountDownLatch release) {
        service.on("DELETE /jobs/", r -> {
            unsubscribing.countDown();
            try {
                // released by the test; the bound only keeps a failing test from hanging
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return FakeService.Answer.of(204, null);
        });
    }

    /**
     * Sends the callback of a fresh wait and runs {@code rival} at the same instant from another thread.
     *
     * @return the callback's answer, and the exchange once completed
     */
    private Map.Entry<Integer, Exchange> raceCallbackAgainst(String order, Runnable rival) throws Exception {
        service.requests().clear();
        Future<Exchange> pending = start(order);
        String callback = field(subscribes(1).get(0), "callback");
        CyclicBarrier barrier = new CyclicBarrier(2);
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try {
            Future<Integer> answer = racers.submit(() -> {
                barrier.await();
                return service.post(callback, "racing").statusCode();
            });
            racers.submit(() -> {
                barrier.await();
                rival.run();
                return null;
            }).get(10, TimeUnit.SECONDS);
            return Map.entry(answer.get(10, TimeUnit.SECONDS), pending.get(10, TimeUnit.SECONDS));
        } finally {
            racers.shutdown();
        }
    }

    @Test
    void theCallbackResumesTheExchangeWithItsBodyHeadersAndStatus() throws Exception {
        Future<Exchange> pending = start("order-1");
        FakeService.Recorded subscribe = subscribes(1).get(0);
        assertEquals("order-1", field(subscribe, "order"));
        assertEquals("approval", subscribe.header("x-ms-workflow-operation-name"));
        assertEquals("application/json", subscribe.header("Content-Type"), "a JSON body template is sent as JSON");
        String callback = field(subscribe, "callback");
        assertTrue(callback.contains("/logicwebhook/approval/"), callback);
        assertFalse(pending.isDone());

        HttpResponse<String> answer = service.post(callback, "{\"approved\":true}", "Content-Type", "application/json",
                "X-Approver", "alice");
        assertEquals(200, answer.statusCode());

        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("{\"approved\":true}", done.getMessage().getBody(String.class));
        assertEquals("alice", done.getMessage().getHeader("X-Approver"));
        assertEquals(200, done.getMessage().getHeader(LogicWebhookConstants.STATUS_CODE));
        assertEquals(callback, done.getMessage().getHeader(LogicWebhookConstants.CALLBACK_URL));
        // unsubscribed with the id the service gave
        assertEquals("/jobs/job-1", awaitRequests("DELETE", "/jobs/", 1).get(0).path());
        assertEquals(0, registry().size());
        // the same URL again: already completed
        assertEquals(409, service.post(callback, "{}").statusCode());
    }

    @Test
    void aCallbackBeforeTheSubscribeAnswerResumesAndStillUnsubscribes() throws Exception {
        List<Integer> earlyAnswers = new CopyOnWriteArrayList<>();
        service.on("POST /jobs", r -> {
            try {
                earlyAnswers.add(service.post(field(r, "callback"), "early").statusCode());
            } catch (Exception e) {
                earlyAnswers.add(-1);
            }
            return FakeService.Answer.of(201, "{\"id\":\"job-early\"}");
        });
        Exchange done = start("order-early").get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("early", done.getMessage().getBody(String.class));
        await().until(() -> !earlyAnswers.isEmpty());
        assertEquals(List.of(200), earlyAnswers);
        assertEquals("/jobs/job-early", awaitRequests("DELETE", "/jobs/", 1).get(0).path());
    }

    @Test
    void fiftyConcurrentDuplicatesResumeExactlyOnce() throws Exception {
        MockEndpoint mock = getMockEndpoint("mock:done");
        mock.expectedMessageCount(1);
        Future<Exchange> pending = start("order-dup");
        String callback = field(subscribes(1).get(0), "callback");

        ExecutorService senders = Executors.newFixedThreadPool(50);
        CyclicBarrier barrier = new CyclicBarrier(50);
        List<Future<Integer>> answers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            int n = i;
            answers.add(senders.submit(() -> {
                barrier.await();
                return service.post(callback, "copy-" + n).statusCode();
            }));
        }
        int ok = 0;
        int conflict = 0;
        for (Future<Integer> answer : answers) {
            int status = answer.get(30, TimeUnit.SECONDS);
            if (status == 200) {
                ok++;
            } else if (status == 409) {
                conflict++;
            }
        }
        senders.shutdown();
        assertEquals(1, ok);
        assertEquals(49, conflict);
        assertTrue(pending.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class).startsWith("copy-"));
        mock.assertIsSatisfied();
    }

    @Test
    void aTimeoutUnsubscribesThenFailsWithExchangeTimedOutAndALateCallbackIsGone() throws Exception {
        Future<Exchange> pending = start("order-slow");
        String callback = field(subscribed(1).get(0), "callback");

        clock.advance(9_999);
        registry().sweep();
        assertFalse(pending.isDone(), "not yet due");

        clock.advance(1);
        registry().sweep();
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertInstanceOf(ExchangeTimedOutException.class, done.getException());
        assertEquals(1, service.requests("DELETE", "/jobs/job-1").size(), "unsubscribed before failing");
        assertEquals(410, service.post(callback, "late").statusCode());
        assertEquals(0, registry().size());
    }

    @Test
    void aCallbackWhileTheTimeoutIsUnsubscribingIsGoneAndResumesNothing() throws Exception {
        CountDownLatch unsubscribing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        holdUnsubscribes(unsubscribing, release);
        Future<Exchange> pending = start("order-race");
        String callback = field(subscribed(1).get(0), "callback");

        clock.advance(10_000);
        registry().sweep();
        assertTrue(unsubscribing.await(10, TimeUnit.SECONDS));
        // the timeout owns the wait now, and is mid-unsubscribe
        assertEquals(410, service.post(callback, "too late").statusCode());
        assertFalse(pending.isDone());
        release.countDown();

        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertInstanceOf(ExchangeTimedOutException.class, done.getException());
        assertNotEquals("too late", done.getMessage().getBody(String.class));
    }

    @Test
    void aCallbackThatWinsMakesTheTimeoutANoOp() throws Exception {
        Future<Exchange> pending = start("order-win");
        String callback = field(subscribes(1).get(0), "callback");
        assertEquals(200, service.post(callback, "in time").statusCode());
        clock.advance(60_000);
        registry().sweep();
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("in time", done.getMessage().getBody(String.class));
    }

    @Test
    void callbackAndTimeoutRacingFromTwoThreadsCompleteEachExchangeOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            assertCompletedOnce(raceCallbackAgainst("order-" + round, () -> {
                clock.advance(10_000);
                registry().sweep();
            }), ExchangeTimedOutException.class);
        }
    }

    /** Either the callback won (200, resumed with its body) or the rival did (410, failed with its exception). */
    private void assertCompletedOnce(Map.Entry<Integer, Exchange> result, Class<? extends Exception> rivalFailure) {
        Exchange done = result.getValue();
        if (result.getKey() == 200) {
            assertNull(done.getException());
            assertEquals("racing", done.getMessage().getBody(String.class));
        } else {
            assertEquals(410, result.getKey());
            assertInstanceOf(rivalFailure, done.getException());
        }
        assertEquals(0, registry().size());
    }

    @Test
    void aCallbackWhileAShutdownCancelsIsGoneAndResumesNothing() throws Exception {
        CountDownLatch unsubscribing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        holdUnsubscribes(unsubscribing, release);
        Future<Exchange> pending = start("order-stop");
        String callback = field(subscribes(1).get(0), "callback");

        // what the context-stopping notifier does
        registry().cancel(null, "the Camel context is stopping");
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertInstanceOf(LogicWebhookCancelledException.class, done.getException(), "failed promptly");
        assertTrue(unsubscribing.await(10, TimeUnit.SECONDS));
        assertEquals(410, service.post(callback, "too late").statusCode());
        release.countDown();
        assertInstanceOf(LogicWebhookCancelledException.class, done.getException());
        assertNotEquals("too late", done.getMessage().getBody(String.class));
    }

    @Test
    void callbackAndShutdownRacingFromTwoThreadsCompleteEachExchangeOnce() throws Exception {
        for (int round = 0; round < 20; round++) {
            assertCompletedOnce(raceCallbackAgainst("order-" + round,
                    () -> registry().cancel(null, "racing a shutdown")),
                    LogicWebhookCancelledException.class);
        }
    }

    @Test
    void aFailureCallbackFailsTheExchangeWithTheCallbacksBodyAndStatus() throws Exception {
        Future<Exchange> pending = start("order-bad");
        String failure = field(subscribes(1).get(0), "failure");
        assertEquals(200, service.post(failure + "&status=422", "{\"reason\":\"rejected\"}", "X-Reason", "policy")
                .statusCode());
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        LogicWebhookCallbackFailedException e
                = assertInstanceOf(LogicWebhookCallbackFailedException.class, done.getException());
        assertEquals("{\"reason\":\"rejected\"}", new String((byte[]) e.getBody()));
        assertEquals("policy", e.getHeaders().get("X-Reason"));
        assertEquals(422, e.getStatusCode());
        awaitRequests("DELETE", "/jobs/job-1", 1);
    }

    @Test
    void heartbeatsExtendTheWaitButNeverPastTheHardMaximum() throws Exception {
        Future<Exchange> pending = start("order-long");
        FakeService.Recorded subscribe = subscribed(1).get(0);
        String heartbeat = field(subscribe, "heartbeat");

        clock.advance(8_000);
        assertEquals(202, service.post(heartbeat, "").statusCode()); // due at 18 s now
        clock.advance(7_000);
        registry().sweep();
        assertFalse(pending.isDone(), "the heartbeat moved the deadline");
        clock.advance(2_000);
        assertEquals(202, service.post(heartbeat, "").statusCode()); // 27 s wanted, 25 s allowed
        clock.advance(7_999);
        registry().sweep();
        assertFalse(pending.isDone());
        clock.advance(1);
        registry().sweep();
        ExchangeTimedOutException timedOut
                = assertInstanceOf(ExchangeTimedOutException.class, pending.get(10, TimeUnit.SECONDS).getException());
        assertEquals(25_000, timedOut.getTimeout(), "the whole wait, heartbeats included, not the 10 s timeout");
        assertEquals(410, service.post(heartbeat, "").statusCode());
    }

    @Test
    void aFailedSubscribeFailsTheExchangeAndLeavesNothingRegistered() throws Exception {
        // a 4xx is not retried
        service.on("POST /jobs", r -> FakeService.Answer.of(422, "{\"error\":\"unknown order\"}"));
        Exchange done = start("order-x").get(10, TimeUnit.SECONDS);
        LogicWebhookSubscriptionException e
                = assertInstanceOf(LogicWebhookSubscriptionException.class, done.getException());
        assertTrue(e.getMessage().contains("422") && e.getMessage().contains("unknown order"), e.getMessage());
        assertTrue(e.getMessage().contains(service.url() + "/jobs"), e.getMessage());
        assertEquals(0, registry().size());
    }

    @Test
    void unknownAndForgedCallbacksAreRefused() throws Exception {
        start("order-f");
        String callback = field(subscribes(1).get(0), "callback");
        String base = "http://127.0.0.1:" + port + "/logicwebhook/approval/";
        String unknownId = "AAAAAAAAAAAAAAAAAAAAAA";
        assertEquals(404, service.post(base + unknownId + "?sig=" + component().getSigner().sign("approval/" + unknownId, null),
                "{}").statusCode());
        assertEquals(401, service.post(callback.replaceAll("sig=.*", "sig=forged"), "{}").statusCode());
        String otherName = callback.replace("/approval/", "/jsonjob/");
        String path = otherName.substring(otherName.indexOf("/logicwebhook/") + 14, otherName.indexOf('?'));
        assertEquals(404, service.post(otherName.replaceAll("sig=.*", "sig=" + component().getSigner().sign(path, null)), "{}")
                .statusCode(), "a wait answers only under its own endpoint name");
        assertEquals(405, service.send("GET", callback, null).statusCode());
        assertEquals(1, registry().size());
    }

    @Test
    void jsonBodiesAreUnmarshalledAndMalformedOnesLeaveTheWaitPending() throws Exception {
        Future<Exchange> pending = template.asyncSend("direct:json", e -> e.getMessage().setBody("x"));
        String callback = json(subscribes(1).get(0).body()).path("callbackUrl").asText();
        assertEquals(400, service.post(callback, "{\"approved\": tru").statusCode());
        assertFalse(pending.isDone());
        assertEquals(200, service.post(callback, "{\"approved\": true}").statusCode());
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertEquals(Map.of("approved", true), done.getMessage().getBody());
    }

    @Test
    void stoppingTheRouteCancelsItsWaitsAndUnsubscribes() throws Exception {
        Future<Exchange> first = start("order-a");
        Future<Exchange> second = start("order-b");
        subscribes(2);
        // a route stopping alone waits for its in-flight exchanges for the stop timeout given, then its waits are
        // cancelled (a context stop cancels them at once: LogicWebhookShutdownTest)
        context.getRouteController().stopRoute(context.getRoutes().get(0).getRouteId(), 1, TimeUnit.SECONDS);
        assertInstanceOf(LogicWebhookCancelledException.class, first.get(10, TimeUnit.SECONDS).getException());
        assertInstanceOf(LogicWebhookCancelledException.class, second.get(10, TimeUnit.SECONDS).getException());
        awaitRequests("DELETE", "/jobs/", 2);
        assertEquals(0, registry().size());
    }

    @Test
    void aRedeliverySubscribesAgainWithAFreshUrlAndTheOldOneIsGone() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:retry").errorHandler(defaultErrorHandler().maximumRedeliveries(1).redeliveryDelay(0))
                        .to("logicwebhook:retried?subscribeUri=" + service.url() + "/jobs&timeout=5s");
            }
        });
        Future<Exchange> pending = template.asyncSend("direct:retry", e -> e.getMessage().setBody("r"));
        String first = json(subscribes(1).get(0).body()).path("callbackUrl").asText();
        clock.advance(5_000);
        registry().sweep();
        String second = json(subscribes(2).get(1).body()).path("callbackUrl").asText();
        assertNotEquals(first, second);
        assertEquals(410, service.post(first, "old").statusCode());
        assertEquals(200, service.post(second, "new").statusCode());
        Exchange done = pending.get(10, TimeUnit.SECONDS);
        assertNull(done.getException());
        assertEquals("new", done.getMessage().getBody(String.class));
        await().until(() -> registry().size() == 0);
    }
}
