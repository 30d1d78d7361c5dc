package org.apache.camel.component.logicwebhook.observability;

import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The readiness of a durable wait store: DOWN while its database cannot be reached (as of its last heartbeat), when
 * actions fail at once and callbacks are answered 503. Liveness stays UP: a restart would not bring the database back.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookStoreHealthCheck extends ReadinessCheck {

    public static final String ID = "logicwebhook-wait-store";

    private final Supplier<StoreStatistics> statistics;

    /** @param statistics the store's statistics of the component's current start (a restart makes new ones) */
    public LogicWebhookStoreHealthCheck(Supplier<StoreStatistics> statistics) {
        super(ID);
        this.statistics = statistics;
    }

    @Override
    Result check(HealthCheckResultBuilder builder, Kind kind) {
        StoreStatistics store = statistics.get();
        builder.detail("logicwebhook.waitStore", store.summary());
        if (kind == Kind.LIVENESS || store.isUp()) {
            return builder.up().build();
        }
        builder.message("The logicwebhook wait store cannot be reached: " + store.error());
        return builder.down().build();
    }
}
