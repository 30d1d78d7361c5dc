package org.apache.camel.component.logicwebhook.observability;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The readiness of a durable wait store: DOWN while its database cannot be reached (as of its last heartbeat), when
 * actions fail at once and callbacks are answered 503. Liveness stays UP: a restart would not bring the database back.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookStoreHealthCheck implements HealthCheck {

    public static final String ID = "logicwebhook-wait-store";

    private final StoreStatistics store;
    private boolean enabled = true;

    public LogicWebhookStoreHealthCheck(StoreStatistics store) {
        this.store = store;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return ID;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this);
        builder.detail("logicwebhook.waitStore", store.summary());
        if (store.isUp()) {
            return builder.up().build();
        }
        builder.message("The logicwebhook wait store cannot be reached: " + store.error());
        return builder.down().build();
    }
}
