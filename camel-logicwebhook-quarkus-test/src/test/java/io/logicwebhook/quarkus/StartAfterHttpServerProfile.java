package io.logicwebhook.quarkus;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application of {@link LogicWebhookQuarkusStartOrderTest}, with its own routes ({@link StartAfterHttpServerRoutes},
 * whose trigger {@link StartTriggersAfterHttpServer} starts once the HTTP server listens) instead of
 * {@link LogicWebhookRoutes}: see application.properties.
 */
public class StartAfterHttpServerProfile implements QuarkusTestProfile {

    static final String PROFILE = "start-after-http-server";

    @Override
    public String getConfigProfile() {
        return PROFILE;
    }
}
