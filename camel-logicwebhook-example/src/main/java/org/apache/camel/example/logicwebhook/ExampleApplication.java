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
 * {@code -Dcamel.server.port=9090 -Ddemo.autoApprove=true}.
 */
public final class ExampleApplication {

    private static final Logger LOG = LoggerFactory.getLogger(ExampleApplication.class);

    private ExampleApplication() {
    }

    public static void main(String[] args) throws Exception {
        // scans this package for the demo service's route builders
        Main main = new Main(ExampleApplication.class);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void afterStart(BaseMainSupport main) {
                String port = main.getCamelContext().resolvePropertyPlaceholders("{{camel.server.port}}");
                LOG.info("Approval page: http://localhost:{}/ (approve or reject the pending orders there)", port);
            }
        });
        main.run(args);
    }
}
