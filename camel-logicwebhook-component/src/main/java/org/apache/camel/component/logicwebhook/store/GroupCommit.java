package org.apache.camel.component.logicwebhook.store;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;

/**
 * The writes of waits' lives (insert, subscribe answer, claim) from concurrent callers, committed together. Each caller
 * returns only once its own write is committed, as with a transaction of its own; but the writes that arrive while a
 * commit is under way go into the next one. So N waits written at once cost one commit (H2: one chunk of its file;
 * PostgreSQL: one WAL flush) and one batch per statement instead of N of each.
 * <p>
 * No thread of its own: the caller that finds no commit under way commits what is queued (its own write and the
 * others'), the others wait for their own write, and when a round ends its leader wakes one caller whose write is still
 * queued to lead the next (only that one: waking every waiter at each round cost a thread switch per write for nothing).
 * So nothing needs starting or stopping, and no write is ever interrupted by the store itself.
 * <p>
 * Under load (the last round held more than one write), a round first waits up to {@link #MAX_DELAY_NANOS} for as many
 * writes as the last one held, as PostgreSQL's {@code commit_delay} does, and the write that makes the number wakes it.
 * Measured with 16 writers on 2 cores: rounds went from 3 writes to 9, and the CPU per wait on H2 from about 1.5 ms to
 * 0.3-0.7 ms. A lone writer never waits.
 * <p>
 * A round runs its statements grouped by their SQL, in the order each SQL first arrived, each group as one JDBC batch in
 * arrival order. That is the order of the writes as far as they can depend on each other: a wait's insert is committed
 * before its subscribe goes out, so before any other write of that wait; a subscribe answer and a claim of the same
 * wait commute; two claims of one wait keep their order. If the round fails, each of its writes is tried in a
 * transaction of its own, so that one bad write fails only its own caller.
 */
final class GroupCommit {

    /**
     * One caller's write; {@code announce}: the statement to run when the update counted, in the same transaction;
     * {@code caller}: the thread that waits for it, or {@code null}.
     */
    private record Write(String sql, Object[] parameters, Announcement announce, CompletableFuture<Integer> done,
            Thread caller) {

        void complete(int count) {
            done.complete(count);
            wake();
        }

        void fail(LogicWebhookStoreException failure) {
            done.completeExceptionally(failure);
            wake();
        }

        void wake() {
            if (caller != null) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** What a counted update says in its transaction (PostgreSQL: a NOTIFY for the owner of the wait). */
    record Announcement(String sql, String parameter) {
    }

    private static final int MAX_ROUND = 256;
    /** How long a round waits, at most, for as many writes as the last one held. */
    static final long MAX_DELAY_NANOS = 500_000;

    private final DataSource dataSource;
    private final long maxDelayNanos;
    private final ConcurrentLinkedQueue<Write> queue = new ConcurrentLinkedQueue<>();
    /** Held by the caller that leads the current round. */
    private final ReentrantLock leading = new ReentrantLock();
    /** Completed when the current round ends: what {@link #flush()} waits for. */
    private volatile CompletableFuture<Void> round = CompletableFuture.completedFuture(null);
    /** The callers that wait for their own write: they lead the rounds to come. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** How many writes are queued. */
    private final AtomicInteger queued = new AtomicInteger();
    /** The leader that waits for {@link #target} writes to be queued, or {@code null}. */
    private volatile Thread gathering;
    private volatile int target = Integer.MAX_VALUE;
    /** How many writes the last round held (guarded by {@link #leading}). */
    private int lastRound = 1;
    /** Rounds and writes committed (or failed) since the start. */
    private final LongAdder rounds = new LongAdder();
    private final LongAdder written = new LongAdder();

    GroupCommit(DataSource dataSource) {
        this(dataSource, MAX_DELAY_NANOS);
    }

    /** @param maxDelayNanos how long a round under load waits for writes, at most (tests make it long) */
    GroupCommit(DataSource dataSource, long maxDelayNanos) {
        this.dataSource = dataSource;
        this.maxDelayNanos = maxDelayNanos;
    }

    /**
     * Writes with the next round, and returns once it committed.
     *
     * @param  announce what to run in the same transaction when the update counted, or {@code null}
     * @return          the update count
     */
    int write(String sql, Announcement announce, Object... parameters) {
        Write write = new Write(sql, parameters, announce, new CompletableFuture<>(), Thread.currentThread());
        waiting.incrementAndGet();
        boolean interrupted = false;
        try {
            enqueue(write);
            while (!write.done().isDone()) {
                if (leading.tryLock()) {
                    lead();
                } else {
                    // a round is under way: woken when this write is done, or to lead the next round (the leader
                    // releases the lock before it wakes anyone). Not interruptible, as the leader may be committing it
                    LockSupport.park(this);
                    interrupted |= Thread.interrupted();
                }
            }
        } finally {
            waiting.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        flushIfAlone();
        try {
            return write.done().join();
        } catch (CompletionException e) {
            throw JdbcWaitStore.failed(e.getCause());
        }
    }

    /**
     * Writes with the next round without waiting for it, when a round is under way; otherwise leads one now. The next
     * round is led by a caller that waits for its own write, or, when none is left, by the last of them or by this one
     * (see {@link #flushIfAlone()}): a write is never left in the queue with nobody to commit it.
     *
     * @param failed told when the write failed (it is not retried)
     */
    void writeLater(String sql, Consumer<LogicWebhookStoreException> failed, Object... parameters) {
        Write write = new Write(sql, parameters, null, new CompletableFuture<>(), null);
        write.done().whenComplete((count, e) -> {
            if (e != null) {
                failed.accept(JdbcWaitStore.failed(e));
            }
        });
        enqueue(write);
        flushIfAlone();
    }

    /**
     * Leads rounds while writes are queued that no waiting caller will lead: called by every caller once its own write
     * is done, and by {@link #writeLater}. A caller that waits leads (or waits for) rounds until its own write is done
     * and then comes here, so the last one leaving sees what was queued meanwhile (the counter is decremented before
     * the queue is read, and a write is queued before the counter is read).
     */
    void flushIfAlone() {
        while (!queue.isEmpty() && waiting.get() == 0 && leading.tryLock()) {
            lead();
        }
    }

    /** Commits whatever is queued before it returns (at the store's stop). */
    void flush() {
        while (!queue.isEmpty()) {
            if (leading.tryLock()) {
                lead();
            } else {
                round.join();
            }
        }
    }

    private void enqueue(Write write) {
        queue.add(write);
        // counted before the leader is read: a leader that starts waiting after this sees the count
        int count = queued.incrementAndGet();
        Thread leader = gathering;
        if (leader != null && count >= target) {
            LockSupport.unpark(leader);
        }
    }

    /** One round, with {@link #leading} held (and released here). */
    private void lead() {
        CompletableFuture<Void> thisRound = new CompletableFuture<>();
        round = thisRound;
        // the round writes others' waits too: an interrupt meant for this caller must not break its I/O (an interrupted
        // H2 write closes the database file); the caller gets its interrupt back afterwards
        boolean interrupted = Thread.interrupted();
        try {
            commitQueued();
        } finally {
            leading.unlock();
            thisRound.complete(null);
            wakeNextLeader();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Wakes the first caller whose write is still queued, to lead the next round (once the lock is released: a caller
     * that found it held parks, so it is woken, or finds it free). Writes of {@link #writeLater} have no caller; when
     * only they are left, {@link #flushIfAlone()} commits them.
     */
    private void wakeNextLeader() {
        for (Write queuedWrite : queue) {
            if (queuedWrite.caller() != null) {
                queuedWrite.wake();
                return;
            }
        }
    }

    /** The round: what is queued, at most {@link #MAX_ROUND} writes (the rest leads the next round). */
    private void commitQueued() {
        if (lastRound > 1 && queued.get() < lastRound) {
            // under load, as PostgreSQL's commit_delay: a moment for the writes on their way (each round costs H2 about
            // a millisecond of CPU, whatever it holds; PostgreSQL round trips and a flush); the write that makes the
            // round as large as the last wakes it
            target = lastRound;
            gathering = Thread.currentThread();
            long until = System.nanoTime() + maxDelayNanos;
            for (long left = maxDelayNanos; left > 0 && queued.get() < lastRound; left = until - System.nanoTime()) {
                LockSupport.parkNanos(this, left);
            }
            gathering = null;
        }
        List<Write> writes = new ArrayList<>();
        for (Write next = queue.poll(); next != null; next = writes.size() < MAX_ROUND - 1 ? queue.poll() : null) {
            queued.decrementAndGet();
            writes.add(next);
        }
        if (writes.isEmpty()) {
            return;
        }
        rounds.increment();
        written.add(writes.size());
        lastRound = writes.size();
        try {
            commit(writes);
        } catch (Error e) {
            // commit answers every write it took, unless the JVM itself failed; then too, no caller waits for ever
            LogicWebhookStoreException failure = JdbcWaitStore.failed(e);
            writes.forEach(write -> write.fail(failure));
            throw e;
        }
    }

    private void commit(List<Write> writes) {
        try (Connection connection = dataSource.getConnection()) {
            int[] counts;
            connection.setAutoCommit(false);
            try {
                counts = execute(connection, writes);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                connection.setAutoCommit(true);
                if (writes.size() == 1) {
                    throw e;
                }
                each(connection, writes);
                return;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.setAutoCommit(true);
                }
            }
            for (int i = 0; i < writes.size(); i++) {
                writes.get(i).complete(counts[i]);
            }
        } catch (SQLException | RuntimeException e) {
            LogicWebhookStoreException failure = JdbcWaitStore.failed(e);
            writes.stream().filter(write -> !write.done().isDone())
                    .forEach(write -> write.fail(failure));
        }
    }

    /** The writes' statements, one batch per SQL, then the announcements of the updates that counted. */
    private static int[] execute(Connection connection, List<Write> writes) throws SQLException {
        Map<String, List<Integer>> bySql = new LinkedHashMap<>();
        for (int i = 0; i < writes.size(); i++) {
            bySql.computeIfAbsent(writes.get(i).sql(), sql -> new ArrayList<>()).add(i);
        }
        int[] counts = new int[writes.size()];
        for (Map.Entry<String, List<Integer>> group : bySql.entrySet()) {
            List<Integer> indexes = group.getValue();
            try (PreparedStatement statement = connection.prepareStatement(group.getKey())) {
                if (indexes.size() == 1) {
                    JdbcWaitStore.bind(statement, writes.get(indexes.get(0)).parameters());
                    counts[indexes.get(0)] = statement.executeUpdate();
                    continue;
                }
                for (int i : indexes) {
                    JdbcWaitStore.bind(statement, writes.get(i).parameters());
                    statement.addBatch();
                }
                int[] batch = statement.executeBatch();
                for (int k = 0; k < indexes.size(); k++) {
                    if (batch[k] < 0) {
                        // a driver that does not count each statement of a batch: each write alone then
                        throw new BatchUpdateException("the driver did not count each update of a batch", batch);
                    }
                    counts[indexes.get(k)] = batch[k];
                }
            }
        }
        for (int i = 0; i < writes.size(); i++) {
            announce(connection, writes.get(i), counts[i]);
        }
        return counts;
    }

    /** Each write in a transaction of its own (its update and its announcement together). */
    private static void each(Connection connection, List<Write> writes) throws SQLException {
        for (Write write : writes) {
            connection.setAutoCommit(false);
            try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
                JdbcWaitStore.bind(statement, write.parameters());
                int count = statement.executeUpdate();
                announce(connection, write, count);
                connection.commit();
                write.complete(count);
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                write.fail(JdbcWaitStore.failed(e));
            }
        }
        connection.setAutoCommit(true);
    }

    private static void announce(Connection connection, Write write, int count) throws SQLException {
        if (count == 1 && write.announce() != null) {
            try (PreparedStatement statement = connection.prepareStatement(write.announce().sql())) {
                statement.setString(1, write.announce().parameter());
                if (statement.execute()) {
                    statement.getResultSet().close();
                }
            }
        }
    }

    /** The writes per round (per commit, unless a round failed) since the start: how much grouping there was. */
    double writesPerRound() {
        long sum = rounds.sum();
        return sum == 0 ? 0 : written.sum() / (double) sum;
    }
}
