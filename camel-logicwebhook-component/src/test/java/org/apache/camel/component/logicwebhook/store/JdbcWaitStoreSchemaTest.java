package org.apache.camel.component.logicwebhook.store;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

import org.apache.camel.component.logicwebhook.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes that start on an empty PostgreSQL at once: {@code CREATE TABLE IF NOT EXISTS} of one fails with a duplicate
 * key in the server's catalog (SQL state 23505) while the other's transaction creates the table (seen in
 * LogicWebhookClusterTest, whose child JVMs start together). The database here answers the first CREATE TABLE that way,
 * as the loser of that race is answered, so the interleaving happens every time.
 */
class JdbcWaitStoreSchemaTest {

    private DataSource h2;
    private final List<String> executed = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        Path dir = TestDatabases.newFolder("schema");
        h2 = EmbeddedH2.dataSource("jdbc:h2:file:" + dir.resolve("waits").toAbsolutePath());
    }

    @AfterEach
    void close() {
        EmbeddedH2.close(h2);
    }

    @Test
    void theLoserOfAConcurrentSchemaCreationTriesAgainAndStarts() throws Exception {
        JdbcWaitStore store = new JdbcWaitStore(failingFirst("CREATE TABLE", "23505", 1));
        store.start();
        try {
            assertEquals(2, executed.stream().filter(sql -> sql.contains("CREATE TABLE IF NOT EXISTS logicwebhook_wait")).count(),
                    "the failed statement is run again");
            assertTrue(store.countByState().isEmpty(), "the tables are there");
        } finally {
            store.stop();
        }
    }

    /**
     * An in-memory H2 database (tests of applications use them) has no file: the store starts, and is the only user of
     * its database as long as no other store of this JVM opens the same one.
     */
    @Test
    void anInMemoryH2DatabaseStartsAndIsExclusiveToItsStores() {
        DataSource memory = EmbeddedH2.dataSource("jdbc:h2:mem:schema-test");
        JdbcWaitStore first = new JdbcWaitStore(memory);
        JdbcWaitStore second = new JdbcWaitStore(memory);
        try {
            first.start();
            assertTrue(first.isExclusive());
            second.start();
            assertFalse(first.isExclusive(), "two stores of this JVM on one database");
            second.stop();
            assertTrue(first.isExclusive());
        } finally {
            second.stop();
            first.stop();
            EmbeddedH2.close(memory);
        }
    }

    @Test
    void anotherFailureOfTheSchemaFailsTheStartAtOnce() {
        JdbcWaitStore store = new JdbcWaitStore(failingFirst("CREATE TABLE", "42501", 1));
        Exception failure = assertThrows(Exception.class, store::start);
        assertTrue(failure.getMessage().contains("permission denied"), failure.getMessage());
        assertEquals(1, executed.size(), "not tried again");
    }

    /** The H2 database, whose first {@code times} statements starting with {@code prefix} fail with {@code state}. */
    private DataSource failingFirst(String prefix, String state, int times) {
        int[] left = { times };
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { DataSource.class },
                (proxy, method, args) -> {
                    Object result = invoke(method, h2, args);
                    if (!(result instanceof Connection connection)) {
                        return result;
                    }
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
                            (cp, cm, cargs) -> {
                                Object made = invoke(cm, connection, cargs);
                                if (!(made instanceof Statement statement) || !cm.getName().equals("createStatement")) {
                                    return made;
                                }
                                return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Statement.class },
                                        (sp, sm, sargs) -> {
                                            if (sm.getName().equals("execute") && sargs.length == 1) {
                                                String sql = sargs[0].toString().trim();
                                                executed.add(sql);
                                                if (sql.startsWith(prefix) && left[0]-- > 0) {
                                                    throw new SQLException(state.equals("23505")
                                                            ? "ERROR: duplicate key value violates unique constraint"
                                                              + " \"pg_type_typname_nsp_index\""
                                                            : "ERROR: permission denied for schema public", state);
                                                }
                                            }
                                            return invoke(sm, statement, sargs);
                                        });
                            });
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
