package org.apache.camel.component.logicwebhook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import javax.sql.DataSource;

import org.apache.camel.Exchange;
import org.apache.camel.ExchangeTimedOutException;
import org.apache.camel.component.logicwebhook.callback.CallbackDispatcher;
import org.apache.camel.component.logicwebhook.store.JdbcWaitStore;
import org.apache.camel.component.logicwebhook.store.StoredWait;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.apache.camel.component.logicwebhook.wait.CallbackResult;
import org.apache.camel.component.logicwebhook.wait.Orphans;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.apache.camel.test.AvailablePortFinder;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Durable waits on both stores: an embedded H2 file and a real PostgreSQL server. Each test stops and starts the
 * application on the same port, key and database, as a redeploy does, against a fake service that records what it got.
 */
class LogicWebhookWaitStoreTest {

    private int port;
    private final TestClock clock = new TestClock();
    private final AtomicInteger jobs = new AtomicInteger();
    private final List<DurableApp> apps = new ArrayList<>();
    private FakeService service;
    private DataSource database;

    private void setUp(TestDatabases store) throws Exception {
        service = new FakeService();
        port = AvailablePortFinder.getNextAvailable();
        service.on("POST /jobs", r -> FakeService.Answer.of(201, "{\"id\":\"job-" + jobs.incrementAndGet() + "\"}"));
        database = store.open();
    }

    @AfterEach
    void tearDown() {
        apps.forEach(DurableApp::close);
        if (service != null) {
            service.close();
        }
        TestDatabases.close(database);
    }

    private DurableApp app(boolean resumeUri) throws Exception {
        return app(resumeUri, "", component -> {
        });
    }

    private DurableApp app(boolean resumeUri, String options, Consumer<LogicWebhookComponent> configure)
            throws Exception {
        DurableApp app = new DurableApp(port, service, database, clock, resumeUri, options, configure);
        apps.add(app);
        return app.start();
    }

    /** The callback URLs the service was given, ordered by the order they were for (order-1, order-2, …). */
    private List<String> callbackUrls(int count, String field) throws Exception {
        await().until(() -> service.requests("POST", "/jobs").size() >= count);
        List<String> urls = new ArrayList<>();
        List<FakeService.Recorded> subscribes = new ArrayList<>(service.requests("POST", "/jobs"));
        subscribes.sort(java.util.Comparator.comparing(FakeService.Recorded::body));
        for (FakeService.Recorded subscribe : subscribes) {
            urls.add(LogicWebhookTestSupport.json(subscribe.body()).path(field).asText());
        }
        return urls;
    }

    /**
     * A first start of the application (its action with a resumeUri) leaves one wait pending, subscribed, and stops
     * (handing it over).
     *
     * @return its callback URL
     */
    private String oneWaitHandedOver() throws Exception {
        DurableApp first = app(true);
        first.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);
        first.close();
        return callback;
    }

    /** A first start of the application leaves this many waits pending, subscribed, and stops (handing them over). */
    private void waitsHandedOver(int waits) throws Exception {
        DurableApp first = app(true);
        for (int i = 0; i < waits; i++) {
            first.startWait("order-" + i);
        }
        await().until(() -> rows("subscribed = TRUE") == waits);
        first.close();
    }

    /** The next start, past the wait's deadline, unsubscribes the one orphan and then delivers it as timed out. */
    private void timedOutOrphanDeliveredByTheNextStart() throws Exception {
        clock.advance(11_000);
        DurableApp second = app(true);
        second.sweep();
        await().until(() -> second.resumed.size() == 1);
        assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());
        assertEquals(1, deletes().size(), "unsubscribed before it was delivered");
    }

    /** Writes waits to the store as another node, or an earlier run, left them. */
    private void insert(List<StoredWait> waits) {
        JdbcWaitStore store = new JdbcWaitStore(database);
        store.start();
        try {
            waits.forEach(store::insert);
        } finally {
            store.stop();
        }
    }

    private long nodes() throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM logicwebhook_node")) {
            result.next();
            return result.getLong(1);
        }
    }

    private long rows(String where) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery("SELECT COUNT(*) FROM logicwebhook_wait WHERE " + where)) {
            result.next();
            return result.getLong(1);
        }
    }

    private List<FakeService.Recorded> deletes() {
        return service.requests("DELETE", "/jobs/");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void theSchemaIsCreatedAndALiveWaitResumesInMemory(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp app = app(true);
        CompletableFuture<Exchange> done = app.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("state = 'PENDING' AND subscribed = TRUE") == 1);
        // JMX and the meters show the store's waits as of its last heartbeat
        clock.advance(6_000);
        app.sweep();
        await().until(() -> app.meters.get("logicwebhook.store.waits").tag("state", "pending").gauge().value() == 1.0);
        assertEquals(1, app.component().getStoredWaitsPending());

        assertEquals(200, service.post(callback, "approved").statusCode());
        Exchange exchange = done.get(10, TimeUnit.SECONDS);
        assertNull(exchange.getException());
        assertEquals("approved", exchange.getMessage().getBody(String.class));
        assertEquals(1, rows("state = 'COMPLETED' AND delivered = TRUE"));
        // the live path resumed its own exchange: nothing went to the resumeUri on its own
        assertEquals(1, app.resumed.size());
        assertNull(app.resumed.get(0).waitId());
        assertEquals(409, service.post(callback, "again").statusCode());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aGracefulStopHandsWaitsOverAndTheNextStartResumesThemInTheResumeUri(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp first = app(true);
        Future<Exchange> one = first.startWait("order-1");
        Future<Exchange> two = first.startWait("order-2");
        List<String> callbacks = callbackUrls(2, "callback");
        List<String> failures = callbackUrls(2, "failure");
        await().until(() -> rows("subscribed = TRUE") == 2);
        LogicWebhookEndpoint endpoint = first.context.getEndpoints().stream()
                .filter(LogicWebhookEndpoint.class::isInstance).map(LogicWebhookEndpoint.class::cast).findFirst()
                .orElseThrow();

        first.close();
        assertInstanceOf(LogicWebhookHandedOverException.class, one.get(10, TimeUnit.SECONDS).getException());
        assertInstanceOf(LogicWebhookHandedOverException.class, two.get(10, TimeUnit.SECONDS).getException());
        // JMX counts them apart from the cancelled ones
        assertEquals(2, endpoint.getWaitsHandedOver());
        assertEquals(0, endpoint.getWaitsCancelled());
        assertEquals(0, deletes().size(), "a redeploy keeps the subscriptions");

        DurableApp second = app(true);
        assertEquals(200, service.post(callbacks.get(0), "approved", "X-Approver", "alice",
                "Authorization", "Bearer callback-secret", "Cookie", "session=callback-secret").statusCode());
        await().until(() -> second.resumed.size() == 1);
        DurableApp.Resumed resumed = second.resumed.get(0);
        assertEquals("approved", new String((byte[]) resumed.body()));
        // the callback's headers, but never a credential: the store keeps none
        Map<String, Object> headers = new org.apache.camel.util.CaseInsensitiveMap(resumed.headers());
        assertEquals("alice", headers.get("X-Approver"), "headers: " + headers.keySet());
        assertNull(headers.get("Authorization"));
        assertNull(headers.get("Cookie"));
        assertEquals(0, rows("result LIKE '%callback-secret%'"));
        assertEquals(idOf(callbacks.get(0)), resumed.waitId());
        assertEquals("order-1", resumed.headers().get("X-Order"), "snapshot header kept");
        assertEquals("customer of order-1", resumed.variables().get("customer"));
        assertEquals(200, resumed.headers().get(LogicWebhookConstants.STATUS_CODE));
        assertEquals(409, service.post(callbacks.get(0), "approved again").statusCode());
        await().until(() -> deletes().size() == 1);

        // the other one fails on its failure URL: delivered with the exception the action would have thrown
        assertEquals(200, service.post(failures.get(1) + "&status=422", "rejected").statusCode());
        await().until(() -> second.resumed.size() == 2);
        assertInstanceOf(LogicWebhookCallbackFailedException.class, second.resumed.get(1).exception());
        assertEquals(2, rows("delivered = TRUE AND state <> 'PENDING'"));
        await().until(() -> deletes().size() == 2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void waitsFinishedLongerAgoThanTheRetentionArePurgedWithTheNodeRowsNoWaitNeeds(TestDatabases store)
            throws Exception {
        setUp(store);
        DurableApp first = app(true);
        CompletableFuture<Exchange> old = first.startWait("order-1");
        assertEquals(200, service.post(callbackUrls(1, "callback").get(0), "approved").statusCode());
        assertNull(old.get(10, TimeUnit.SECONDS).getException());
        first.close();

        // a week (finishedWaitsRetention's default) and an hour later, the next start finishes a wait of its own
        clock.advance(7 * 86_400_000L + 3_600_000);
        DurableApp second = app(true);
        CompletableFuture<Exchange> recent = second.startWait("order-2");
        String recentCallback = callbackUrls(2, "callback").get(1);
        assertEquals(200, service.post(recentCallback, "approved").statusCode());
        assertNull(recent.get(10, TimeUnit.SECONDS).getException());
        assertEquals(2, rows("TRUE"));
        assertEquals(2, nodes());

        // its first heartbeat purges the wait finished a week ago, and the first start's row: no wait needs it
        second.sweep();
        await().until(() -> rows("TRUE") == 1 && nodes() == 1);
        assertEquals(1, rows("id = '" + idOf(recentCallback) + "'"));
    }

    /**
     * An adoption writes each orphan it read with its conditions again, and times out those it was asked to in the same
     * write: between its read and its write, another node adopts one, a heartbeat moves one's deadline and a callback
     * claims one; those three are not taken, and the callback's claim stands.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anAdoptionTimesOutOnlyWhatIsStillPendingPastItsDeadlineAndTakesNothingAnotherTookFirst(TestDatabases store)
            throws Exception {
        setUp(store);
        JdbcWaitStore waits = new JdbcWaitStore(database);
        waits.start();
        try {
            long now = clock.millis();
            waits.heartbeat("gone", now);
            waits.stopped("gone");
            for (String id : List.of("a", "b", "c", "d", "e")) {
                long deadline = id.equals("d") ? now + 60_000 : now - 1_000;
                waits.insert(new StoredWait(id, "hold", "gone", false, WaitStore.PENDING, true, now - 20_000, deadline,
                        now + 86_400_000, null, null, null, false));
            }
            assertEquals(5, waits.adoptable("me", now, Set.of("hold"), 10).size());

            waits.heartbeat("other", now);
            assertTrue(waits.adoptOne("other", now, "e"));
            assertTrue(waits.extend("b", now + 60_000));
            assertTrue(waits.finish("c", "COMPLETED", "{}", false, now));
            Set<String> adopted = waits.adopt("me", now, List.of("a", "b", "c", "d", "e"), Set.of("a", "b", "c", "e"),
                    "TIMED_OUT", now);

            assertEquals(Set.of("a", "d"), adopted);
            assertEquals(1, rows("id = 'a' AND owner = 'me' AND adopted = TRUE AND state = 'TIMED_OUT'"
                                 + " AND delivered = FALSE AND finished_at = " + now));
            assertEquals(1, rows("id = 'b' AND owner = 'gone' AND state = 'PENDING'"));
            assertEquals(1, rows("id = 'c' AND owner = 'gone' AND state = 'COMPLETED'"));
            assertEquals(1, rows("id = 'd' AND owner = 'me' AND adopted = TRUE AND state = 'PENDING'"));
            assertEquals(1, rows("id = 'e' AND owner = 'other'"));
            assertEquals(List.of("b", "c"), waits.adoptable("me", now, Set.of("hold"), 10).stream().map(StoredWait::id).sorted().toList());
        } finally {
            waits.stop();
        }
    }

    /**
     * A pool that hands out connections with auto-commit off (Spring Boot's
     * {@code spring.datasource.hikari.auto-commit=false}), and rolls back what was left uncommitted when one goes back,
     * as pools do: no write of the store is lost (the heartbeats, the adoption of an orphan for its callback, its
     * delivered mark), and the orphan is delivered once.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aPoolWhoseConnectionsDoNotAutoCommitLosesNoWrite(TestDatabases store) throws Exception {
        setUp(store);
        DataSource real = database;
        database = withoutAutoCommit(real);
        try {
            String callback = oneWaitHandedOver();
            DurableApp second = app(true);
            assertEquals(200, service.post(callback, "approved").statusCode());
            await().until(() -> second.resumed.size() == 1);
            assertEquals(2, nodes(), "the heartbeats of both starts");
            await().until(() -> rows("state = 'COMPLETED' AND delivered = TRUE") == 1);
            clock.advance(6_000);
            second.sweep();
            await().until(() -> orphanWorkIdle(second));
            assertEquals(1, second.resumed.size(), "delivered once");
        } finally {
            apps.forEach(DurableApp::close);
            database = real;
        }
    }

    /** Connections with auto-commit off, rolled back when closed unless committed, as a pool does. */
    private static DataSource withoutAutoCommit(DataSource database) {
        ClassLoader loader = LogicWebhookWaitStoreTest.class.getClassLoader();
        return (DataSource) Proxy.newProxyInstance(loader, new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
            Object made = invoke(method, database, args);
            if (!(made instanceof Connection connection)) {
                return made;
            }
            connection.setAutoCommit(false);
            return Proxy.newProxyInstance(loader, new Class<?>[] { Connection.class }, (p, m, a) -> {
                if (m.getName().equals("close") && !connection.isClosed() && !connection.getAutoCommit()) {
                    connection.rollback();
                }
                return invoke(m, connection, a);
            });
        });
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anOrphanPastItsDeadlineIsUnsubscribedThenDeliveredAsTimedOut(TestDatabases store) throws Exception {
        setUp(store);
        oneWaitHandedOver();

        timedOutOrphanDeliveredByTheNextStart();
        // its batch's delivered marks are written once the batch is settled: just after
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == 1);
        assertEquals(410, service.post(callbackUrls(1, "callback").get(0), "late").statusCode());
    }

    /**
     * The resumeUri route fails three times: the orphan is delivered again (with the same wait id) one heartbeat interval
     * after the first failure, then twice as long after each failure (5, 10, 20 s: at the first heartbeat from then on),
     * until the route takes it, and marked delivered then; its unsubscribe was sent once, not with each delivery tried
     * again. The first failure is logged at WARN, the others at DEBUG, and the route taking orphans again at INFO.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aDeliveryWhoseRouteFailsIsMadeAgainLaterAndLaterWithoutUnsubscribingAgain(TestDatabases store)
            throws Exception {
        setUp(store);
        oneWaitHandedOver();
        clock.advance(11_000);
        DurableApp second = app(true);
        second.failDeliveries.set(3);
        List<String> logged = new CopyOnWriteArrayList<>();
        try (AutoCloseable capture = captureLog(Orphans.class, Level.INFO, logged)) {
            // a heartbeat every 6 s: tried at 0 s, failed; 6 s (>= 0 + 5), failed; 18 s (>= 6 + 10), failed;
            // 42 s (>= 18 + 20), delivered
            List<Integer> triedAt = List.of(0, 6, 18, 42);
            for (int at = 0; at <= 42; at += 6) {
                if (at > 0) {
                    clock.advance(6_000);
                }
                second.sweep();
                int now = at;
                int tried = (int) triedAt.stream().filter(t -> t <= now).count();
                await().until(() -> second.deliveriesTried.get() >= tried && orphansSettled(second));
                assertEquals(tried, second.deliveriesTried.get(), "deliveries tried by " + at + " s");
                if (at < 42) {
                    assertEquals(0, second.resumed.size(), "delivered at " + at + " s");
                }
            }
            await().until(() -> second.resumed.size() == 1);
        }
        assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == 1);
        assertEquals(1, deletes().size(), "unsubscribed once, not with each delivery tried again");
        assertEquals(1, logged.stream().filter(line -> line.startsWith("WARN") && line.contains("resumeUri failed")).count(),
                String.join("\n", logged));
        assertEquals(1, logged.stream().filter(line -> line.startsWith("INFO") && line.contains("takes orphaned waits again"))
                .count(), String.join("\n", logged));
    }

    /**
     * A batch's worth of finished orphans whose delivery fails every time (a poisoned outcome the resumeUri route
     * cannot take) does not keep another orphan of the same action from being delivered: once their delivery is put
     * off, the heartbeat's read of the work finds it. They come first in the store's index (earlier deadlines), so a
     * read of the work, 200 at a time, found only them at every heartbeat.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void orphansWhoseDeliveryKeepsFailingDoNotKeepAnotherFromBeingDelivered(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp app = app(true);
        app.failWaits = id -> id.startsWith("poisoned-");
        String incarnation = app.component().getWaitRegistry().incarnation();
        long now = clock.millis();
        List<StoredWait> waits = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            waits.add(new StoredWait("poisoned-" + i, DurableApp.ACTION, incarnation, true, "TIMED_OUT", true, now - 2_000,
                    now - 1_000, now - 1_000, null, null, null, false));
        }
        waits.add(new StoredWait("healthy", DurableApp.ACTION, incarnation, true, "TIMED_OUT", true, now - 2_000, now,
                now, null, null, null, false));
        insert(waits);

        // a heartbeat every 6 s: the poisoned ones are tried at 0 s and 6 s (put off 5 s), then put off 10 s
        int[] poisonedTried = {200, 400, 400};
        for (int heartbeat = 0; heartbeat < poisonedTried.length; heartbeat++) {
            if (heartbeat > 0) {
                clock.advance(6_000);
            }
            app.sweep();
            int tried = poisonedTried[heartbeat];
            await().until(() -> app.deliveriesTried.get() >= tried && orphansSettled(app));
        }
        await().until(() -> app.resumed.size() == 1);
        assertEquals("healthy", app.resumed.get(0).waitId());
        assertEquals(401, app.deliveriesTried.get());
        // their last failure was at the heartbeat before (6 s ago), their second in a row
        assertEquals(200, rows("id LIKE 'poisoned-%' AND delivered = FALSE AND deliver_after = "
                               + (clock.millis() - 6_000 + 10_000)));
    }

    /**
     * The database fails after a batch adopted (and timed out) an orphan, as it reads the rest of its work: the orphan is
     * let go, so that the next heartbeat delivers it. It stayed guarded as "being worked on", never delivered (nor
     * taken by another node: this one is alive) until the next start.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anOrphanAdoptedByABatchThatFailsAfterwardsIsDeliveredByTheNextHeartbeat(TestDatabases store) throws Exception {
        setUp(store);
        oneWaitHandedOver();
        clock.advance(11_000);
        AtomicInteger reads = new AtomicInteger();
        JdbcWaitStore failingOnce = new JdbcWaitStore(database) {
            @Override
            public List<StoredWait> expiredOrphans(String incarnation, Collection<String> endpoints, long now, int max) {
                if (reads.incrementAndGet() == 1) {
                    throw new LogicWebhookStoreException("the wait store failed: Connection reset", null);
                }
                return super.expiredOrphans(incarnation, endpoints, now, max);
            }
        };
        DurableApp second = app(true, "", component -> component.setWaitStore(failingOnce));
        second.sweep();
        await().until(() -> reads.get() == 1 && orphanWorkIdle(second));
        assertEquals(1, rows("adopted = TRUE AND state = 'TIMED_OUT' AND delivered = FALSE"));

        clock.advance(6_000);
        second.sweep();
        await().until(() -> second.resumed.size() == 1);
        assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());
        await().until(() -> deletes().size() == 1);
    }

    /**
     * A batch's worth of finished orphans of this incarnation to deliver (cancelled ones, here) does not keep another of
     * its orphans from being timed out at the same heartbeat once its deadline has passed. They come first in the
     * store's index (CANCELLED before PENDING), so a read of all the work, 200 at a time, found only them.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void finishedOrphansToDeliverDoNotKeepAnotherFromTimingOut(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        DurableApp second = app(true);
        // adopted before its deadline: a pending orphan of this incarnation
        second.sweep();
        await().until(() -> rows("owner IS NULL") == 0 && orphanWorkIdle(second));
        String incarnation = second.component().getWaitRegistry().incarnation();
        long now = clock.millis();
        insert(IntStream.range(0, 200).mapToObj(i -> new StoredWait("cancelled-" + i, DurableApp.ACTION, incarnation,
                true, "CANCELLED", true, now - 1_000, now, now, null, null, null, false)).toList());

        clock.advance(11_000);
        second.sweep();
        await().until(() -> second.resumed.size() == 1);
        assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());
        assertEquals(1, rows("id = '" + idOf(callback) + "' AND state = 'TIMED_OUT'"));
        await().until(() -> rows("id LIKE 'cancelled-%' AND delivered = TRUE") == 200);
    }

    /**
     * Orphans of an action that no route here runs (another application on the store, or an action renamed) are not
     * adopted: they are left for a node that runs it, and named in the log. Adopted, they stayed this node's, unresolved,
     * and 200 of them past their deadline filled its reads of orphans to time out, so that its own never timed out.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void orphansOfAnActionThatDoesNotRunHereAreLeftForOneThatDoes(TestDatabases store) throws Exception {
        setUp(store);
        oneWaitHandedOver();
        long now = clock.millis();
        insert(IntStream.range(0, 250).mapToObj(i -> new StoredWait("other-" + i, "other", null, false,
                WaitStore.PENDING, true, now - 20_000, now - 1_000, now + 86_400_000, null, null, null, false)).toList());
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (AutoCloseable capture = captureLog(Orphans.class, Level.WARN, warnings)) {
            DurableApp second = app(true);
            // adopted before its deadline (the others' deadlines have passed)
            second.sweep();
            await().until(() -> orphanWorkIdle(second) && rows("adopted = TRUE AND endpoint = 'approval'") == 1
                                && (rows("owner IS NULL") == 0 || rows("owner IS NULL") == 250));
            clock.advance(11_000);
            second.sweep();
            await().until(() -> second.resumed.size() == 1);
            assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());
            assertEquals(250, rows("endpoint = 'other' AND owner IS NULL AND state = 'PENDING'"));
            assertEquals(1, warnings.stream().filter(warning -> warning.contains("logicwebhook:other")).count(),
                    String.join("\n", warnings));
        }
    }

    /**
     * An orphan is claimed as timed out before it is unsubscribed (as a live wait is): a node that crashed between the
     * two leaves it timed out, neither unsubscribed nor delivered. The next one unsubscribes it, then delivers it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anOrphanClaimedAsTimedOutButNotYetUnsubscribedIsUnsubscribedThenDelivered(TestDatabases store) throws Exception {
        setUp(store);
        oneWaitHandedOver();
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            assertEquals(1, statement.executeUpdate(
                    // finished now: a finish time older than finishedWaitsRetention would let the first heartbeat's purge
                    // delete the row as soon as its delivered mark is written
                    "UPDATE logicwebhook_wait SET state = 'TIMED_OUT', delivered = FALSE, finished_at = " + clock.millis()));
        }

        timedOutOrphanDeliveredByTheNextStart();
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == 1);
    }

    /**
     * A crash leaves thousands of orphans; one tick takes on a batch of them (200). The next batch is taken on by the
     * next sweep once that one is settled, not at the next heartbeat: here the clock stands still after the first
     * heartbeat, so without that the waits past the first batch would wait 5 s per batch.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aBacklogOfOrphansIsSettledBatchAfterBatchWithoutWaitingForTheHeartbeat(TestDatabases store) throws Exception {
        setUp(store);
        int waits = 450;
        waitsHandedOver(waits);

        clock.advance(11_000);
        DurableApp second = app(true);
        await().atMost(30, TimeUnit.SECONDS).until(() -> {
            second.sweep();
            return second.resumed.size() == waits;
        });
        assertEquals(waits, deletes().size(), "each unsubscribed");
        // a batch's delivered marks are written together once its last orphan is delivered: just after
        await().until(() -> rows("delivered = TRUE") == waits);
        assertEquals(waits, rows("state = 'TIMED_OUT' AND delivered = TRUE"));
        second.resumed.forEach(resumed -> assertInstanceOf(ExchangeTimedOutException.class, resumed.exception()));
    }

    /**
     * The database goes away in the middle of a backlog: its batches stop until the next heartbeat, as the log says,
     * rather than try again at once, failed batch after failed batch; the heartbeat after it answers again goes on.
     * The sweeps are by hand here, so nothing but the backlog itself could try again within the half second watched.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aBacklogWhoseDatabaseGoesAwayWaitsForTheNextHeartbeat(TestDatabases store) throws Exception {
        setUp(store);
        int waits = 250;
        waitsHandedOver(waits);
        clock.advance(11_000);
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicBoolean down = new AtomicBoolean(true);
        JdbcWaitStore failing = new JdbcWaitStore(database) {
            @Override
            public List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints,
                    int max) {
                // the first batch's read answers; the database is gone for the next ones
                if (reads.incrementAndGet() > 1 && down.get()) {
                    failed.incrementAndGet();
                    throw new LogicWebhookStoreException("the wait store failed: Connection refused", null);
                }
                return super.adoptable(incarnation, staleBefore, endpoints, max);
            }
        };
        DurableApp second = app(true, "", component -> component.setWaitStore(failing));
        second.sweep();
        await().until(() -> second.resumed.size() == 200 && failed.get() > 0);
        int failures = failed.get();
        Thread.sleep(500);
        assertEquals(failures, failed.get(), "no batch tried again before the next heartbeat");

        down.set(false);
        clock.advance(6_000);
        second.sweep();
        await().until(() -> second.resumed.size() == waits);
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == waits);
    }

    /**
     * While a backlog's batch is being settled, the heartbeat's read of all orphan work may find only that batch's own
     * orphans (timed out, not delivered yet): nothing to adopt or claim. That must not end the backlog, or the rest of
     * it waits for later heartbeats. Forced: the store shows the heartbeat no pending orphan, the batch's deliveries
     * are held until the heartbeat has run (on a pool large enough for it beside them), and the clock stands still
     * after it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aHeartbeatWhileABatchIsSettledDoesNotEndTheBacklog(TestDatabases store) throws Exception {
        setUp(store);
        int waits = 250;
        waitsHandedOver(waits);

        clock.advance(11_000);
        JdbcWaitStore finishedWorkOnly = new JdbcWaitStore(database) {
            @Override
            public List<StoredWait> orphanWork(String incarnation, Collection<String> endpoints, long now,
                    int max) {
                return super.orphanWork(incarnation, endpoints, now, max).stream().filter(wait -> !wait.isPending()).toList();
            }
        };
        DurableApp second = app(true, "", component -> {
            component.setWaitStore(finishedWorkOnly);
            component.setWorkerPoolSize(300);
        });
        CountDownLatch held = new CountDownLatch(1);
        second.deliveriesHeld = held;
        // the first heartbeat adopts 200 and claims nothing; the next batch adopts the other 50 and claims 200
        second.sweep();
        await().until(() -> rows("adopted = TRUE") == 200);
        await().until(() -> {
            second.sweep();
            return rows("state = 'TIMED_OUT'") == 200;
        });
        // a heartbeat while their deliveries are held (once the last sweep's work is done, or it would skip the
        // heartbeat's): its read finds only those 200
        await().until(() -> orphanWorkIdle(second));
        clock.advance(6_000);
        second.sweep();
        long heartbeat = clock.millis();
        await().until(() -> heartbeatDone(second, heartbeat));

        held.countDown();
        await().atMost(20, TimeUnit.SECONDS).until(() -> second.resumed.size() == waits);
        assertEquals(waits, deletes().size());
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == waits);
    }

    /**
     * A store whose batch claims nothing, as when a heartbeat of the orphan moved its deadline just before the batch's
     * claim, and whose first read of the orphan (the batch's) is held until the test lets it go. The orphans are
     * adopted before the batch sees them, as an earlier heartbeat's batch does when they are not past their deadline
     * yet: the batch takes them on as this incarnation's own.
     */
    private class BatchHeldStore extends JdbcWaitStore {
        final CountDownLatch batchRead = new CountDownLatch(1);
        final CountDownLatch letGo = new CountDownLatch(1);
        private final AtomicBoolean first = new AtomicBoolean(true);
        /** The batch's read is made when it is held (from before what happens meanwhile), or when it is let go. */
        private final boolean readWhenHeld;

        BatchHeldStore(boolean readWhenHeld) {
            super(database);
            this.readWhenHeld = readWhenHeld;
        }

        @Override
        public List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints,
                    int max) {
            List<StoredWait> found = super.adoptable(incarnation, staleBefore, endpoints, max);
            super.adopt(incarnation, staleBefore, found.stream().map(StoredWait::id).toList(), Set.of(), "", 0);
            return List.of();
        }

        @Override
        public Set<String> finishOrphans(Collection<String> ids, String state, long now) {
            return Set.of();
        }

        @Override
        public StoredWait find(String id) {
            if (!first.compareAndSet(true, false)) {
                return laterFind(id);
            }
            StoredWait held = readWhenHeld ? super.find(id) : null;
            batchRead.countDown();
            awaitQuietly(letGo);
            return readWhenHeld ? held : super.find(id);
        }

        /** The reads after the batch's. */
        StoredWait laterFind(String id) {
            return super.find(id);
        }
    }

    /** The next application (on that store) takes on the orphan, and its callback is answered while the read is held. */
    private void callbackWhileTheBatchIsHeld(DurableApp app, BatchHeldStore held, String callback) throws Exception {
        app.sweep();
        assertTrue(held.batchRead.await(10, TimeUnit.SECONDS));
        assertEquals(200, service.post(callback, "approved").statusCode());
        held.letGo.countDown();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aCallbackWhileABatchHoldsItsOrphanIsDeliveredOnceTheBatchLetsGo(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        clock.advance(11_000);
        // the batch's read is from before the callback's claim: the batch leaves the orphan (still pending) alone
        BatchHeldStore held = new BatchHeldStore(true);
        DurableApp second = app(true, "", component -> component.setWaitStore(held));
        callbackWhileTheBatchIsHeld(second, held, callback);

        await().atMost(10, TimeUnit.SECONDS).until(() -> second.resumed.size() == 1);
        assertEquals("approved", new String((byte[]) second.resumed.get(0).body()));
        await().until(() -> rows("state = 'COMPLETED' AND delivered = TRUE") == 1);
    }

    /**
     * The same callback, but the batch delivers the orphan itself: the callback's second settle then races the batch's
     * delivered mark. Forced: the batch's mark waits until that settle has read the store (or has ended without
     * reading it), and that read is handed back once the mark is written and forgotten; a settle that read the store
     * first would deliver the orphan again.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aCallbackWhileABatchDeliversItsOrphanIsDeliveredOnce(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        clock.advance(11_000);
        CountDownLatch laterRead = new CountDownLatch(1);
        DurableApp[] second = new DurableApp[1];
        BatchHeldStore marking = new BatchHeldStore(false) {
            @Override
            StoredWait laterFind(String id) {
                if (letGo.getCount() > 0) {
                    // the callback's own reads
                    return super.laterFind(id);
                }
                StoredWait now = super.laterFind(id);
                laterRead.countDown();
                await().until(() -> orphansField(second[0], "unmarked").isEmpty());
                return now;
            }

            @Override
            public void deliveredAll(Collection<String> ids) {
                await().until(() -> laterRead.getCount() == 0 || !orphansField(second[0], "working").containsAll(ids));
                super.deliveredAll(ids);
            }
        };
        second[0] = app(true, "", component -> component.setWaitStore(marking));
        callbackWhileTheBatchIsHeld(second[0], marking, callback);

        await().until(() -> rows("state = 'COMPLETED' AND delivered = TRUE") == 1);
        await().until(() -> orphansField(second[0], "working").isEmpty()
                            && orphansField(second[0], "settleAgain").isEmpty());
        assertEquals(1, second[0].resumed.size());
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            // bounded: a test that fails before letting go must not leave a pool thread held at the stop
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One of the sets in which the application's Orphans keep track of their work. */
    private static Set<?> orphansField(DurableApp app, String name) throws Exception {
        java.lang.reflect.Field field = Orphans.class.getDeclaredField(name);
        field.setAccessible(true);
        return (Set<?>) field.get(app.component().getWaitRegistry().orphans());
    }

    /**
     * Whether the heartbeat at {@code now} and the orphan work after it are done: the heartbeat is written with the
     * work's guard held, so once it is written and the guard is free, that work has ended.
     */
    private boolean heartbeatDone(DurableApp app, long now) throws Exception {
        boolean idle = orphanWorkIdle(app);
        return idle && nodesWithHeartbeat(now) == 1;
    }

    private long nodesWithHeartbeat(long now) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(
                     "SELECT COUNT(*) FROM logicwebhook_node WHERE heartbeat_at = " + now)) {
            result.next();
            return result.getLong(1);
        }
    }

    /** Whether no orphan work (a sweep's, a heartbeat's, a backlog's next batch) is under way. */
    private static boolean orphanWorkIdle(DurableApp app) throws Exception {
        Orphans orphans = app.component().getWaitRegistry().orphans();
        return !held(orphans, "heartbeating") && !held(orphans, "ticking");
    }

    /**
     * Whether no orphan work is under way and the orphans its batches took on are all settled: a delivery that failed
     * has written when it is tried again and let its orphan go (a delivery counted as tried has only begun).
     */
    private static boolean orphansSettled(DurableApp app) throws Exception {
        java.lang.reflect.Field unsettled = Orphans.class.getDeclaredField("unsettled");
        unsettled.setAccessible(true);
        return orphanWorkIdle(app)
               && ((AtomicInteger) unsettled.get(app.component().getWaitRegistry().orphans())).get() == 0;
    }

    private static boolean held(Orphans orphans, String guard) throws Exception {
        java.lang.reflect.Field field = Orphans.class.getDeclaredField(guard);
        field.setAccessible(true);
        return ((AtomicBoolean) field.get(orphans)).get();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aStopCancelsAndUnsubscribesTheWaitsOfAnActionWithoutAResumeUri(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp first = app(false);
        Future<Exchange> one = first.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);

        first.close();
        // nothing could resume it after the stop: cancelled and unsubscribed, as without a store, not kept
        Exception cancelled = one.get(10, TimeUnit.SECONDS).getException();
        assertInstanceOf(LogicWebhookCancelledException.class, cancelled);
        assertFalse(cancelled instanceof LogicWebhookHandedOverException);
        await().until(() -> deletes().size() == 1);
        assertEquals(1, rows("state = 'CANCELLED' AND delivered = TRUE"));

        DurableApp second = app(false);
        second.sweep();
        assertEquals(410, service.post(callback, "too late").statusCode());
        assertEquals(1, deletes().size(), "unsubscribed once");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void whileTheApplicationStopsWaitsHandedOverAreNotTakenBackByTheNodeItself(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp app = app(true);
        Future<Exchange> one = app.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);

        // what the Spring Boot starter does before the web server's graceful shutdown: the context still runs
        app.component().stopWaiting("the application is stopping");
        assertInstanceOf(LogicWebhookHandedOverException.class, one.get(10, TimeUnit.SECONDS).getException());
        HttpResponse<String> meanwhile = service.post(callback, "approved");
        assertEquals(503, meanwhile.statusCode());
        assertEquals("stopping; retry later", meanwhile.body());
        long heartbeat = longValue("SELECT MAX(heartbeat_at) FROM logicwebhook_node");
        clock.advance(6_000);
        app.sweep();
        // still alive for the other nodes (a graceful shutdown may outlast the node timeout), adopting nothing
        await().until(() -> longValue("SELECT MAX(heartbeat_at) FROM logicwebhook_node") > heartbeat);
        app.sweep();
        assertEquals(1, rows("state = 'PENDING' AND owner IS NULL AND adopted = FALSE"), "left for the next start");
        assertTrue(app.resumed.isEmpty());
        app.close();

        DurableApp second = app(true);
        assertEquals(200, service.post(callback, "approved").statusCode());
        await().until(() -> second.resumed.size() == 1);
        assertEquals("approved", new String((byte[]) second.resumed.get(0).body()));
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aCallbackThatMeetsAnUnexpectedErrorIsAnsweredAllTheSame(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        AtomicBoolean broken = new AtomicBoolean();
        // a custom store (or a pool) that throws something other than LogicWebhookStoreException
        DurableApp second = app(true, "", component -> component.setWaitStore(new JdbcWaitStore(database) {
            @Override
            public StoredWait find(String id) {
                if (broken.get()) {
                    throw new IllegalStateException("a defect of a custom store");
                }
                return super.find(id);
            }
        }));
        broken.set(true);
        HttpResponse<String> answer = service.post(callback, "approved");
        assertEquals(500, answer.statusCode());
        assertEquals("callback could not be processed; retry later", answer.body());
        assertTrue(second.resumed.isEmpty());

        broken.set(false);
        assertEquals(200, service.post(callback, "approved").statusCode());
        await().until(() -> second.resumed.size() == 1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void withoutAResumeUriAnOrphansCallbackIsGoneAndItIsUnsubscribed(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        assertEquals(0, deletes().size(), "handed over, not unsubscribed");

        // the action runs without a resumeUri now: nothing can resume the orphan
        app(false);
        assertEquals(410, service.post(callback, "approved").statusCode());
        await().until(() -> deletes().size() == 1);
        assertEquals(410, service.post(callback, "approved").statusCode());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void duplicatesOfAnOrphansCallbackResumeItOnce(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();

        DurableApp second = app(true);
        ExecutorService senders = Executors.newFixedThreadPool(20);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                answers.add(senders.submit(() -> {
                    go.await();
                    return service.post(callback, "approved");
                }));
            }
            go.countDown();
            int ok = 0;
            int duplicate = 0;
            for (Future<HttpResponse<String>> answer : answers) {
                int status = answer.get(30, TimeUnit.SECONDS).statusCode();
                ok += status == 200 ? 1 : 0;
                duplicate += status == 409 ? 1 : 0;
            }
            assertEquals(1, ok);
            assertEquals(19, duplicate);
        } finally {
            senders.shutdownNow();
        }
        await().until(() -> rows("delivered = TRUE") == 1);
        second.sweep();
        await().until(() -> deletes().size() == 1);
        assertEquals(1, second.resumed.size());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void afterARestartFinishedWaitsAreAnswered409And410(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp first = app(true);
        Future<Exchange> approved = first.startWait("order-1");
        first.startWait("order-2");
        List<String> callbacks = callbackUrls(2, "callback");
        await().until(() -> rows("subscribed = TRUE") == 2);
        String approvedUrl = callbacks.get(0);
        String timedOutUrl = callbacks.get(1);
        assertEquals(200, service.post(approvedUrl, "approved").statusCode());
        approved.get(10, TimeUnit.SECONDS);
        clock.advance(11_000);
        first.sweep();
        await().until(() -> rows("state = 'TIMED_OUT'") == 1);
        first.close();

        app(true);
        assertEquals(409, service.post(approvedUrl, "again").statusCode());
        assertEquals(410, service.post(timedOutUrl, "late").statusCode());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void whenTheDatabaseIsDownActionsFailFastAndCallbacksAre503UntilItIsBack(TestDatabases store) throws Exception {
        setUp(store);
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        DataSource real = database;
        database = switchable;
        DurableApp app = app(true);
        Future<Exchange> waiting = app.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        database = real;
        await().until(() -> rows("subscribed = TRUE") == 1);

        assertTrue(app.component().getWaitStoreSummary().startsWith("up"), app.component().getWaitStoreSummary());
        assertEquals(HealthCheck.State.UP, storeReadiness(app));
        switchable.down = true;
        app.sweep();
        await().until(() -> app.component().getWaitStoreSummary().startsWith("DOWN"));
        assertEquals(HealthCheck.State.DOWN, storeReadiness(app));
        Exchange refused = app.startWait("order-2").get(10, TimeUnit.SECONDS);
        assertInstanceOf(LogicWebhookStoreException.class, refused.getException());
        assertEquals(1, service.requests("POST", "/jobs").size(), "nothing subscribed without a record");
        HttpResponse<String> unavailable = service.post(callback, "approved");
        assertEquals(503, unavailable.statusCode());
        assertTrue(unavailable.headers().firstValue("Retry-After").isPresent());
        // a sender that keeps trying (or many of them) does not flood the log: one WARN a minute at most
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (AutoCloseable captured = captureLog(CallbackDispatcher.class, Level.WARN, warnings)) {
            for (int i = 0; i < 20; i++) {
                assertEquals(503, service.post(callback, "approved").statusCode());
            }
        }
        assertTrue(warnings.size() <= 1, warnings.toString());

        switchable.down = false;
        // the next heartbeat finds it back (the wait's 10 s timeout has not passed)
        clock.advance(6_000);
        app.sweep();
        await().until(() -> storeReadiness(app) == HealthCheck.State.UP);
        assertEquals(200, service.post(callback, "approved").statusCode());
        assertEquals("approved", waiting.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class));
    }

    /**
     * Waits pass their deadline while the database is down: every sweep tries them again, and they time out (then are
     * unsubscribed) at the first sweep after it is back; the failure is logged once, not for each wait at each sweep.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void waitsPastTheirDeadlineWhileTheDatabaseIsDownTimeOutOnceItIsBackAndTheFailureIsLoggedOnce(TestDatabases store)
            throws Exception {
        setUp(store);
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        DataSource real = database;
        database = switchable;
        DurableApp app = app(true);
        database = real;
        int waits = 20;
        List<CompletableFuture<Exchange>> waiting = new ArrayList<>();
        for (int i = 0; i < waits; i++) {
            waiting.add(app.startWait("order-" + i));
        }
        await().until(() -> rows("subscribed = TRUE") == waits);

        List<String> warnings = new CopyOnWriteArrayList<>();
        try (AutoCloseable capture = captureLog(WaitRegistry.class, Level.WARN, warnings)) {
            switchable.down = true;
            clock.advance(11_000);
            // sweep after sweep, each trying again every wait whose last try has failed
            await().until(() -> {
                app.sweep();
                return switchable.refused.get() > 3 * waits;
            });
            assertEquals(1, warnings.stream().filter(warning -> warning.contains("could not time a wait out")).count(),
                    String.join("\n", warnings));
        }

        switchable.down = false;
        // a try that was under way as it came back may have failed: the sweep after it tries again
        await().until(() -> {
            app.sweep();
            return waiting.stream().allMatch(CompletableFuture::isDone);
        });
        for (CompletableFuture<Exchange> exchange : waiting) {
            assertInstanceOf(ExchangeTimedOutException.class, exchange.get(10, TimeUnit.SECONDS).getException());
        }
        assertEquals(waits, rows("state = 'TIMED_OUT'"));
        await().until(() -> deletes().size() == waits);
    }

    /** Collects what a class logs at a level and above ("LEVEL message"), until closed. */
    private static AutoCloseable captureLog(Class<?> source, Level level, List<String> messages) {
        LoggerContext logging = (LoggerContext) LogManager.getContext(false);
        AbstractAppender appender = new AbstractAppender("captured-" + source.getSimpleName(), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                messages.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        LoggerConfig logger = new LoggerConfig(source.getName(), level, true);
        logger.addAppender(appender, level, null);
        logging.getConfiguration().addLogger(source.getName(), logger);
        logging.updateLoggers();
        return () -> {
            logging.getConfiguration().removeLogger(source.getName());
            logging.updateLoggers();
            appender.stop();
        };
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aSnapshotOverItsLimitFailsTheActionBeforeItSubscribes(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp app = app(true, "", component -> component.setMaxSnapshotSize(100));
        Exchange exchange = app.startWait("x".repeat(200)).get(10, TimeUnit.SECONDS);
        assertInstanceOf(IllegalArgumentException.class, exchange.getException());
        assertTrue(exchange.getException().getMessage().contains("maxSnapshotSize"));
        assertEquals(0, service.requests("POST", "/jobs").size());
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void theSchemaCanBeCreatedByHandAndIsLeftAsItIs(TestDatabases store) throws Exception {
        setUp(store);
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            for (String ddl : JdbcWaitStore.SCHEMA) {
                statement.execute(ddl);
            }
        }
        DurableApp app = app(true);
        app.startWait("order-1");
        await().until(() -> rows("subscribed = TRUE") == 1);
    }

    /**
     * The one worker of the pool is held by a route (the resumeUri route of an orphan, here): the heartbeat is written
     * all the same, on its own thread, so that other nodes do not take this one for gone.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aWorkerPoolHeldByRoutesDoesNotKeepTheHeartbeatFromBeingWritten(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();
        DurableApp second = app(true, "", component -> component.setWorkerPoolSize(1));
        CountDownLatch held = new CountDownLatch(1);
        second.deliveriesHeld = held;
        assertEquals(200, service.post(callback, "approved").statusCode());
        // the only worker is in the resumeUri route now, and stays there
        await().until(() -> rows("state = 'COMPLETED'") == 1 && orphanWorkIdle(second));

        clock.advance(6_000);
        second.sweep();
        // its work on orphans waits for the pool; the heartbeat does not
        await().until(() -> nodesWithHeartbeat(clock.millis()) == 1);

        held.countDown();
        await().until(() -> second.resumed.size() == 1);
    }

    /**
     * The database was down for longer than the node timeout: no node could write its heartbeat. The first node to
     * see it back does not take the others for gone (it would adopt their live waits): it gives them a node timeout to
     * write theirs, and adopts the waits of one that stays silent after that.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabases.class, names = "POSTGRES")
    void afterAnOutageOfTheDatabaseTheOtherNodesHaveANodeTimeoutToSayTheyAreAlive(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp first = app(true);
        first.startWait("order-1");
        await().until(() -> rows("subscribed = TRUE") == 1);
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        DurableApp second = new DurableApp(AvailablePortFinder.getNextAvailable(), service, switchable, clock, true, "",
                component -> {
                });
        apps.add(second);
        second.start();
        second.sweep();
        await().until(() -> orphanWorkIdle(second));

        switchable.down = true;
        clock.advance(40_000);
        second.sweep();
        await().until(() -> switchable.refused.get() > 0 && orphanWorkIdle(second));
        switchable.down = false;
        second.sweep();
        long back = clock.millis();
        await().until(() -> heartbeatDone(second, back));
        assertEquals(0, rows("adopted = TRUE"), "the first node's wait is left to it");

        // the first node stays silent for a node timeout after the database came back; the second says it is alive
        for (int heartbeat = 1; heartbeat <= 6; heartbeat++) {
            clock.advance(5_000);
            second.sweep();
            long now = clock.millis();
            await().until(() -> heartbeatDone(second, now));
            assertEquals(heartbeat < 6 ? 0 : 1, rows("adopted = TRUE"), "adopted after " + heartbeat * 5 + " s");
        }
    }

    /**
     * A node that stopped short (here: its database went away, then it stopped, as a crash leaves it) while the
     * unsubscribe of a wait it had finished was being retried leaves no subscription: whoever takes over unsubscribes
     * again the waits it finished since the time it last wrote, and only those; none is delivered again.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aNodeGoneWhileAnUnsubscribeWasRetriedLeavesNoSubscription(TestDatabases store) throws Exception {
        setUp(store);
        // each subscription is named after its order, so that the unsubscribes say whose they are
        service.on("POST /jobs", r -> FakeService.Answer.of(201,
                "{\"id\":\"" + r.body().replaceAll(".*\"order\":\"([^\"]+)\".*", "$1") + "\"}"));
        AtomicBoolean unsubscribesFail = new AtomicBoolean();
        service.on("DELETE /jobs/", r -> unsubscribesFail.get() ? FakeService.Answer.of(503, "{}")
                : FakeService.Answer.of(204, ""));
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        DurableApp first = new DurableApp(port, service, switchable, clock, true, "", component -> {
        });
        apps.add(first);
        first.start();
        List<CompletableFuture<Exchange>> exchanges = List.of(first.startWait("order-1"), first.startWait("order-2"),
                first.startWait("order-3"));
        List<String> callbacks = callbackUrls(3, "callback");
        await().until(() -> rows("subscribed = TRUE") == 3);

        // order-1 ends and is unsubscribed; the time written moves past it
        long order1 = approvedThenSwept(first, callbacks.get(0), exchanges.get(0), "order-1");
        await().until(() -> unsubscribedBefore() > order1);

        // order-2 ends while the service fails unsubscribes: its retry waits; the time written stays at its end
        unsubscribesFail.set(true);
        clock.advance(1_000);
        long order2 = approvedThenSwept(first, callbacks.get(1), exchanges.get(1), "order-2");
        await().until(() -> unsubscribedBefore() == order2);

        // the node goes: nothing it does from here on reaches the database (its stop's last try of order-2 fails too)
        switchable.down = true;
        first.close();
        assertEquals(2, unsubscribes("order-2"));
        unsubscribesFail.set(false);

        clock.advance(31_000);
        DurableApp second = app(true);
        second.sweep();
        await().until(() -> unsubscribes("order-2") == 3 && second.resumed.size() == 1 && orphansSettled(second));
        assertEquals(1, unsubscribes("order-1"), "unsubscribed before the time its node wrote: not again");
        // order-3 was still pending: an orphan past its deadline, unsubscribed and delivered as timed out
        assertEquals(1, unsubscribes("order-3"));
        assertInstanceOf(ExchangeTimedOutException.class, second.resumed.get(0).exception());

        // taken once: the next heartbeats do not send it again
        clock.advance(6_000);
        second.sweep();
        await().until(() -> orphansSettled(second));
        clock.advance(6_000);
        second.sweep();
        await().until(() -> orphansSettled(second));
        assertEquals(3, unsubscribes("order-2"));
        assertEquals(1, second.resumed.size(), "nothing delivered again");
    }

    /**
     * A route stopped while the database was down could not hand its wait over: the wait stayed this live node's, with
     * no exchange, and no node would ever adopt it. It is handed over at the first heartbeat that gets through, then
     * adopted when the action runs again. Here its callback reached another node in between (which claimed it for this
     * live node): handed over all the same, it reaches the resumeUri.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aWaitARouteStopCouldNotHandOverIsHandedOverOnceTheStoreAnswers(TestDatabases store) throws Exception {
        setUp(store);
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        DurableApp app = new DurableApp(port, service, switchable, clock, true, "", component -> {
        });
        apps.add(app);
        app.start();
        CompletableFuture<Exchange> waiting = app.startWait("order-1");
        await().until(() -> rows("subscribed = TRUE") == 1);

        switchable.down = true;
        // a route stopping alone waits for its in-flight exchanges for the timeout given (user-guide: "Limitation")
        app.context.getRouteController().stopRoute("start", 1, TimeUnit.SECONDS);
        assertInstanceOf(LogicWebhookHandedOverException.class, waiting.get(10, TimeUnit.SECONDS).getException());
        claimedByAnotherNode("approved");
        switchable.down = false;
        assertEquals(0, rows("owner IS NULL"), "not handed over while the database was down");
        clock.advance(6_000);
        app.sweep();
        await().until(() -> rows("owner IS NULL") == 1 && orphanWorkIdle(app));

        app.context.getRouteController().startRoute("start");
        clock.advance(6_000);
        app.sweep();
        await().until(() -> app.resumed.size() == 1);
        assertEquals("approved", new String((byte[]) app.resumed.get(0).body()));
    }

    /** The one wait in the store is claimed by its callback on another node (which does not deliver it). */
    private void claimedByAnotherNode(String body) {
        JdbcWaitStore otherNode = new JdbcWaitStore(database);
        otherNode.start();
        try {
            String id = (String) value("SELECT id FROM logicwebhook_wait");
            assertTrue(otherNode.finish(id, "COMPLETED", CallbackResult.of(body.getBytes(StandardCharsets.UTF_8), Map.of(),
                    200, false).toJson(), false, clock.millis()));
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            otherNode.stop();
        }
    }

    /**
     * A wait's deadline passes here while a heartbeat callback on another node had moved it in the store: the sweep
     * takes the wait as timed out in memory, then reads the store before it writes the timeout, and gives the wait back
     * its pending state. A callback in between is asked to retry (503), not told that the wait is gone (410: a sender
     * that follows Standard Webhooks would give up), and its retry resumes the exchange. Forced: the sweep's read waits
     * until the callback was answered.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aCallbackWhileATimeoutIsCheckedIsAskedToRetryNotToldTheWaitIsGone(TestDatabases store) throws Exception {
        setUp(store);
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        AtomicBoolean hold = new AtomicBoolean();
        JdbcWaitStore held = new JdbcWaitStore(database) {
            @Override
            public StoredWait find(String id) {
                if (hold.getAndSet(false)) {
                    reading.countDown();
                    try {
                        letGo.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.find(id);
            }
        };
        DurableApp app = app(true, "", component -> component.setWaitStore(held));
        CompletableFuture<Exchange> waiting = app.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            // the heartbeat callback another node took
            assertEquals(1, statement.executeUpdate("UPDATE logicwebhook_wait SET deadline = " + (clock.millis() + 60_000)));
        }

        hold.set(true);
        clock.advance(11_000);
        app.sweep();
        assertTrue(reading.await(10, TimeUnit.SECONDS));
        HttpResponse<String> meanwhile = service.post(callback, "approved");
        letGo.countDown();
        assertEquals(503, meanwhile.statusCode());
        assertTrue(meanwhile.headers().firstValue("Retry-After").isPresent());
        await().until(() -> service.post(callback, "approved").statusCode() == 200);
        assertEquals("approved", waiting.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class));
    }

    /**
     * A subscribe that failed while the database was down left its wait pending in the store, this live node's, for
     * good: it is cancelled at the first heartbeat that gets through.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aWaitWhoseSubscribeFailedWhileTheStoreWasDownIsCancelledOnceItAnswers(TestDatabases store) throws Exception {
        setUp(store);
        SwitchableDataSource switchable = new SwitchableDataSource(database);
        // the service refuses the subscribe as the database goes down: the wait's cancel cannot be written
        service.on("POST /jobs", r -> {
            switchable.down = true;
            return FakeService.Answer.of(400, "{\"error\":\"no such job\"}");
        });
        DurableApp app = new DurableApp(port, service, switchable, clock, true, "", component -> {
        });
        apps.add(app);
        app.start();
        Exchange failed = app.startWait("order-1").get(10, TimeUnit.SECONDS);
        assertInstanceOf(LogicWebhookSubscriptionException.class, failed.getException());
        switchable.down = false;
        assertEquals(1, rows("state = 'PENDING'"));
        clock.advance(6_000);
        app.sweep();
        await().until(() -> rows("state = 'CANCELLED'") == 1);
    }

    /**
     * Another node took a live wait's callback, and the owner's read of it failed (the database went away for a
     * moment): the exchange was cancelled, and the callback, kept in the store, reached nothing while this node lived.
     * Now the wait stays, and the next heartbeat resumes the exchange with it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aWaitFinishedElsewhereWhoseReadFailedIsResumedAtTheNextHeartbeat(TestDatabases store) throws Exception {
        setUp(store);
        ReadFailsOnce failingOnce = new ReadFailsOnce();
        DurableApp app = app(true, "", component -> component.setWaitStore(failingOnce));
        CompletableFuture<Exchange> waiting = claimedElsewhereThenRead(app, failingOnce);
        await().until(() -> !failingOnce.armed.get() && orphanWorkIdle(app));
        clock.advance(6_000);
        app.sweep();
        Exchange resumed = waiting.get(10, TimeUnit.SECONDS);
        assertNull(resumed.getException());
        assertEquals("approved", new String(resumed.getMessage().getBody(byte[].class), StandardCharsets.UTF_8));
    }

    /** A store whose next read of a wait's delivery (once armed) fails, after {@link #beforeFailing} ran. */
    private final class ReadFailsOnce extends JdbcWaitStore {
        final AtomicBoolean armed = new AtomicBoolean();
        volatile Runnable beforeFailing = () -> {
        };

        ReadFailsOnce() {
            super(database);
        }

        @Override
        public boolean claimDelivery(String id, String incarnation, long now) {
            if (armed.getAndSet(false)) {
                beforeFailing.run();
                throw new LogicWebhookStoreException("the wait store failed (the test made it fail)", null);
            }
            return super.claimDelivery(id, incarnation, now);
        }
    }

    /** A wait pending in the app that another node then claims; the heartbeat that reads it, its read armed to fail. */
    private CompletableFuture<Exchange> claimedElsewhereThenRead(DurableApp app, ReadFailsOnce store) throws Exception {
        CompletableFuture<Exchange> waiting = app.startWait("order-1");
        await().until(() -> rows("subscribed = TRUE") == 1);
        store.armed.set(true);
        claimedByAnotherNode("approved");
        clock.advance(6_000);
        app.sweep();
        return waiting;
    }

    /**
     * The same read failing while the context stops, for an action without a resumeUri: the stop's cancel has run, and
     * a hand-over would not take such a wait. Forced: the read is held until the stop began.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aWaitFinishedElsewhereWhoseReadFailsAtTheStopStillEnds(TestDatabases store) throws Exception {
        setUp(store);
        CountDownLatch reading = new CountDownLatch(1);
        CountDownLatch fail = new CountDownLatch(1);
        ReadFailsOnce held = new ReadFailsOnce();
        held.beforeFailing = () -> {
            reading.countDown();
            awaitQuietly(fail);
        };
        DurableApp app = app(false, "", component -> component.setWaitStore(held));
        CompletableFuture<Exchange> waiting = claimedElsewhereThenRead(app, held);
        assertTrue(reading.await(10, TimeUnit.SECONDS));
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(app::close);
        await().until(() -> app.context.isStopping());
        fail.countDown();

        // the exchange ends (with the callback another node took, or cancelled), and the stop does not wait for it
        waiting.get(10, TimeUnit.SECONDS);
        stopped.get(10, TimeUnit.SECONDS);
    }

    /**
     * An orphan whose unsubscribe is being retried is not marked delivered until the retry is over, even when its
     * delivery is made again (its route failed the first time): a crash meanwhile has the next incarnation unsubscribe it
     * again (and deliver it again: at least once), where a delivered mark would leave its subscription at the service.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anOrphanIsMarkedDeliveredOnlyOnceItsUnsubscribeIsOver(TestDatabases store) throws Exception {
        setUp(store);
        AtomicBoolean unsubscribesFail = new AtomicBoolean(true);
        service.on("DELETE /jobs/", r -> unsubscribesFail.get() ? FakeService.Answer.of(503, "{}")
                : FakeService.Answer.of(204, ""));
        waitsHandedOver(1);
        clock.advance(11_000);
        DurableApp second = app(true);
        // its first delivery fails too: the one made again waits for the same unsubscribe
        second.failDeliveries.set(1);
        second.sweep();
        await().until(() -> second.deliveriesTried.get() == 1 && deletes().size() == 1 && orphansSettled(second));
        clock.advance(6_000);
        second.sweep();
        await().until(() -> second.resumed.size() == 1 && orphansSettled(second));
        assertEquals(0, rows("delivered = TRUE"), "delivered, but its unsubscribe is still to be retried");

        unsubscribesFail.set(false);
        clock.advance(60_000);
        second.sweep();
        await().until(() -> deletes().size() >= 2 && orphansSettled(second) && nothingUnsubscribing(second));
        clock.advance(6_000);
        second.sweep();
        await().until(() -> rows("delivered = TRUE") == 1);
        assertEquals(1, second.resumed.size());
    }

    private static boolean nothingUnsubscribing(DurableApp app) throws Exception {
        java.lang.reflect.Field unsubscribing = Orphans.class.getDeclaredField("unsubscribing");
        unsubscribing.setAccessible(true);
        return ((Set<?>) unsubscribing.get(app.component().getWaitRegistry().orphans())).isEmpty();
    }

    /**
     * Calls an order's wait back, waits for its exchange and its first unsubscribe, then a second later for a sweep.
     *
     * @return the wait's finished time
     */
    private long approvedThenSwept(DurableApp app, String callback, CompletableFuture<Exchange> exchange, String order)
            throws Exception {
        assertEquals(200, service.post(callback, "approved").statusCode());
        exchange.get(10, TimeUnit.SECONDS);
        await().until(() -> unsubscribes(order) == 1);
        clock.advance(1_000);
        app.sweep();
        return finishedAt(order);
    }

    private long unsubscribes(String order) {
        return deletes().stream().filter(delete -> delete.path().equals("/jobs/" + order)).count();
    }

    private long finishedAt(String order) throws SQLException {
        return longValue("SELECT finished_at FROM logicwebhook_wait WHERE snapshot LIKE '%\"" + order + "\"%'");
    }

    /** The unsubscribed-before time of the one node that wrote one. */
    private long unsubscribedBefore() throws SQLException {
        return longValue("SELECT MAX(unsubscribed_before) FROM logicwebhook_node");
    }

    /** The first column of a query's first row (0 for NULL). */
    private long longValue(String sql) throws SQLException {
        Object value = value(sql);
        return value == null ? 0 : ((Number) value).longValue();
    }

    /** The first column of a query's first row, as JDBC reads it. */
    private Object value(String sql) throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(sql)) {
            result.next();
            return result.getObject(1);
        }
    }

    /**
     * Two Camel contexts of one JVM (two bundles in Karaf, say) on the same embedded H2 file are two live nodes: the
     * second does not take the first's live wait for an orphan (only one JVM can open the file, but both of these are
     * in it), and the wait resumes its own exchange when its callback comes.
     */
    @ParameterizedTest
    @EnumSource(value = TestDatabases.class, names = "H2")
    void twoContextsOfOneJvmOnOneH2FileDoNotAdoptEachOthersWaits(TestDatabases store) throws Exception {
        setUp(store);
        DurableApp first = app(true);
        CompletableFuture<Exchange> waiting = first.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);
        DurableApp second = new DurableApp(AvailablePortFinder.getNextAvailable(), service, database, clock, true, "",
                component -> {
                });
        apps.add(second);
        second.start();
        second.sweep();
        await().until(() -> orphanWorkIdle(second) && nodes() == 2);
        assertEquals(0, rows("adopted = TRUE"), "the first context's wait is its own");

        assertEquals(200, service.post(callback, "approved").statusCode());
        assertEquals("approved", waiting.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class));
        assertEquals(0, second.resumed.size());
    }

    /**
     * Tables created by an earlier version (no column for a delivery put off nor for the unsubscribe journal, JSON columns
     * of VARCHAR(1000000)) are
     * upgraded at the next start: an orphan's callback of 900 KB (1.2 MB of base64 in its stored result) is taken and
     * delivered, where it was refused (503) at every try.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void tablesCreatedByAnEarlierVersionAreUpgradedAndTakeALargeCallback(TestDatabases store) throws Exception {
        setUp(store);
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            for (String ddl : JdbcWaitStore.SCHEMA) {
                statement.execute(ddl.replace("deliver_after BIGINT,", "")
                        .replace(",\n    unsubscribed_before BIGINT,\n    unsubscribes_taken TEXT", "")
                        .replace("TEXT", "VARCHAR(1000000)"));
            }
        }
        assertThrows(SQLException.class, () -> rows("deliver_after IS NULL"));
        assertThrows(SQLException.class, () -> longValue("SELECT MAX(unsubscribed_before) FROM logicwebhook_node"));
        String callback = oneWaitHandedOver();
        assertEquals(1, rows("deliver_after IS NULL"));
        // the column was added, and a graceful stop with no unsubscribe under way leaves nothing to send again
        assertEquals(0, longValue("SELECT COUNT(*) FROM logicwebhook_node WHERE unsubscribed_before IS NOT NULL"));
        DurableApp second = app(true);
        String large = "x".repeat(900_000);
        assertEquals(200, service.post(callback, large).statusCode());
        await().until(() -> second.resumed.size() == 1);
        assertEquals(large, new String((byte[]) second.resumed.get(0).body()));
    }

    /**
     * The delivery of an orphan was put off after its route failed twice; the next start (a redeploy that fixed the
     * route, say) adopts it and delivers it at once, without waiting for the delay.
     */
    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aDeliveryPutOffIsMadeAtOnceByTheNextStart(TestDatabases store) throws Exception {
        setUp(store);
        oneWaitHandedOver();
        clock.advance(11_000);
        DurableApp second = app(true);
        second.failDeliveries.set(2);
        second.sweep();
        await().until(() -> second.deliveriesTried.get() == 1 && orphansSettled(second));
        clock.advance(6_000);
        second.sweep();
        await().until(() -> second.deliveriesTried.get() == 2 && orphansSettled(second));
        await().until(() -> rows("deliver_after = " + (clock.millis() + 10_000)) == 1);
        second.close();

        DurableApp third = app(true);
        third.sweep();
        await().until(() -> third.resumed.size() == 1);
        assertInstanceOf(ExchangeTimedOutException.class, third.resumed.get(0).exception());
        await().until(() -> rows("state = 'TIMED_OUT' AND delivered = TRUE") == 1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void anOrphansCallbackThatComesWhileItsDeadlineIsBeingClaimedResumesItOnce(TestDatabases store) throws Exception {
        setUp(store);
        String callback = oneWaitHandedOver();

        clock.advance(11_000);
        GatedWaitStore gated = new GatedWaitStore(new JdbcWaitStore(database), "TIMED_OUT");
        DurableApp second = app(true, "", component -> component.setWaitStore(gated));
        // the sweep unsubscribes the orphan past its deadline, and is held just before its claim
        second.sweep();
        assertTrue(gated.arrived.await(10, TimeUnit.SECONDS));
        assertEquals(200, service.post(callback, "approved").statusCode());
        gated.open.countDown();

        await().until(() -> rows("delivered = TRUE") == 1);
        assertEquals(1, rows("state = 'COMPLETED'"), "the callback's claim counted, the deadline's did not");
        assertEquals(1, second.resumed.size());
        assertEquals("approved", new String((byte[]) second.resumed.get(0).body()));
        assertNull(second.resumed.get(0).exception());
        assertEquals(1, deletes().size(), "unsubscribed once");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aCallbackWhoseClaimIsBeingWrittenWhenTheApplicationStopsIsNotHandedOver(TestDatabases store) throws Exception {
        setUp(store);
        GatedWaitStore gated = new GatedWaitStore(new JdbcWaitStore(database), "COMPLETED");
        DurableApp app = app(true, "", component -> component.setWaitStore(gated));
        Future<Exchange> waiting = app.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);

        CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> {
            try {
                return service.post(callback, "approved").statusCode();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(gated.arrived.await(10, TimeUnit.SECONDS));
        // the stop comes between the callback's decision and its write: it must leave that wait alone
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(app::close);
        await().until(() -> app.context.isStopping());
        gated.open.countDown();
        stopped.get(30, TimeUnit.SECONDS);

        assertEquals(200, answer.get(10, TimeUnit.SECONDS));
        Exchange exchange = waiting.get(10, TimeUnit.SECONDS);
        assertNull(exchange.getException());
        assertEquals("approved", exchange.getMessage().getBody(String.class));
        assertEquals(1, rows("state = 'COMPLETED' AND delivered = TRUE"));
        assertEquals(0, rows("owner IS NULL"), "nothing handed over");
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aSecretHeaderOfTheUnsubscribeIsNotStoredAndAnOrphanStillSendsIt(TestDatabases store) throws Exception {
        setUp(store);
        String options = "&unsubscribeHeader.X-Api-Key=admin-key-123&unsubscribeHeader.X-Purpose=cleanup";
        DurableApp first = app(true, options, component -> {
        });
        first.startWait("order-1");
        String callback = callbackUrls(1, "callback").get(0);
        await().until(() -> rows("subscribed = TRUE") == 1);
        assertEquals(0, rows("unsubscribe LIKE '%admin-key-123%'"), "the secret is not kept");
        assertEquals(1, rows("unsubscribe LIKE '%cleanup%'"));
        first.close();
        assertEquals(0, deletes().size(), "handed over, not unsubscribed");

        app(false, options, component -> {
        });
        assertEquals(410, service.post(callback, "approved").statusCode());
        await().until(() -> deletes().size() == 1);
        assertEquals("admin-key-123", deletes().get(0).header("X-Api-Key"));
        assertEquals("cleanup", deletes().get(0).header("X-Purpose"));
    }

    private static HealthCheck.State storeReadiness(DurableApp app) {
        return HealthCheckHelper.invokeReadiness(app.context).stream()
                .filter(result -> result.getCheck().getId().equals("logicwebhook-wait-store")).findFirst()
                .orElseThrow(() -> new AssertionError("no wait-store health check")).getState();
    }

    private static String idOf(String callbackUrl) {
        String path = callbackUrl.substring(0, callbackUrl.indexOf('?'));
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
