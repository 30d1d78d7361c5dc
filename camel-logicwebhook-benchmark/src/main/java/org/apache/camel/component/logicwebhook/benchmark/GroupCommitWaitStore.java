package org.apache.camel.component.logicwebhook.benchmark;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;
import org.apache.camel.component.logicwebhook.store.JdbcWaitStore;
import org.apache.camel.component.logicwebhook.store.StoredRequest;
import org.apache.camel.component.logicwebhook.store.StoredWait;

/**
 * A PROTOTYPE, for the benchmark only (issue #13): the component's {@link JdbcWaitStore} with its three writes per wait
 * ({@code insert}, {@code subscribed}, {@code finish}) grouped. Each caller still returns only once its own write is
 * committed, as with JdbcWaitStore; but the writes that arrive while a commit is under way are executed together, in
 * one transaction, by one writer thread, with one {@code executeBatch} per statement kind. So N concurrent waits cost
 * one commit (H2: one MVStore chunk written; PostgreSQL: one WAL flush, and one network round trip per statement kind)
 * instead of N. Reads and the rare writes (heartbeat, adopt, hand-over, purge) are JdbcWaitStore's own.
 * <p>
 * Plugged into the component through its {@code waitStore} option, it measures what grouping the writes would gain; it
 * is not part of the component. Same SQL as JdbcWaitStore 1.0.0-SNAPSHOT.
 */
public final class GroupCommitWaitStore extends JdbcWaitStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS = "id, endpoint, owner, adopted, state, subscribed, created_at, deadline,"
                                          + " hard_deadline, delivered, unsubscribe, snapshot, result";
    private static final String INSERT
            = "INSERT INTO logicwebhook_wait (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String SUBSCRIBED = "UPDATE logicwebhook_wait SET subscribed = TRUE, unsubscribe = ? WHERE id = ?";
    private static final String FINISH = "UPDATE logicwebhook_wait SET state = ?, result = ?, delivered = ?, finished_at = ?"
                                         + " WHERE id = ? AND state = 'PENDING'";
    /** The order in which a group's statements run: a wait's insert was committed before its other writes began. */
    private static final List<String> ORDER = List.of(INSERT, SUBSCRIBED, FINISH);

    private record Write(String sql, Object[] parameters, CompletableFuture<Integer> done) {
    }

    private final DataSource dataSource;
    private final int maxGroup;
    private final LinkedBlockingQueue<Write> queue = new LinkedBlockingQueue<>();
    private final LongAdder commits = new LongAdder();
    private final LongAdder writes = new LongAdder();
    private volatile Thread writer;
    private volatile boolean running;

    public GroupCommitWaitStore(DataSource dataSource, Runnable closeDataSource, int maxGroup) {
        super(dataSource, closeDataSource);
        this.dataSource = dataSource;
        this.maxGroup = maxGroup;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        running = true;
        writer = new Thread(this::writeLoop, "GroupCommitWaitStore-writer");
        writer.setDaemon(true);
        writer.start();
    }

    @Override
    protected void doStop() {
        running = false;
        Thread thread = writer;
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        super.doStop();
    }

    @Override
    public void insert(StoredWait wait) {
        write(INSERT, wait.id(), wait.endpoint(), wait.owner(), wait.adopted(), wait.state(), wait.subscribed(),
                wait.createdAt(), wait.deadline(), wait.hardDeadline(), wait.delivered(), toJson(wait.unsubscribe()),
                wait.snapshot(), wait.result());
    }

    @Override
    public void subscribed(String id, StoredRequest unsubscribe) {
        write(SUBSCRIBED, toJson(unsubscribe), id);
    }

    @Override
    public boolean finish(String id, String state, String result, boolean delivered, long now) {
        return write(FINISH, state, result, delivered, now, id) == 1;
    }

    /** Commits per write, and writes per commit, since the start. */
    public double writesPerCommit() {
        long c = commits.sum();
        return c == 0 ? 0 : writes.sum() / (double) c;
    }

    private int write(String sql, Object... parameters) {
        if (!running) {
            throw new LogicWebhookStoreException("the wait store is stopped", null);
        }
        CompletableFuture<Integer> done = new CompletableFuture<>();
        queue.add(new Write(sql, parameters, done));
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof LogicWebhookStoreException store ? store
                    : new LogicWebhookStoreException("the wait store failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new LogicWebhookStoreException("the wait store did not commit within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LogicWebhookStoreException("interrupted while the wait store committed", e);
        }
    }

    private void writeLoop() {
        List<Write> group = new ArrayList<>();
        while (running) {
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                break;
            }
            // whatever came while the last commit ran goes in this one
            queue.drainTo(group, maxGroup - 1);
            commit(group);
            group.clear();
        }
        Write left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new LogicWebhookStoreException("the wait store stopped", null));
        }
    }

    /** One transaction for the group; when it fails, each write alone, so that one bad write fails only itself. */
    private void commit(List<Write> group) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            int[] counts = new int[group.size()];
            try {
                for (String sql : ORDER) {
                    List<Integer> of = new ArrayList<>();
                    for (int i = 0; i < group.size(); i++) {
                        if (group.get(i).sql().equals(sql)) {
                            of.add(i);
                        }
                    }
                    if (of.isEmpty()) {
                        continue;
                    }
                    try (PreparedStatement statement = connection.prepareStatement(sql)) {
                        for (int i : of) {
                            bind(statement, group.get(i).parameters());
                            statement.addBatch();
                        }
                        int[] batch = statement.executeBatch();
                        for (int k = 0; k < of.size(); k++) {
                            counts[of.get(k)] = batch[k];
                        }
                    }
                }
                connection.commit();
            } catch (SQLException e) {
                connection.rollback();
                connection.setAutoCommit(true);
                one(connection, group);
                return;
            } finally {
                if (!connection.getAutoCommit()) {
                    connection.setAutoCommit(true);
                }
            }
            commits.increment();
            writes.add(group.size());
            for (int i = 0; i < group.size(); i++) {
                group.get(i).done().complete(counts[i]);
            }
        } catch (SQLException | RuntimeException e) {
            for (Write write : group) {
                write.done().completeExceptionally(
                        new LogicWebhookStoreException("the wait store failed: " + e.getMessage(), e));
            }
        }
    }

    private void one(Connection connection, List<Write> group) {
        for (Write write : group) {
            try (PreparedStatement statement = connection.prepareStatement(write.sql())) {
                bind(statement, write.parameters());
                write.done().complete(statement.executeUpdate());
                commits.increment();
                writes.increment();
            } catch (SQLException | RuntimeException e) {
                write.done().completeExceptionally(
                        new LogicWebhookStoreException("the wait store failed: " + e.getMessage(), e));
            }
        }
    }

    private static void bind(PreparedStatement statement, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object value = parameters[i];
            if (value == null) {
                statement.setNull(i + 1, Types.VARCHAR);
            } else if (value instanceof Long number) {
                statement.setLong(i + 1, number);
            } else if (value instanceof Boolean flag) {
                statement.setBoolean(i + 1, flag);
            } else {
                statement.setString(i + 1, value.toString());
            }
        }
    }

    private static String toJson(StoredRequest request) {
        try {
            return request == null ? null : JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("an unsubscribe request could not be written as JSON", e);
        }
    }
}
