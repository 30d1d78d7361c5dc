package org.apache.camel.example.logicwebhook;

import org.apache.camel.main.Main;

/**
 * Runs the logicwebhook example: a demo event feed and a demo approval service (Java routes in this package), and the
 * routes that use them through the logicwebhook trigger and action ({@code src/main/resources/routes/*.yaml}). All of
 * the configuration is in {@code application.properties}; any of it can be overridden with a JVM system property, e.g.
 * {@code -Dcamel.server.port=9090 -Ddemo.autoApprove=true}.
 */
public final class ExampleApplication {

    private ExampleApplication() {
    }

    public static void main(String[] args) throws Exception {
        // scans this package for the demo service's route builders
        Main main = new Main(ExampleApplication.class);
        main.run(args);
    }
}
