package org.apache.camel.component.logicwebhook.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;
import org.apache.camel.component.logicwebhook.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The group commit of the wait store's writes, on an H2 file, with the rounds held at will: the test takes a permit for
 * each connection a round takes, so it decides when a round begins and sees which writes went into it.
 */
class GroupCommitTest {

    private static final String INSERT = "INSERT INTO t (id, state) VALUES (?, 'PENDING')";
    private static final String CLAIM = "UPDATE t SET state = ? WHERE id = ? AND state = 'PENDING'";

    private DataSource h2;
    /** The connections (rounds) the store took. */
    private final AtomicInteger connections = new AtomicInteger();
    /** One permit per connection the store may take; a round without one waits, holding the lead. */
    private final Semaphore permits = new Semaphore(0);
    private final CountDownLatch asked = new CountDownLatch(1);
    private volatile boolean down;
    private DataSource gated;
    private GroupCommit group;
    private ExecutorService callers;

    @BeforeEach
    void open() throws Exception {
        Path dir = TestDatabases.newFolder("group");
        h2 = EmbeddedH2.dataSource("jdbc:h2:file:" + dir.resolve("t").toAbsolutePath());
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE t (id VARCHAR(64) PRIMARY KEY, state VARCHAR(16) NOT NULL)");
        }
        gated = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { DataSource.class }, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        asked.countDown();
                        permits.acquire();
                        connections.incrementAndGet();
                        if (down) {
                            throw new SQLException("Connection refused (the test took the database down)", "08001");
                        }
                    }
                    try {
                        return method.invoke(h2, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        group = new GroupCommit(gated);
        callers = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() {
        permits.release(1_000);
        callers.shutdownNow();
        EmbeddedH2.close(h2);
    }

    @Test
    void theWritesThatArriveDuringACommitGoIntoTheNextOneAndEachCallerGetsItsOwnCount() throws Exception {
        // the first write leads a round and is held at its connection
        Future<Integer> first = callers.submit(() -> group.write(INSERT, null, "w0"));
        assertTrue(asked.await(10, TimeUnit.SECONDS));
        // meanwhile: 15 inserts, and two claims of w0 that race each other
        List<Future<Integer>> inserts = new ArrayList<>();
        for (int i = 1; i <= 15; i++) {
            String id = "w" + i;
            inserts.add(callers.submit(() -> group.write(INSERT, null, id)));
        }
        Future<Integer> claim = callers.submit(() -> group.write(CLAIM, null, "COMPLETED", "w0"));
        Future<Integer> duplicate = callers.submit(() -> group.write(CLAIM, null, "COMPLETED", "w0"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> queued() == 17);

        permits.release(2);
        assertEquals(1, first.get(10, TimeUnit.SECONDS));
        for (Future<Integer> insert : inserts) {
            assertEquals(1, insert.get(10, TimeUnit.SECONDS));
        }
        // one claim counted, the other found the wait finished: in the same transaction, in their order
        assertEquals(1, claim.get(10, TimeUnit.SECONDS) + duplicate.get(10, TimeUnit.SECONDS));
        assertEquals(2, connections.get(), "the 17 writes that came during the first commit share the second");
        assertEquals(16, count("SELECT COUNT(*) FROM t"));
        assertEquals(1, count("SELECT COUNT(*) FROM t WHERE state = 'COMPLETED'"));
    }

    @Test
    void aBadWriteFailsOnlyItsOwnCaller() throws Exception {
        Future<Integer> held = holdSecondRound("taken", "a");
        Future<Integer> duplicate = callers.submit(() -> group.write(INSERT, null, "taken"));
        Future<Integer> good = callers.submit(() -> group.write(INSERT, null, "b"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> queued() == 2);

        permits.release(2);
        assertEquals(1, held.get(10, TimeUnit.SECONDS));
        assertEquals(1, good.get(10, TimeUnit.SECONDS));
        Exception failure = assertThrows(Exception.class, () -> duplicate.get(10, TimeUnit.SECONDS));
        assertInstanceOf(LogicWebhookStoreException.class, failure.getCause());
        assertEquals(3, count("SELECT COUNT(*) FROM t"));
    }

    @Test
    void aRoundThatCannotReachTheDatabaseFailsEveryWriteInItAndTheNextRoundWorks() throws Exception {
        permits.release(1);
        group.write(INSERT, null, "before");
        down = true;
        Future<Integer> held = callers.submit(() -> group.write(INSERT, null, "a"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> permits.hasQueuedThreads());
        Future<Integer> queued = callers.submit(() -> group.write(INSERT, null, "b"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> queued() == 1);

        permits.release(2);
        for (Future<Integer> write : List.of(held, queued)) {
            Exception failure = assertThrows(Exception.class, () -> write.get(10, TimeUnit.SECONDS));
            assertInstanceOf(LogicWebhookStoreException.class, failure.getCause());
        }
        down = false;
        permits.release(1);
        assertEquals(1, group.write(INSERT, null, "after"));
    }

    @Test
    void anInterruptedCallerStillGetsTheOutcomeOfTheCommitThatHoldsItsWrite() throws Exception {
        Future<Integer> leader = callers.submit(() -> group.write(INSERT, null, "a"));
        assertTrue(asked.await(10, TimeUnit.SECONDS));
        AtomicInteger count = new AtomicInteger(-1);
        CountDownLatch returned = new CountDownLatch(1);
        boolean[] interrupted = new boolean[1];
        Thread follower = new Thread(() -> {
            count.set(group.write(INSERT, null, "b"));
            interrupted[0] = Thread.currentThread().isInterrupted();
            returned.countDown();
        });
        follower.start();
        await().atMost(10, TimeUnit.SECONDS).until(() -> queued() == 1);
        follower.interrupt();
        assertFalse(returned.await(200, TimeUnit.MILLISECONDS), "returned before its write was committed");

        permits.release(2);
        assertEquals(1, leader.get(10, TimeUnit.SECONDS));
        assertTrue(returned.await(10, TimeUnit.SECONDS));
        assertEquals(1, count.get());
        assertTrue(interrupted[0], "the interrupt is kept for the caller");
        assertEquals(2, count("SELECT COUNT(*) FROM t"));
    }

    @Test
    void aWriteThatNobodyWaitsForReturnsDuringARoundAndTheLeaderCommitsItAfterwards() throws Exception {
        Future<Integer> held = holdSecondRound("a", "b");
        List<LogicWebhookStoreException> failures = new ArrayList<>();
        // returns at once, although the round under way holds the lead
        group.writeLater(CLAIM, failures::add, "COMPLETED", "a");
        assertEquals(1, queued());

        // nobody else writes: the leader of the held round, done with its own write, commits it
        permits.release(2);
        assertEquals(1, held.get(10, TimeUnit.SECONDS));
        await().atMost(10, TimeUnit.SECONDS).until(() -> count("SELECT COUNT(*) FROM t WHERE state = 'COMPLETED'") == 1);
        assertEquals(3, connections.get());
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void aWriteThatNobodyWaitsForIsCommittedAtOnceWhenNoRoundIsUnderWayAndItsFailureIsTold() throws Exception {
        permits.release(2);
        group.writeLater(INSERT, e -> {
            throw new AssertionError(e);
        }, "a");
        assertEquals(0, queued());
        assertEquals(1, count("SELECT COUNT(*) FROM t"));
        List<LogicWebhookStoreException> failures = new ArrayList<>();
        group.writeLater(INSERT, failures::add, "a");
        assertEquals(1, failures.size(), "the duplicate key is told");
    }

    @Test
    void underLoadARoundWaitsForAsManyWritesAsTheLastAndTheWriteThatMakesThemWakesIt() throws Exception {
        // a delay far longer than the test: only the wake-up can end the wait in time
        group = new GroupCommit(gated, TimeUnit.SECONDS.toNanos(60));
        Future<Integer> first = callers.submit(() -> group.write(INSERT, null, "a"));
        assertTrue(asked.await(10, TimeUnit.SECONDS));
        Future<Integer> second = callers.submit(() -> group.write(INSERT, null, "b"));
        Future<Integer> third = callers.submit(() -> group.write(INSERT, null, "c"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> queued() == 2);
        permits.release(1_000);
        // a lone write leads at once (the first round); the next one holds two
        for (Future<Integer> write : List.of(first, second, third)) {
            assertEquals(1, write.get(10, TimeUnit.SECONDS));
        }
        assertEquals(2, connections.get());

        // under load now: a round waits for a second write before it takes a connection
        Future<Integer> fourth = callers.submit(() -> group.write(INSERT, null, "d"));
        await().atMost(10, TimeUnit.SECONDS).until(() -> gathering() != null);
        assertEquals(2, connections.get());
        Future<Integer> fifth = callers.submit(() -> group.write(INSERT, null, "e"));
        assertEquals(1, fourth.get(10, TimeUnit.SECONDS));
        assertEquals(1, fifth.get(10, TimeUnit.SECONDS));
        assertEquals(3, connections.get(), "the two writes share one round");
    }

    private Object gathering() throws Exception {
        java.lang.reflect.Field field = GroupCommit.class.getDeclaredField("gathering");
        field.setAccessible(true);
        return field.get(group);
    }

    /** Commits the insert of {@code first} alone, then holds the round of {@code held}'s insert at its connection. */
    private Future<Integer> holdSecondRound(String first, String held) throws Exception {
        permits.release(1);
        group.write(INSERT, null, first);
        Future<Integer> holding = callers.submit(() -> group.write(INSERT, null, held));
        await().atMost(10, TimeUnit.SECONDS).until(() -> connections.get() == 1 && permits.hasQueuedThreads());
        return holding;
    }

    /** The writes queued behind the round under way. */
    private int queued() throws Exception {
        java.lang.reflect.Field field = GroupCommit.class.getDeclaredField("queue");
        field.setAccessible(true);
        return ((java.util.Collection<?>) field.get(group)).size();
    }

    private long count(String sql) throws SQLException {
        try (Connection connection = h2.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
