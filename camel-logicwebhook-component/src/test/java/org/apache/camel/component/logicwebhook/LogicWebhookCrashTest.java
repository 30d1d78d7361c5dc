package org.apache.camel.component.logicwebhook;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.test.AvailablePortFinder;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand waits pending in an application that is then killed (kill -9) or stopped, and started again on the same
 * H2 file, port and key: every callback reaches the resumeUri exactly once (duplicates of some answered 409), the waits
 * that expired meanwhile are unsubscribed and delivered as timed out, and the service keeps no subscription at the end.
 */
class LogicWebhookCrashTest {

    private static final int LONG = 900;
    private static final int QUICK = 100;
    private static final int DUPLICATED = 20;

    @TempDir
    Path dir;
    private int port;
    private final AtomicInteger jobs = new AtomicInteger();
    private final ExecutorService senders = Executors.newFixedThreadPool(32);
    private FakeService service;

    @BeforeEach
    void startService() throws Exception {
        service = new FakeService();
        port = AvailablePortFinder.getNextAvailable();
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobs.incrementAndGet() + "\"}"));
    }

    @AfterEach
    void stopService() {
        senders.shutdownNow();
        service.close();
    }

    @Test
    void afterAKillEveryWaitIsResumedOnceAndNoSubscriptionLeaks() throws Exception {
        recoverAfter(ChildJvm::kill);
    }

    @Test
    void afterAGracefulStopEveryWaitIsResumedOnceAndNoSubscriptionLeaks() throws Exception {
        recoverAfter(ChildJvm::stop);
    }

    /**
     * Waits resumed in memory whose unsubscribes the service failed, and were being retried when the JVM was killed:
     * the next start unsubscribes them again (the killed node's row says since when its unsubscribes may not have been
     * sent), and none of them reaches the resumeUri again.
     */
    @Test
    void afterAKillTheUnsubscribesThatWereBeingRetriedAreSentAgain() throws Exception {
        int waits = 20;
        AtomicBoolean unsubscribesFail = new AtomicBoolean(true);
        service.on("DELETE /jobs/", r -> unsubscribesFail.get() ? FakeService.Answer.of(503, "{}")
                : FakeService.Answer.of(204, ""));
        String store = TestDatabases.h2Url(dir);
        try (ChildJvm first = app(store, waits, 0)) {
            first.awaitLine("READY", 120);
            for (FakeService.Recorded subscribe : service.requests("POST", "/jobs")) {
                JsonNode body = LogicWebhookTestSupport.json(subscribe.body());
                assertEquals(200, post(body.path("callback").asText(), "approved " + body.path("order").asText()));
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> service.requests("POST", "/resumed").size() == waits
                                                            && service.requests("DELETE", "/jobs/").size() >= waits);
            first.kill();
        }
        int failed = service.requests("DELETE", "/jobs/").size();
        unsubscribesFail.set(false);

        try (ChildJvm second = app(store, 0, 0)) {
            second.awaitLine("READY", 120);
            try {
                await().atMost(60, TimeUnit.SECONDS).until(() -> service.requests("DELETE", "/jobs/").size() >= failed + waits);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError((service.requests("DELETE", "/jobs/").size() - failed) + " unsubscribed again;"
                                         + " the app said:\n" + String.join("\n", second.lines), e);
            }
            Set<String> again = new HashSet<>();
            for (FakeService.Recorded delete : service.requests("DELETE", "/jobs/").subList(failed, failed + waits)) {
                assertTrue(again.add(delete.path()), "unsubscribed twice: " + delete.path());
            }
            assertEquals(waits, again.size());
            // the live exchanges went on in the first JVM: nothing goes to the resumeUri again
            Thread.sleep(1_000);
            assertEquals(waits, service.requests("POST", "/resumed").size());
        }
    }

    private interface Ending {
        void end(ChildJvm app) throws Exception;
    }

    private void recoverAfter(Ending ending) throws Exception {
        String store = TestDatabases.h2Url(dir);
        try (ChildJvm first = app(store, LONG, QUICK)) {
            first.awaitLine("READY", 120);
            ending.end(first);
        }
        assertEquals(LONG + QUICK, service.requests("POST", "/jobs").size());
        assertEquals(0, service.requests("DELETE", "/jobs/").size(), "the first incarnation unsubscribed nothing");
        // the quick ones expire while nothing runs
        Thread.sleep(3_500);

        try (ChildJvm second = app(store, 0, 0)) {
            second.awaitLine("READY", 120);
            List<JsonNode> longWaits = new ArrayList<>();
            for (FakeService.Recorded subscribe : service.requests("POST", "/jobs")) {
                JsonNode body = LogicWebhookTestSupport.json(subscribe.body());
                if (body.path("callback").asText().contains("/approval/")) {
                    longWaits.add(body);
                }
            }
            assertEquals(LONG, longWaits.size());
            List<CompletableFuture<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < longWaits.size(); i++) {
                String callback = longWaits.get(i).path("callback").asText();
                String approval = "approved " + longWaits.get(i).path("order").asText();
                int copies = i < DUPLICATED ? 20 : 1;
                for (int copy = 0; copy < copies; copy++) {
                    answers.add(CompletableFuture.supplyAsync(() -> post(callback, approval), senders));
                }
            }
            Map<Integer, Integer> statuses = new HashMap<>();
            for (CompletableFuture<Integer> answer : answers) {
                statuses.merge(answer.get(60, TimeUnit.SECONDS), 1, Integer::sum);
            }
            assertEquals(Map.of(200, LONG, 409, DUPLICATED * 19), statuses);

            try {
                await().atMost(60, TimeUnit.SECONDS).until(() -> service.requests("POST", "/resumed").size() >= LONG + QUICK
                                                                && service.requests("DELETE", "/jobs/").size() >= LONG + QUICK);
            } catch (ConditionTimeoutException e) {
                throw new AssertionError(service.requests("POST", "/resumed").size() + " resumed and "
                                         + service.requests("DELETE", "/jobs/").size() + " unsubscribed; the app said:\n"
                                         + String.join("\n", second.lines), e);
            }
            Set<String> waitIds = new HashSet<>();
            int approved = 0;
            int timedOut = 0;
            for (FakeService.Recorded resumed : service.requests("POST", "/resumed")) {
                JsonNode report = LogicWebhookTestSupport.json(resumed.body());
                assertTrue(waitIds.add(report.path("waitId").asText()), "resumed twice: " + resumed.body());
                String outcome = report.path("outcome").asText();
                if (outcome.equals("approved " + report.path("order").asText())) {
                    approved++;
                } else if (outcome.equals("ExchangeTimedOutException")) {
                    timedOut++;
                }
            }
            assertEquals(LONG, approved);
            assertEquals(QUICK, timedOut);
            assertNoSubscriptionLeft();
        }
    }

    private int post(String callback, String body) {
        try {
            HttpResponse<String> answer = service.post(callback, body);
            return answer.statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every subscription the service granted was unsubscribed exactly once. */
    private void assertNoSubscriptionLeft() {
        Map<String, Integer> deletes = new HashMap<>();
        for (FakeService.Recorded delete : service.requests("DELETE", "/jobs/")) {
            deletes.merge(delete.path(), 1, Integer::sum);
        }
        for (int job = 1; job <= LONG + QUICK; job++) {
            assertEquals(1, deletes.getOrDefault("/jobs/job-" + job, 0), "unsubscribes of job-" + job);
        }
        assertEquals(LONG + QUICK, deletes.size());
    }

    private ChildJvm app(String store, int waits, int quick) throws Exception {
        return ChildJvm.start(DurableWaitsApp.class, dir, String.valueOf(port), service.url(), store,
                String.valueOf(waits), String.valueOf(quick));
    }
}
