package io.logicwebhook.quarkus;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * The application of {@link LogicWebhookQuarkusInFlightTest}, with its own routes ({@link InFlightRoutes}) instead of
 * {@link LogicWebhookRoutes}: see application.properties. Quarkus' thread pool keeps its defaults.
 */
public class InFlightProfile implements QuarkusTestProfile {

    static final String PROFILE = "in-flight";

    @Override
    public String getConfigProfile() {
        return PROFILE;
    }
}
