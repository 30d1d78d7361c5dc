package org.apache.camel.component.logicwebhook.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.component.logicwebhook.LogicWebhookStoreException;
import org.apache.camel.component.logicwebhook.observability.RepeatedWarning;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link WaitStore} in any database reached through a {@link DataSource}, with plain JDBC: tested on H2 (the embedded
 * default) and PostgreSQL. It creates its two tables when they are missing (the statements are in the docs, for DBAs who
 * create them themselves). Every state change is one conditional {@code UPDATE} whose count decides who acted. Nothing
 * is stored as a Java object: requests and snapshots are JSON text.
 * <p>
 * The three writes of each wait (insert, subscribe answer, claim) of concurrent waits are committed together
 * ({@link GroupCommit}): each caller still returns only after its own write committed.
 * <p>
 * Errors reach the caller as {@link LogicWebhookStoreException}: the action then fails fast and a callback is answered 503.
 */
public class JdbcWaitStore extends ServiceSupport implements WaitStore {

    /** The schema: one row per wait, one per incarnation (a start of a component), and their indexes. */
    public static final List<String> SCHEMA = List.of("""
            CREATE TABLE IF NOT EXISTS logicwebhook_wait (
                id VARCHAR(64) NOT NULL PRIMARY KEY,
                endpoint VARCHAR(255) NOT NULL,
                owner VARCHAR(64),
                adopted BOOLEAN NOT NULL,
                state VARCHAR(16) NOT NULL,
                subscribed BOOLEAN NOT NULL,
                created_at BIGINT NOT NULL,
                deadline BIGINT NOT NULL,
                hard_deadline BIGINT NOT NULL,
                finished_at BIGINT,
                delivered BOOLEAN NOT NULL,
                deliver_after BIGINT,
                unsubscribe TEXT,
                snapshot TEXT,
                result TEXT)""",
            // the one index besides the key, as each index costs every write of a wait: what is still to deliver (every
            // pending wait, and finished ones not delivered yet) by owner, then by state and deadline; every query but the
            // hourly purge of finished waits reads it, and the heartbeat's never reach the finished waits kept for their
            // retention (delivered = TRUE, at its other end)
            "CREATE INDEX IF NOT EXISTS logicwebhook_wait_work ON logicwebhook_wait (delivered, owner, state, deadline)",
            """
            CREATE TABLE IF NOT EXISTS logicwebhook_node (
                incarnation VARCHAR(64) NOT NULL PRIMARY KEY,
                started_at BIGINT NOT NULL,
                heartbeat_at BIGINT NOT NULL,
                stopped BOOLEAN NOT NULL,
                unsubscribed_before BIGINT,
                unsubscribes_taken TEXT)""",
            """
            CREATE TABLE IF NOT EXISTS logicwebhook_trigger (
                name VARCHAR(255) NOT NULL PRIMARY KEY,
                epoch BIGINT NOT NULL,
                owner VARCHAR(64),
                unsubscribe TEXT)""");

    /**
     * What tables created by an earlier version lack, run only when they do (not at every start: an ALTER TABLE locks
     * the table, and needs its owner on PostgreSQL). The JSON columns were VARCHAR(1000000), too short for
     * the result of a callback of more than about 740 KB (its body is base64) or a snapshot of more than 1,000,000
     * characters.
     */
    public static final List<String> UPGRADE = List.of(
            "ALTER TABLE logicwebhook_wait ADD COLUMN IF NOT EXISTS deliver_after BIGINT",
            "ALTER TABLE logicwebhook_node ADD COLUMN IF NOT EXISTS unsubscribed_before BIGINT",
            "ALTER TABLE logicwebhook_node ADD COLUMN IF NOT EXISTS unsubscribes_taken TEXT",
            "ALTER TABLE logicwebhook_wait ALTER COLUMN unsubscribe SET DATA TYPE TEXT",
            "ALTER TABLE logicwebhook_wait ALTER COLUMN snapshot SET DATA TYPE TEXT",
            "ALTER TABLE logicwebhook_wait ALTER COLUMN result SET DATA TYPE TEXT",
            "ALTER TABLE logicwebhook_trigger ALTER COLUMN unsubscribe SET DATA TYPE TEXT");

    /** The precision JDBC reports for a column created VARCHAR(1000000) (TEXT: 1,000,000,000 on H2, more on PostgreSQL). */
    private static final int OLD_JSON_COLUMN = 1_000_000;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcWaitStore.class);
    /** One per wait while the database is down: said once a minute at WARN, not once each. */
    private static final RepeatedWarning UNSUBSCRIBE_NOT_KEPT = new RepeatedWarning(LOG);
    /**
     * The embedded H2 files open in this JVM, with how many started stores have each open (those loaded by this class
     * loader: two applications in one JVM that each bring their own copy of the component count apart).
     */
    private static final Map<String, Integer> EMBEDDED_FILES_OPEN = new ConcurrentHashMap<>();
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The SQL states of a schema object that a concurrent creator made first: unique violation, duplicate table/object. */
    private static final Set<String> CONCURRENT_CREATION = Set.of("23505", "42P07", "42710");
    private static final int SCHEMA_ATTEMPTS = 5;
    /** The NOTIFY channel of claims made for another node's waits; the payload is the wait id. */
    private static final String CHANNEL = "logicwebhook_finished";
    private static final String ANNOUNCE = "SELECT pg_notify('" + CHANNEL + "', ?)";
    private static final String COLUMNS = "id, endpoint, owner, adopted, state, subscribed, created_at, deadline,"
                                          + " hard_deadline, delivered, unsubscribe, snapshot, result";
    /** Owners that are alive: running (not stopped) and heard of recently. */
    private static final String LIVE_OWNERS
            = "SELECT incarnation FROM logicwebhook_node WHERE stopped = FALSE AND heartbeat_at >= ?";
    /** A wait another incarnation may adopt (parameters: the adopting incarnation, staleBefore). */
    private static final String ADOPTABLE = "delivered = FALSE AND (owner IS NULL OR owner <> ? AND owner NOT IN ("
                                            + LIVE_OWNERS + "))";

    private final DataSource dataSource;
    private final Runnable closeDataSource;
    /** The writes of waits' lives (insert, subscribe answer, claim), committed together when they come together. */
    private final GroupCommit writes;
    private boolean createSchema = true;
    /** The embedded H2 file this store has open (only one JVM can open it), or {@code null}. */
    private volatile String embeddedFile;
    /** PostgreSQL: a callback's claim for another node's wait is announced with NOTIFY, and listened for. */
    private volatile boolean postgres;
    /** The connection that LISTENs, held by the one thread that awaits announcements. */
    private Connection listening;

    public JdbcWaitStore(DataSource dataSource) {
        this(dataSource, () -> {
        });
    }

    /** @param closeDataSource run when the store stops: for a DataSource the store made itself */
    public JdbcWaitStore(DataSource dataSource, Runnable closeDataSource) {
        this.dataSource = dataSource;
        this.closeDataSource = closeDataSource;
        this.writes = new GroupCommit(dataSource);
    }

    @Override
    protected void doStop() {
        try {
            writes.flush();
        } catch (RuntimeException e) {
            LOG.warn("The wait store could not commit its last writes at its stop: {}", e.getMessage());
        }
        closeListening();
        String file = embeddedFile;
        if (file != null) {
            EMBEDDED_FILES_OPEN.computeIfPresent(file, (path, stores) -> stores == 1 ? null : stores - 1);
            embeddedFile = null;
        }
        closeDataSource.run();
    }

    /**
     * The writes of waits' lives per commit since the start (1.0: no two came together): how much concurrent waits
     * shared their commits.
     */
    public double getWritesPerCommit() {
        return writes.writesPerRound();
    }

    /** Whether the tables are created at start when missing (default true). */
    public void setCreateSchema(boolean createSchema) {
        this.createSchema = createSchema;
    }

    /** Whether a JDBC URL names an H2 database that only one JVM can open (an embedded file, not a server). */
    static boolean isExclusive(String url) {
        if (url == null || !url.startsWith("jdbc:h2:")) {
            return false;
        }
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        return !upper.startsWith("JDBC:H2:TCP:") && !upper.startsWith("JDBC:H2:SSL:") && !upper.contains("AUTO_SERVER=TRUE");
    }

    public DataSource getDataSource() {
        return dataSource;
    }

    @Override
    public boolean isDurable() {
        return true;
    }

    @Override
    protected void doStart() throws Exception {
        try (Connection connection = connection()) {
            if (isExclusive(connection.getMetaData().getURL())) {
                embeddedFile = databasePath(connection);
                EMBEDDED_FILES_OPEN.merge(embeddedFile, 1, Integer::sum);
            }
            postgres = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
            if (createSchema) {
                createSchema(connection);
            }
        }
    }

    /**
     * {@code CREATE … IF NOT EXISTS} is not safe against a concurrent creator on PostgreSQL: of two nodes that start on
     * an empty database at once, one gets a duplicate key in the server's catalog (SQL state 23505) or a duplicate
     * table or index. That one tries the statement again, shortly, and finds what the other created.
     */
    private static void createSchema(Connection connection) throws SQLException, InterruptedException {
        for (String ddl : SCHEMA) {
            for (int attempt = 1;; attempt++) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(ddl);
                    break;
                } catch (SQLException e) {
                    if (attempt == SCHEMA_ATTEMPTS || !CONCURRENT_CREATION.contains(e.getSQLState())) {
                        throw e;
                    }
                    Thread.sleep(50L * attempt);
                }
            }
        }
        if (createdBefore(connection, "logicwebhook_wait", "deliver_after")
            || createdBefore(connection, "logicwebhook_node", "unsubscribes_taken")
            || createdBefore(connection, "logicwebhook_trigger", null)) {
            for (String ddl : UPGRADE) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute(ddl);
                }
            }
        }
    }

    /**
     * Whether a table was created by an earlier version: without its newest column (if it has one), or with a
     * VARCHAR(1000000) column.
     */
    private static boolean createdBefore(Connection connection, String table, String newest) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet none = statement.executeQuery("SELECT * FROM " + table + " WHERE 1 = 0")) {
            ResultSetMetaData columns = none.getMetaData();
            boolean hasNewest = newest == null;
            for (int i = 1; i <= columns.getColumnCount(); i++) {
                hasNewest |= columns.getColumnName(i).equalsIgnoreCase(newest);
                if (columns.getPrecision(i) == OLD_JSON_COLUMN) {
                    return true;
                }
            }
            return !hasNewest;
        }
    }

    /**
     * An embedded H2 file, which only one JVM can open (known once the store started), and which no other store of this
     * JVM has open: two Camel contexts of one JVM (in Karaf, say) on the same file are two live nodes.
     */
    @Override
    public boolean isExclusive() {
        String file = embeddedFile;
        return file != null && EMBEDDED_FILES_OPEN.getOrDefault(file, 0) == 1;
    }

    /** The H2 database's file, or its name for an in-memory one (which has no file). */
    private static String databasePath(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet path = statement.executeQuery("SELECT DATABASE_PATH(), DATABASE()")) {
            path.next();
            return path.getString(1) != null ? path.getString(1) : "mem:" + path.getString(2);
        }
    }

    @Override
    public void insert(StoredWait wait) {
        writes.write("INSERT INTO logicwebhook_wait (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                null, wait.id(), wait.endpoint(), wait.owner(), wait.adopted(), wait.state(), wait.subscribed(),
                wait.createdAt(), wait.deadline(), wait.hardDeadline(), wait.delivered(), toJson(wait.unsubscribe()),
                wait.snapshot(), wait.result());
    }

    /**
     * Written with the next commit, without waiting for it: nothing waits on this write (the exchange goes on waiting for
     * its callback), and a crash before the commit loses it as it would the instant before a commit of its own. A
     * failure is logged.
     */
    @Override
    public void subscribed(String id, StoredRequest unsubscribe) {
        writes.writeLater("UPDATE logicwebhook_wait SET subscribed = TRUE, unsubscribe = ? WHERE id = ?",
                e -> UNSUBSCRIBE_NOT_KEPT.warn("A wait's unsubscribe request could not be kept in the wait store; another"
                                               + " incarnation could not unsubscribe it: {}", e.getMessage()),
                toJson(unsubscribe), id);
    }

    @Override
    public boolean finish(String id, String state, String result, boolean delivered, long now) {
        // not delivered: another node may own the exchange; it hears of the claim once it is committed
        GroupCommit.Announcement announce = delivered || !postgres ? null : new GroupCommit.Announcement(ANNOUNCE, id);
        return writes.write("UPDATE logicwebhook_wait SET state = ?, result = ?, delivered = ?, finished_at = ?"
                            + " WHERE id = ? AND state = 'PENDING'",
                announce, state, result, delivered, now, id) == 1;
    }

    @Override
    public List<StoredWait> finishedElsewhere(String incarnation, int max) {
        return query("SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE delivered = FALSE AND owner = ?"
                     + " AND adopted = FALSE AND state <> 'PENDING' ORDER BY finished_at LIMIT " + Math.max(1, max),
                incarnation);
    }

    @Override
    public boolean notifiesFinished() {
        return postgres;
    }

    /**
     * PostgreSQL: LISTENs on a connection of its own (taken from the pool and kept), and returns what was announced
     * within the time. A connection that fails is closed and opened again on the next call; announcements made
     * meanwhile are lost, which the poll of {@link #finishedElsewhere} makes up for.
     */
    @Override
    public List<String> awaitFinishedElsewhere(long timeoutMillis) throws InterruptedException {
        if (!postgres) {
            return List.of();
        }
        try {
            if (listening == null) {
                listening = dataSource.getConnection();
                listening.setAutoCommit(true);
                try (Statement statement = listening.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
            }
            List<String> ids = PostgresNotifications.await(listening, (int) timeoutMillis);
            if (ids.isEmpty()) {
                // a silent server is noticed here, not after TCP gives up
                try (Statement ping = listening.createStatement()) {
                    ping.setQueryTimeout(5);
                    ping.execute("SELECT 1");
                }
            }
            return ids;
        } catch (SQLException e) {
            closeListening();
            Thread.sleep(timeoutMillis);
            return List.of();
        }
    }

    private void closeListening() {
        Connection connection = listening;
        listening = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                // it failed already
            }
        }
    }

    @Override
    public TriggerLease leadTrigger(String name, String incarnation) {
        for (int attempt = 0; attempt < 10; attempt++) {
            List<Object[]> rows = rows("SELECT epoch, unsubscribe FROM logicwebhook_trigger WHERE name = ?", name);
            if (rows.isEmpty()) {
                try {
                    update("INSERT INTO logicwebhook_trigger (name, epoch, owner) VALUES (?, 1, ?)", name, incarnation);
                    return new TriggerLease(1, null);
                } catch (LogicWebhookStoreException e) {
                    if (!(e.getCause() instanceof SQLException sql) || !"23505".equals(sql.getSQLState())) {
                        throw e;
                    }
                    // another node inserted it first (a duplicate key): take it over from there
                    continue;
                }
            }
            long epoch = ((Number) rows.get(0)[0]).longValue();
            if (update("UPDATE logicwebhook_trigger SET epoch = ?, owner = ? WHERE name = ? AND epoch = ?", epoch + 1,
                    incarnation, name, epoch) == 1) {
                return new TriggerLease(epoch + 1, fromJson((String) rows.get(0)[1]));
            }
        }
        throw new LogicWebhookStoreException("the lead of trigger " + name + " changed too often to be taken", null);
    }

    @Override
    public boolean triggerSubscribed(String name, long epoch, StoredRequest unsubscribe) {
        return update("UPDATE logicwebhook_trigger SET unsubscribe = ? WHERE name = ? AND epoch = ?", toJson(unsubscribe),
                name, epoch) == 1;
    }

    @Override
    public void triggerUnsubscribed(String name, long epoch) {
        update("UPDATE logicwebhook_trigger SET unsubscribe = NULL WHERE name = ? AND epoch = ?", name, epoch);
    }

    @Override
    public boolean extend(String id, long deadline) {
        return update("UPDATE logicwebhook_wait SET deadline = ? WHERE id = ? AND state = 'PENDING'", deadline, id) == 1;
    }

    @Override
    public StoredWait find(String id) {
        List<StoredWait> found = query("SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE id = ?", id);
        return found.isEmpty() ? null : found.get(0);
    }

    @Override
    public void delivered(String id) {
        update("UPDATE logicwebhook_wait SET delivered = TRUE WHERE id = ?", id);
    }

    @Override
    public Set<String> finishOrphans(Collection<String> ids, String state, long now) {
        // this incarnation holds the orphans: nothing to announce
        List<String> list = List.copyOf(ids);
        int[] counts = updateEach("UPDATE logicwebhook_wait SET state = ?, delivered = FALSE, finished_at = ?"
                                  + " WHERE id = ? AND state = 'PENDING' AND deadline <= ?",
                2, list, state, now, now);
        Set<String> finished = new HashSet<>();
        collect(finished, list, counts);
        return finished;
    }

    @Override
    public void deliveredAll(Collection<String> ids) {
        updateEach("UPDATE logicwebhook_wait SET delivered = TRUE WHERE id = ?", 0, ids);
    }

    @Override
    public boolean claimDelivery(String id, String incarnation, long now) {
        return update("UPDATE logicwebhook_wait SET delivered = TRUE, finished_at = ? WHERE id = ? AND owner = ?"
                      + " AND delivered = FALSE", now, id, incarnation) == 1;
    }

    @Override
    public void heartbeat(String incarnation, long now) {
        if (update("UPDATE logicwebhook_node SET heartbeat_at = ? WHERE incarnation = ?", now, incarnation) == 0) {
            update("INSERT INTO logicwebhook_node (incarnation, started_at, heartbeat_at, stopped, unsubscribed_before)"
                   + " VALUES (?, ?, ?, FALSE, ?)",
                    incarnation, now, now, now);
        }
    }

    @Override
    public void unsubscribedBefore(String incarnation, Long time) {
        // what another node took from this one (it took it for gone) was taken before: once gone for good, what this
        // one finished since is taken again
        if (time == null) {
            update("UPDATE logicwebhook_node SET unsubscribed_before = NULL, unsubscribes_taken = NULL WHERE incarnation = ?",
                    incarnation);
        } else {
            update("UPDATE logicwebhook_node SET unsubscribed_before = ?, unsubscribes_taken = NULL WHERE incarnation = ?",
                    time, incarnation);
        }
    }

    /**
     * Reads the incarnations that are gone and may have left unsubscribes (their row, not their waits), then, for each
     * endpoint not taken from them yet at their unsubscribed-before time, moves their waits finished since to this
     * incarnation, each with its condition again, and notes the endpoint taken once none are left: one transaction.
     */
    @Override
    public List<StoredWait> takeUnsubscribes(String incarnation, long staleBefore, Collection<String> endpoints,
            long now, int max) {
        List<StoredWait> taken = new ArrayList<>();
        if (endpoints.isEmpty()) {
            return taken;
        }
        for (Object[] node : rows("SELECT incarnation, unsubscribed_before, unsubscribes_taken FROM logicwebhook_node"
                                  + " WHERE incarnation <> ? AND unsubscribed_before IS NOT NULL"
                                  + " AND (stopped = TRUE OR heartbeat_at < ?)",
                incarnation, staleBefore)) {
            String gone = (String) node[0];
            long before = ((Number) node[1]).longValue();
            String takenJson = (String) node[2];
            for (String endpoint : endpoints) {
                Map<String, Long> takenFrom = takenFrom(takenJson);
                if (taken.size() >= max) {
                    return taken;
                }
                if (Long.valueOf(before).equals(takenFrom.get(endpoint))) {
                    continue;
                }
                Map<String, Long> next = new LinkedHashMap<>(takenFrom);
                next.put(endpoint, before);
                String nextJson = toJson(next);
                Unsubscribes found;
                try {
                    found = takeUnsubscribes(incarnation, gone, endpoint, before, takenJson, nextJson, now,
                            max - taken.size());
                } catch (LogicWebhookStoreException e) {
                    if (taken.isEmpty()) {
                        throw e;
                    }
                    // those taken before are the caller's to unsubscribe: the others are read again the next time
                    return taken;
                }
                taken.addAll(found.taken());
                if (found.noted()) {
                    takenJson = nextJson;
                }
            }
        }
        return taken;
    }

    /** What one transaction of {@link #takeUnsubscribes} took, and whether it noted the endpoint taken. */
    private record Unsubscribes(List<StoredWait> taken, boolean noted) {
    }

    private Unsubscribes takeUnsubscribes(String incarnation, String gone, String endpoint, long before, String takenJson,
            String nextJson, long now, int limit) {
        return inTransaction(connection -> {
            List<StoredWait> found = query(connection, "SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE delivered = TRUE"
                                                       + " AND owner = ? AND endpoint = ? AND state <> 'PENDING'"
                                                       + " AND finished_at >= ? AND unsubscribe IS NOT NULL"
                                                       // in one order on every node: two that take at once do not
                                                       // deadlock on each other's rows
                                                       + " ORDER BY id LIMIT " + limit,
                    gone, endpoint, before);
            List<String> ids = found.stream().map(StoredWait::id).toList();
            Set<String> moved = new HashSet<>();
            collect(moved, ids, executeEach(connection, "UPDATE logicwebhook_wait SET owner = ?, finished_at = ?"
                                                        + " WHERE id = ? AND owner = ?",
                    2, ids, incarnation, now, gone));
            // another node may note it first: then this one reads the row again the next time
            boolean noted = found.size() < limit
                            && execute(connection, "UPDATE logicwebhook_node SET unsubscribes_taken = ? WHERE incarnation = ?"
                                                   + " AND unsubscribed_before = ? AND COALESCE(unsubscribes_taken, '') = ?",
                                    nextJson, gone, before, takenJson == null ? "" : takenJson) == 1;
            return new Unsubscribes(found.stream().filter(wait -> moved.contains(wait.id())).toList(), noted);
        });
    }

    private static Map<String, Long> takenFrom(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<Map<String, Long>>() {
            });
        } catch (JsonProcessingException e) {
            // not this component's: taken as none taken (what is taken again is unsubscribed again, at least once)
            LOG.debug("A node's unsubscribes_taken is not the JSON this component writes: {}", e.getMessage());
            return Map.of();
        }
    }

    @Override
    public int handOver(String incarnation, Collection<String> ids) {
        // not only pending ones: one that a callback on another node finished meanwhile (its exchange ends here, not
        // resumed) is delivered by whoever adopts it, as a pending one is resumed
        return Arrays.stream(updateEach("UPDATE logicwebhook_wait SET owner = NULL, adopted = FALSE"
                                        + " WHERE id = ? AND owner = ? AND delivered = FALSE",
                0, ids, incarnation)).sum();
    }

    /**
     * One statement per id, sent as one JDBC batch in one transaction: a list of ids in one statement gets PostgreSQL
     * plans that read many rows (a sequential scan, or every pending wait through an index on the state) once its
     * statistics are stale, as they are after thousands of waits were written since the last ANALYZE.
     *
     * @param  at     where the id goes among the parameters (0-based)
     * @param  others the other parameters, in order
     * @return        how many rows each id's statement changed (0 when a driver does not say)
     */
    private int[] updateEach(String sql, int at, Collection<String> ids, Object... others) {
        if (ids.isEmpty()) {
            return new int[0];
        }
        return inTransaction(connection -> executeEach(connection, sql, at, ids, others));
    }

    /** One JDBC batch of a statement per id, on a connection in a transaction. */
    private static int[] executeEach(Connection connection, String sql, int at, Collection<String> ids, Object... others)
            throws SQLException {
        if (ids.isEmpty()) {
            return new int[0];
        }
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            Object[] parameters = new Object[others.length + 1];
            for (String id : ids) {
                System.arraycopy(others, 0, parameters, 0, at);
                parameters[at] = id;
                System.arraycopy(others, at, parameters, at + 1, others.length - at);
                bind(statement, parameters);
                statement.addBatch();
            }
            return Arrays.stream(statement.executeBatch()).map(count -> Math.max(0, count)).toArray();
        }
    }

    /** Work on one connection, committed together, or rolled back. */
    private <T> T inTransaction(SqlWork<T> work) {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                T result = work.on(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private interface SqlWork<T> {
        T on(Connection connection) throws SQLException;
    }

    @Override
    public void stopped(String incarnation) {
        update("UPDATE logicwebhook_node SET stopped = TRUE WHERE incarnation = ?", incarnation);
    }

    @Override
    public List<StoredWait> adoptable(String incarnation, long staleBefore, Collection<String> endpoints, int max) {
        if (endpoints.isEmpty()) {
            return List.of();
        }
        // read, then each taken with its condition again (another node may adopt at once): an UPDATE of "id IN (a
        // subquery with a LIMIT)" took H2 150-500 ms for 200 rows
        return query("SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE " + ADOPTABLE + " AND " + in(endpoints)
                     + " LIMIT " + Math.max(1, max),
                concat(List.of(incarnation, staleBefore), endpoints));
    }

    @Override
    public Set<String> orphanedEndpoints(String incarnation, long staleBefore) {
        Set<String> endpoints = new HashSet<>();
        for (Object[] row : rows("SELECT DISTINCT endpoint FROM logicwebhook_wait WHERE " + ADOPTABLE, incarnation,
                staleBefore)) {
            endpoints.add((String) row[0]);
        }
        return endpoints;
    }

    /** "endpoint IN (?, …)", one parameter per endpoint. */
    private static String in(Collection<String> endpoints) {
        return "endpoint IN (" + String.join(", ", Collections.nCopies(endpoints.size(), "?")) + ")";
    }

    private static Object[] concat(List<Object> first, Collection<String> then) {
        List<Object> all = new ArrayList<>(first);
        all.addAll(then);
        return all.toArray();
    }

    @Override
    public Set<String> adopt(String incarnation, long staleBefore, Collection<String> ids, Collection<String> finish,
            String state, long now) {
        if (ids.isEmpty()) {
            // most heartbeats find nothing to adopt: no transaction for it
            return Set.of();
        }
        List<String> finished = ids.stream().filter(finish::contains).toList();
        List<String> others = ids.stream().filter(id -> !finish.contains(id)).toList();
        return inTransaction(connection -> {
            Set<String> adopted = new HashSet<>();
            // adopted and finished in one write: still pending, still past the deadline (a heartbeat may have moved it)
            collect(adopted, finished, executeEach(connection, "UPDATE logicwebhook_wait SET owner = ?, adopted = TRUE,"
                                                               + " state = ?, finished_at = ? WHERE id = ?"
                                                               + " AND state = 'PENDING' AND deadline <= ? AND " + ADOPTABLE,
                    3, finished, incarnation, state, now, now, incarnation, staleBefore));
            collect(adopted, others, executeEach(connection, "UPDATE logicwebhook_wait SET owner = ?, adopted = TRUE,"
                                                             + " deliver_after = NULL WHERE id = ? AND " + ADOPTABLE,
                    1, others, incarnation, incarnation, staleBefore));
            return adopted;
        });
    }

    private static void collect(Set<String> into, List<String> ids, int[] counts) {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                into.add(ids.get(i));
            }
        }
    }

    @Override
    public boolean adoptOne(String incarnation, long staleBefore, String id) {
        return update("UPDATE logicwebhook_wait SET owner = ?, adopted = TRUE WHERE id = ? AND " + ADOPTABLE, incarnation,
                id, incarnation, staleBefore) == 1;
    }

    @Override
    public List<StoredWait> orphanWork(String incarnation, Collection<String> endpoints, long now, int max) {
        if (endpoints.isEmpty()) {
            return List.of();
        }
        // in no order: a sort would read every orphan for each batch of a backlog
        return query("SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE delivered = FALSE AND owner = ?"
                     + " AND adopted = TRUE AND (state = 'PENDING' AND deadline <= ? OR state <> 'PENDING'"
                     + " AND (deliver_after IS NULL OR deliver_after <= ?)) AND " + in(endpoints)
                     + " LIMIT " + Math.max(1, max),
                concat(List.of(incarnation, now, now), endpoints));
    }

    @Override
    public void deliverLater(String id, String incarnation, long at) {
        update("UPDATE logicwebhook_wait SET deliver_after = ? WHERE id = ? AND owner = ? AND delivered = FALSE", at, id,
                incarnation);
    }

    @Override
    public List<StoredWait> expiredOrphans(String incarnation, Collection<String> endpoints, long now, int max) {
        if (endpoints.isEmpty()) {
            return List.of();
        }
        return query("SELECT " + COLUMNS + " FROM logicwebhook_wait WHERE owner = ? AND state = 'PENDING'"
                     + " AND delivered = FALSE AND adopted = TRUE AND deadline <= ? AND " + in(endpoints)
                     + " LIMIT " + Math.max(1, max),
                concat(List.of(incarnation, now), endpoints));
    }

    @Override
    public int purge(long finishedBefore) {
        int waits = update("DELETE FROM logicwebhook_wait WHERE state <> 'PENDING' AND delivered = TRUE"
                           + " AND finished_at < ?",
                finishedBefore);
        // only waits still to deliver read an owner's row (whether it is alive), and they are in the index
        update("DELETE FROM logicwebhook_node WHERE heartbeat_at < ? AND incarnation NOT IN"
               + " (SELECT owner FROM logicwebhook_wait WHERE delivered = FALSE AND owner IS NOT NULL)",
                finishedBefore);
        return waits;
    }

    @Override
    public Map<String, Long> countByState() {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection connection = connection();
             Statement statement = connection.createStatement();
             // every row (delivered is never NULL), named so that H2 counts through the index, which holds the state,
             // rather than read every row: 0.5 s instead of 1.0 s at 1,000,000 rows (PostgreSQL scans the table anyway)
             ResultSet rows = statement.executeQuery("SELECT state, COUNT(*) FROM logicwebhook_wait"
                                                     + " WHERE delivered IN (FALSE, TRUE) GROUP BY state ORDER BY state")) {
            while (rows.next()) {
                counts.put(rows.getString(1), rows.getLong(2));
            }
        } catch (SQLException e) {
            throw failed(e);
        }
        return counts;
    }

    /** Through the index of the undelivered waits (a pending wait is never delivered): not every row. */
    @Override
    public long countPending() {
        try (Connection connection = connection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(
                     "SELECT COUNT(*) FROM logicwebhook_wait WHERE delivered = FALSE AND state = 'PENDING'")) {
            rows.next();
            return rows.getLong(1);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** Checks that the database answers; for the health check. */
    public void ping() {
        try (Connection connection = dataSource.getConnection()) {
            if (!connection.isValid(5)) {
                throw new LogicWebhookStoreException("the wait store's database does not answer", null);
            }
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /**
     * A connection of the pool in auto-commit mode: a pool may hand them out with it off (Spring Boot's
     * {@code spring.datasource.hikari.auto-commit=false}, say), and a write on one would be rolled back when it goes back.
     */
    private Connection connection() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            if (!connection.getAutoCommit()) {
                connection.setAutoCommit(true);
            }
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private int update(String sql, Object... parameters) {
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    /** The rows of a query, as arrays of their columns' values. */
    private List<Object[]> rows(String sql, Object... parameters) {
        try (Connection connection = connection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<Object[]> rows = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    Object[] row = new Object[columns];
                    for (int i = 0; i < columns; i++) {
                        row[i] = result.getObject(i + 1);
                    }
                    rows.add(row);
                }
            }
            return rows;
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private List<StoredWait> query(String sql, Object... parameters) {
        try (Connection connection = connection()) {
            return query(connection, sql, parameters);
        } catch (SQLException e) {
            throw failed(e);
        }
    }

    private static List<StoredWait> query(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            List<StoredWait> waits = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    waits.add(read(rows));
                }
            }
            return waits;
        }
    }

    private static int execute(Connection connection, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    static void bind(PreparedStatement statement, Object[] parameters) throws SQLException {
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

    private static StoredWait read(ResultSet row) throws SQLException {
        return new StoredWait(row.getString("id"), row.getString("endpoint"), row.getString("owner"),
                row.getBoolean("adopted"), row.getString("state"), row.getBoolean("subscribed"), row.getLong("created_at"),
                row.getLong("deadline"), row.getLong("hard_deadline"), fromJson(row.getString("unsubscribe")),
                row.getString("snapshot"), row.getString("result"), row.getBoolean("delivered"));
    }

    private static String toJson(StoredRequest request) {
        try {
            return request == null ? null : JSON.writeValueAsString(request);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("an unsubscribe request could not be written as JSON", e);
        }
    }

    private static String toJson(Map<String, Long> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("a map could not be written as JSON", e);
        }
    }

    private static StoredRequest fromJson(String json) {
        try {
            return json == null ? null : JSON.readValue(json, StoredRequest.class);
        } catch (JsonProcessingException e) {
            throw new LogicWebhookStoreException("a stored unsubscribe request is not the JSON this component writes", e);
        }
    }

    /** What a caller gets for a failure of the database (one of the store's own is passed on as it is). */
    static LogicWebhookStoreException failed(Throwable e) {
        return e instanceof LogicWebhookStoreException store ? store
                : new LogicWebhookStoreException("the wait store failed: " + e.getMessage(), e);
    }
}
