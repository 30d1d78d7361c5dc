package org.apache.camel.component.logicwebhook;

/** What a logicwebhook component shows the dev console of its waits. */
interface WaitsStatus {

    /** The component's clock. */
    long now();

    /** The pending waits, as they are now (weakly consistent). */
    Iterable<? extends WaitStatus> pendingWaits();
}
