package org.apache.camel.component.logicwebhook.store;

import java.util.Locale;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcConnectionPool;

/**
 * The embedded default: an H2 file database at a JDBC URL, behind H2's own small connection pool. Only loaded when
 * waitStoreUrl is set (H2 is an optional dependency).
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class EmbeddedH2 {

    private EmbeddedH2() {
    }

    /**
     * A pool on the URL. Unless the URL says otherwise, each commit is written to the file before it returns
     * ({@code WRITE_DELAY=0}: H2's default delay of half a second lost hundreds of acknowledged commits to a kill -9
     * here; it must be in the URL, a stored setting reverts on reopen), and the database stays open while the JVM
     * shuts down ({@code DB_CLOSE_ON_EXIT=FALSE}), so that a graceful stop can still hand its waits over.
     */
    public static DataSource dataSource(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            throw new IllegalArgumentException("waitStoreUrl takes an H2 JDBC URL (jdbc:h2:file:...); for another"
                                               + " database give a pooled DataSource as waitStoreDataSource");
        }
        String durable = withDefault(withDefault(url, "WRITE_DELAY", "0"), "DB_CLOSE_ON_EXIT", "FALSE");
        return JdbcConnectionPool.create(durable, "", "");
    }

    private static String withDefault(String url, String setting, String value) {
        return url.toUpperCase(Locale.ROOT).contains(";" + setting + "=") ? url : url + ";" + setting + "=" + value;
    }

    /** Closes the pool's connections, and so the database file. */
    public static void close(DataSource dataSource) {
        if (dataSource instanceof JdbcConnectionPool pool) {
            pool.dispose();
        }
    }
}
