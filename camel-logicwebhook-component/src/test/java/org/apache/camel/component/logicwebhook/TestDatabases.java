package org.apache.camel.component.logicwebhook;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.apache.camel.component.logicwebhook.store.EmbeddedH2;

/**
 * The databases the wait store is tested on: an embedded H2 file (the default) and a real PostgreSQL server started in
 * this JVM (one for the whole test run), each emptied before a test.
 */
public enum TestDatabases {

    H2 {
        @Override
        public DataSource open() throws IOException {
            return EmbeddedH2.dataSource(h2Url(newFolder("h2")));
        }
    },
    POSTGRES {
        @Override
        public DataSource open() throws IOException, SQLException {
            DataSource database = postgres().getPostgresDatabase();
            try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS logicwebhook_wait");
                statement.execute("DROP TABLE IF EXISTS logicwebhook_node");
                statement.execute("DROP TABLE IF EXISTS logicwebhook_trigger");
            }
            return pool(postgres().getJdbcUrl("postgres", "postgres"));
        }
    };

    /** A pooled DataSource on a JDBC URL, as an application gives one (HikariCP). */
    public static DataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(10);
        return new HikariDataSource(config);
    }

    private static EmbeddedPostgres postgres;

    /** A new, empty database for one test. */
    public abstract DataSource open() throws Exception;

    /**
     * A new folder under target/test-data for a test's database files: left there to look at after a failure (a temp
     * folder of the system kept every test's H2 file after the run), and {@code mvn clean} removes it.
     */
    public static Path newFolder(String prefix) throws IOException {
        Path parent = Files.createDirectories(Path.of(System.getProperty("basedir", "."), "target", "test-data"));
        return Files.createTempDirectory(parent, prefix + "-").toAbsolutePath();
    }

    /** The embedded default's URL for a folder, as users write it. */
    public static String h2Url(Path dir) {
        return "jdbc:h2:file:" + dir.resolve("waits").toAbsolutePath();
    }

    /** One PostgreSQL server for the whole run, started on first use and stopped when the JVM exits. */
    public static synchronized EmbeddedPostgres postgres() throws IOException {
        if (postgres == null) {
            postgres = EmbeddedPostgres.builder().start();
            EmbeddedPostgres started = postgres;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException e) {
                    // the JVM is exiting
                }
            }));
        }
        return postgres;
    }

    /** Closes a pool this opened. */
    public static void close(DataSource dataSource) {
        EmbeddedH2.close(dataSource);
        if (dataSource instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // a test's pool: nothing to do
            }
        }
    }
}
