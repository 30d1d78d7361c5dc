package org.apache.camel.component.logicwebhook.observability;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The readiness of a durable wait store: DOWN while its database cannot be reached (as of its last heartbeat), when
 * actions fail at once and callbacks are answered 503. Liveness stays UP: a restart would not bring the database back.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookStoreHealthCheck extends ReadinessCheck {

    public static final String ID = "logicwebhook-wait-store";

    private final StoreStatistics store;

    public LogicWebhookStoreHealthCheck(StoreStatistics store) {
        super(ID);
        this.store = store;
    }

    @Override
    Result check(HealthCheckResultBuilder builder, Kind kind) {
        builder.detail("logicwebhook.waitStore", store.summary());
        if (kind == Kind.LIVENESS || store.isUp()) {
            return builder.up().build();
        }
        builder.message("The logicwebhook wait store cannot be reached: " + store.error());
        return builder.down().build();
    }
}
