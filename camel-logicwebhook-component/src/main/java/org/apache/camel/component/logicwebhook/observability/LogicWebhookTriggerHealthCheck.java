package org.apache.camel.component.logicwebhook.observability;

import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * The readiness of one trigger: UP while the service holds its subscription, DOWN with the reason otherwise (still
 * subscribing, retrying, a renewal that gave up, denied, suspended). Camel's consumer health check of the trigger's
 * route calls it. Liveness is always UP: restarting the application would not make the service answer.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class LogicWebhookTriggerHealthCheck extends ReadinessCheck {

    private final TriggerStatus trigger;

    public LogicWebhookTriggerHealthCheck(TriggerStatus trigger, String id) {
        super(id);
        this.trigger = trigger;
    }

    @Override
    Result check(HealthCheckResultBuilder builder, Kind kind) {
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
