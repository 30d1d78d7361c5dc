package org.apache.camel.component.logicwebhook.observability;

/**
 * A pending wait as the dev console reads it.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface WaitStatus {

    String endpointName();

    /** The whole callback id: whoever shows it shortens it. */
    String waitId();

    /** The deadline (component clock, epoch millis), {@link Long#MAX_VALUE} when it has none. */
    long deadline();

    /** When the wait began (component clock, epoch millis). */
    long startedAt();
}
