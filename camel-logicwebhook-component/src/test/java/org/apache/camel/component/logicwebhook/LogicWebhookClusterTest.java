package org.apache.camel.component.logicwebhook;

import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.test.AvailablePortFinder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A trigger on several nodes that share a PostgreSQL wait store: Camel's cluster service (a file lock) lets one lead,
 * and the store keeps its subscription, so that the service holds one subscription per trigger through a kill -9 of the
 * leader and through a moment in which two nodes both believe they lead.
 */
class LogicWebhookClusterTest {

    @TempDir
    Path dir;
    private final AtomicInteger subscriptions = new AtomicInteger();
    /** The subscriptions the service holds now. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private FakeService service;
    private DataSource database;

    @BeforeEach
    void start() throws Exception {
        service = new FakeService();
        database = TestDatabases.POSTGRES.open();
        service.on("POST /subscriptions", r -> {
            String id = "sub-" + subscriptions.incrementAndGet();
            live.add(id);
            return FakeService.Answer.of(201, "{\"id\":\"" + id + "\"}");
        });
        service.on("DELETE /subscriptions/", r -> {
            live.remove(r.path().substring(r.path().lastIndexOf('/') + 1));
            return FakeService.Answer.of(204, null);
        });
    }

    @AfterEach
    void stop() {
        service.close();
        TestDatabases.close(database);
    }

    private ChildJvm node(String mode, String name, int port) throws Exception {
        return ChildJvm.start(ClusterTriggerApp.class, dir, mode, name, dir.resolve("cluster").toString(),
                String.valueOf(port), service.url(), TestDatabases.postgres().getJdbcUrl("postgres", "postgres"));
    }

    private String callbackUrl(int subscription) throws Exception {
        return LogicWebhookTestSupport.json(service.requests("POST", "/subscriptions").get(subscription - 1).body())
                .path("callbackUrl").asText();
    }

    @ParameterizedTest
    @ValueSource(strings = { "master", "policy" })
    void oneNodeLeadsAndAfterAKillItsSuccessorUnsubscribesWhatTheDeadLeaderLeft(String mode) throws Exception {
        // found, not released: the second cannot be the first
        int portA = AvailablePortFinder.find().getPort();
        int portB = AvailablePortFinder.find().getPort();
        try (ChildJvm a = node(mode, "node-a", portA)) {
            a.awaitLine("LEADER", 60);
            await().atMost(30, TimeUnit.SECONDS).until(() -> live.size() == 1);
            try (ChildJvm b = node(mode, "node-b", portB)) {
                b.awaitLine("FOLLOWER", 60);
                String callback = callbackUrl(1);
                assertEquals(202, service.post(callback, "{\"n\":1}").statusCode());
                // the follower answers honestly: the sender retries, and a load balancer may reach the leader
                assertEquals(503, service.post(callback.replace(":" + portA + "/", ":" + portB + "/"), "{\"n\":2}")
                        .statusCode());
                assertEquals(1, subscriptions.get(), "one subscription while both run");
                await().until(() -> service.requests("POST", "/events").size() == 1);
                assertTrue(service.requests("POST", "/events").get(0).body().contains("node-a"));

                long killed = System.nanoTime();
                a.kill();
                b.awaitLine("LEADER", 60);
                await().atMost(30, TimeUnit.SECONDS).until(() -> subscriptions.get() == 2 && live.size() == 1);
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                assertEquals(Set.of("sub-2"), live, "the dead leader's subscription was unsubscribed");
                System.out.printf("%s: one subscription again %d ms after the leader was killed%n", mode, millis);
                assertEquals(202, service.post(callbackUrl(2), "{\"n\":3}").statusCode());
                await().until(() -> service.requests("POST", "/events").size() == 2);
                assertTrue(service.requests("POST", "/events").get(1).body().contains("node-b"));
                b.stop();
            }
        }
        assertEquals(Set.of(), live, "the last leader unsubscribed when it stopped");
    }

    @Test
    void twoNodesThatBothBelieveTheyLeadEndWithOneSubscription() throws Exception {
        CountDownLatch firstSubscribing = new CountDownLatch(1);
        CountDownLatch answerFirst = new CountDownLatch(1);
        service.on("POST /subscriptions", r -> {
            int n = subscriptions.incrementAndGet();
            if (n == 1) {
                // the first node's subscribe is answered only once the second node subscribed and kept its own
                firstSubscribing.countDown();
                try {
                    answerFirst.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            live.add("sub-" + n);
            return FakeService.Answer.of(201, "{\"id\":\"sub-" + n + "\"}");
        });
        // found, not released: the second cannot be the first
        CamelContext first = node(AvailablePortFinder.find().getPort());
        CamelContext second = node(AvailablePortFinder.find().getPort());
        try {
            Thread starting = new Thread(first::start);
            starting.start();
            assertTrue(firstSubscribing.await(30, TimeUnit.SECONDS));
            second.start();
            assertEquals(Set.of("sub-2"), live);
            answerFirst.countDown();
            starting.join(30_000);
            // the first one's epoch is older: what it got is unsubscribed, the second one's stays
            await().atMost(30, TimeUnit.SECONDS).until(() -> live.equals(Set.of("sub-2")));
            LogicWebhookConsumer outdated = (LogicWebhookConsumer) first.getRoute("trigger").getConsumer();
            assertEquals(LogicWebhookConsumer.SubscriptionState.FAILED, outdated.getSubscriptionState());
            assertTrue(outdated.getLastError().contains("another node leads"), outdated.getLastError());
        } finally {
            answerFirst.countDown();
            first.stop();
            second.stop();
        }
        assertEquals(Set.of(), live);
    }

    @Test
    void callbacksThatReachAnotherNodeResumeEachWaitOnceOnItsOwnNode() throws Exception {
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job\"}"));
        TestClock clock = new TestClock();
        // found, not released: the second cannot be the first
        int portA = AvailablePortFinder.find().getPort();
        int portB = AvailablePortFinder.find().getPort();
        try (DurableApp a = new DurableApp(portA, service, database, clock, true, "", component -> {
        }).start();
             DurableApp b = new DurableApp(portB, service, database, clock, true, "", component -> {
             }).start()) {
            int waits = 50;
            java.util.List<java.util.concurrent.CompletableFuture<org.apache.camel.Exchange>> exchanges
                    = new java.util.ArrayList<>();
            for (int i = 0; i < waits; i++) {
                exchanges.add(a.startWait("order-" + i));
            }
            await().until(() -> service.requests("POST", "/jobs").size() == waits);
            await().until(() -> rows("subscribed = TRUE") == waits);
            for (FakeService.Recorded subscribe : service.requests("POST", "/jobs")) {
                com.fasterxml.jackson.databind.JsonNode body = LogicWebhookTestSupport.json(subscribe.body());
                String onB = body.path("callback").asText().replace(":" + portA + "/", ":" + portB + "/");
                assertEquals(200, service.post(onB, "approved " + body.path("order").asText()).statusCode());
                assertEquals(409, service.post(onB, "again").statusCode());
            }
            for (int i = 0; i < waits; i++) {
                org.apache.camel.Exchange done = exchanges.get(i).get(30, TimeUnit.SECONDS);
                assertEquals("approved order-" + i, done.getMessage().getBody(String.class), "each on its own node");
            }
            // marked delivered once the exchange was resumed
            await().until(() -> rows("state = 'COMPLETED' AND delivered = TRUE") == waits);
            assertEquals(0, b.resumed.size(), "nothing went to B's resumeUri: A was alive");
        }
    }

    @Test
    void fiveHundredWaitsOfANodeAreResumedThereFromAnotherNodeAndAfterAKillInItsResumeUriOnce() throws Exception {
        AtomicInteger jobs = new AtomicInteger();
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobs.incrementAndGet() + "\"}"));
        String store = TestDatabases.postgres().getJdbcUrl("postgres", "postgres");
        // found, not released: the second cannot be the first
        int portA = AvailablePortFinder.find().getPort();
        int portB = AvailablePortFinder.find().getPort();
        int waits = 500;
        try (ChildJvm a = ChildJvm.start(DurableWaitsApp.class, dir, String.valueOf(portA), service.url(), store,
                String.valueOf(waits), "0", "4000");
             ChildJvm b = ChildJvm.start(DurableWaitsApp.class, dir, String.valueOf(portB), service.url(), store, "0",
                     "0", "4000")) {
            a.awaitLine("READY", 120);
            b.awaitLine("READY", 120);
            java.util.List<com.fasterxml.jackson.databind.JsonNode> subscribes = new java.util.ArrayList<>();
            for (FakeService.Recorded subscribe : service.requests("POST", "/jobs")) {
                subscribes.add(LogicWebhookTestSupport.json(subscribe.body()));
            }
            assertEquals(waits, subscribes.size());
            // the first half: callbacks reach B, the exchanges waiting on A go on there
            for (com.fasterxml.jackson.databind.JsonNode subscribe : subscribes.subList(0, waits / 2)) {
                String onB = subscribe.path("callback").asText().replace(":" + portA + "/", ":" + portB + "/");
                assertEquals(200, service.post(onB, "approved " + subscribe.path("order").asText()).statusCode());
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> service.requests("POST", "/resumed").size() >= waits / 2);
            // then A is killed; the rest reach B, which takes them over once A is seen as gone
            a.kill();
            for (com.fasterxml.jackson.databind.JsonNode subscribe : subscribes.subList(waits / 2, waits)) {
                String onB = subscribe.path("callback").asText().replace(":" + portA + "/", ":" + portB + "/");
                assertEquals(200, service.post(onB, "approved " + subscribe.path("order").asText()).statusCode());
                assertEquals(409, service.post(onB, "again").statusCode());
            }
            await().atMost(60, TimeUnit.SECONDS).until(() -> service.requests("POST", "/resumed").size() >= waits);
            Set<String> orders = new java.util.HashSet<>();
            int live = 0;
            int orphans = 0;
            for (FakeService.Recorded resumed : service.requests("POST", "/resumed")) {
                com.fasterxml.jackson.databind.JsonNode report = LogicWebhookTestSupport.json(resumed.body());
                String order = report.path("order").asText();
                assertTrue(orders.add(order), "resumed twice: " + resumed.body());
                assertEquals("approved " + order, report.path("outcome").asText());
                if (report.path("waitId").asText().isEmpty()) {
                    live++;
                } else {
                    orphans++;
                }
            }
            assertEquals(waits / 2, live, "resumed on A, in its own exchange");
            assertEquals(waits / 2, orphans, "delivered to B's resumeUri");
        }
    }

    private long rows(String where) throws Exception {
        try (java.sql.Connection connection = database.getConnection();
             java.sql.Statement statement = connection.createStatement();
             java.sql.ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM logicwebhook_wait WHERE " + where)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** A node of the split: a trigger with no cluster service, on the shared store. */
    private CamelContext node(int port) throws Exception {
        CamelContext context = TestNode.context(port, component -> component.setWaitStoreDataSource(database));
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:orders?subscribeUri=" + service.url() + "/subscriptions"
                     + "&unsubscribeUri=RAW(" + service.url() + "/subscriptions/${variable.subscription[id]})")
                        .routeId("trigger").log("event ${body}");
            }
        });
        return context;
    }
}
