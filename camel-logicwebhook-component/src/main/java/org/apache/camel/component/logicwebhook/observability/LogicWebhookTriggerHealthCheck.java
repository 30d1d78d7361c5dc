package org.apache.camel.component.logicwebhook.observability;

import java.util.Map;

import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The readiness of one trigger: UP while the service holds its subscription, DOWN with the reason otherwise (still
 * subscribing, retrying, a renewal that gave up, denied, suspended). Camel's consumer health check of the trigger's
 * route calls it. Liveness is always UP: restarting the application would not make the service answer.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookTriggerHealthCheck implements HealthCheck {

    private final TriggerStatus trigger;
    private final String id;
    private boolean enabled = true;

    public LogicWebhookTriggerHealthCheck(TriggerStatus trigger, String id) {
        this.trigger = trigger;
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
        Kind kind = (Kind) options.getOrDefault(CHECK_KIND, Kind.ALL);
        String state = trigger.subscriptionState();
        String name = trigger.triggerName();
        builder.detail("logicwebhook.trigger", name);
        builder.detail("logicwebhook.subscriptionState", state);
        if (trigger.getLeaseExpiresAt() > 0) {
            builder.detail("logicwebhook.leaseExpiresAt", trigger.getLeaseExpiresAt());
        }
        if (kind == Kind.LIVENESS || trigger.isSubscribed()) {
            return builder.up().build();
        }
        String error = trigger.getLastError();
        builder.message("Trigger " + name + " is not subscribed (" + state + ")" + (error == null ? "" : ": " + error));
        return builder.down().build();
    }
}
