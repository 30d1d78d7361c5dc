package org.apache.camel.example.logicwebhook;

import java.util.Properties;

import org.apache.camel.test.AvailablePortFinder;
import org.apache.camel.test.junit5.CamelContextConfiguration;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;

/** Runs the example application as configured, on a free port, with the demo properties a test chooses. */
abstract class ExampleTestSupport extends CamelMainTestSupport {

    // no initializer: the context is configured during construction, before field initializers would run
    private int port;

    int port() {
        if (port == 0) {
            port = AvailablePortFinder.getNextAvailable();
        }
        return port;
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
        demoProperties(properties);
        configuration.withUseOverridePropertiesWithPropertiesComponent(properties);
    }

    /** The demo.* settings of the test. */
    abstract void demoProperties(Properties properties);
}
