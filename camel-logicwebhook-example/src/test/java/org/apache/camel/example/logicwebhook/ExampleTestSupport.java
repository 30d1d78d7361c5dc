package org.apache.camel.example.logicwebhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/**
 * Runs the example application as configured, on a free port and with a data folder of its own (its wait store and
 * approvals, so that no test sees another's waits), with the demo properties a test chooses.
 */
abstract class ExampleTestSupport extends CamelMainTestSupport {

    // no initializers: the context is configured during construction, before field initializers would run
    private int port;
    private Path dataDir;

    int port() {
        if (port == 0) {
            port = AvailablePortFinder.getNextAvailable();
        }
        return port;
    }

    /** A new folder under target/test-data (left there to look at after a failure; mvn clean removes it). */
    Path dataDir() {
        if (dataDir == null) {
            dataDir = newDataDir(getClass().getSimpleName());
        }
        return dataDir;
    }

    static Path newDataDir(String prefix) {
        try {
            Path parent = Files.createDirectories(Path.of("target", "test-data"));
            return Files.createTempDirectory(parent, prefix + "-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Class<?> getMainClass() {
        return ExampleApplication.class;
    }

    @Override
    public void configureContext(CamelContextConfiguration configuration) {
        super.configureContext(configuration);
        Properties properties = new Properties();
        properties.setProperty("camel.server.port", String.valueOf(port()));
        properties.setProperty("demo.dataDir", dataDir().toString());
        demoProperties(properties);
        configuration.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    /** The demo.* settings of the test. */
    abstract void demoProperties(Properties properties);
}
