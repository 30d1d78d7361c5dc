package org.apache.camel.example.logicwebhook;

import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the logicwebhook example: a demo event feed and a demo approval service (Java routes in this package), and the
 * routes that use them through the logicwebhook trigger and action ({@code src/main/resources/routes/*.yaml}). All of
 * the configuration is in {@code application.properties}; any of it can be overridden with a JVM system property, e.g.
 * {@code -Dcamel.server.port=9090 -Ddemo.autoApprove=true}. The orders' waits are kept in an embedded wait store (an H2
 * file in {@code demo.dataDir}), so an order left waiting when the application stops continues after the next start.
 */
public final class ExampleApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ExampleApplication.class);

    private ExampleApplication() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The application, not started yet: {@code run} runs it until it is stopped, as {@link #main} does. */
    static Main create() {
        // scans this package for the demo service's route builders
        Main main = new Main(ExampleApplication.class);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport main) {
                String port = main.getCamelContext().resolvePropertyPlaceholders("{{camel.server.port}}");
                LOG.info("Approval page: http://localhost:{}/ (approve or reject the pending orders there)", port);
            }
        });
        return main;
    }
}
