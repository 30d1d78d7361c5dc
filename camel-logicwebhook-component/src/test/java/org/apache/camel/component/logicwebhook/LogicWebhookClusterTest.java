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
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
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
        int portA = AvailablePortFinder.getNextAvailable();
        int portB = AvailablePortFinder.getNextAvailable();
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
        CamelContext first = node(AvailablePortFinder.getNextAvailable());
        CamelContext second = node(AvailablePortFinder.getNextAvailable());
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

    /** A node of the split: a trigger with no cluster service, on the shared store. */
    private CamelContext node(int port) throws Exception {
        CamelContext context = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost("127.0.0.1");
        http.setBindPort(port);
        context.addService(new VertxPlatformHttpServer(http));
        LogicWebhookComponent component = new LogicWebhookComponent();
        component.setSigningKey(LogicWebhookTestSupport.SIGNING_KEY);
        component.getConfiguration().setCallbackBaseUrl("http://127.0.0.1:" + port);
        component.setWaitStoreDataSource(database);
        context.addComponent("logicwebhook", component);
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
