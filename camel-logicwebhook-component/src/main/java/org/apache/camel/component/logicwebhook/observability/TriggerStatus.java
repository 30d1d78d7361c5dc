package org.apache.camel.component.logicwebhook.observability;

/**
 * A trigger's subscription as the health check and the dev console read it.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface TriggerStatus {

    String triggerName();

    String getRouteId();

    /** The state's name (STOPPED, SUBSCRIBING, RETRYING, SUBSCRIBED, FAILED, DENIED, SUSPENDED). */
    String subscriptionState();

    /** Only a subscribed trigger is ready. */
    boolean isSubscribed();

    /** When the service last accepted the subscription (component clock, epoch millis); 0 if never. */
    long getSubscribedAt();

    /** When the subscription's lease ends (component clock, epoch millis); 0 when none is known. */
    long getLeaseExpiresAt();

    /** Why the trigger is not subscribed, or why its last subscribe or renewal failed; null when all is well. */
    String getLastError();
}
