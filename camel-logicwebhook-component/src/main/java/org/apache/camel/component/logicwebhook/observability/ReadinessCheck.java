package org.apache.camel.component.logicwebhook.observability;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * A readiness check of the component's (liveness is always UP: restarting the application would not make a service
 * answer or a database come back): the group, id and enabled flag, and UNKNOWN while disabled.
 */
abstract class ReadinessCheck implements HealthCheck {

    private final String id;
    private boolean enabled = true;

    ReadinessCheck(String id) {
        this.id = id;
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return id;
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
        if (!enabled) {
            builder.message("Disabled");
            builder.detail(CHECK_ENABLED, false);
            return builder.unknown().build();
        }
        return check(builder, (Kind) options.getOrDefault(CHECK_KIND, Kind.ALL));
    }

    /** Fills the builder with the details, and UP or DOWN. */
    abstract Result check(HealthCheckResultBuilder builder, Kind kind);
}
