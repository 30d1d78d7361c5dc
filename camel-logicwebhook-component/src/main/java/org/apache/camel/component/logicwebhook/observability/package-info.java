/**
 * What operators see: per-name {@link EndpointStatistics} (JMX attributes of the endpoints and the component), the
 * Micrometer meters bound to them ({@link LogicWebhookMeters}), a trigger's readiness check
 * ({@link LogicWebhookTriggerHealthCheck}) and the {@code logicwebhook} dev console. They read the trigger and the
 * waits through {@link TriggerStatus} and {@link WaitsStatus}, never through the component's own classes.
 * <p>
 * Internal to the component: not an API.
 */
package org.apache.camel.component.logicwebhook.observability;
