package org.apache.camel.component.logicwebhook.observability;

/**
 * What a logicwebhook component shows the dev console of its waits.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface WaitsStatus {

    /** The component's clock. */
    long now();

    /** The wait store in one line: in memory, or a durable store's state and waits by state. */
    String waitStoreSummary();

    /** The pending waits, as they are now (weakly consistent). */
    Iterable<? extends WaitStatus> pendingWaits();
}
