package org.apache.camel.component.logicwebhook;

/** A pending wait as the dev console reads it. */
interface WaitStatus {

    String endpointName();

    /** The whole callback id: whoever shows it shortens it. */
    String waitId();

    /** The deadline (component clock, epoch millis), {@link Long#MAX_VALUE} when it has none. */
    long deadline();

    /** When the wait began (component clock, epoch millis). */
    long startedAt();
}
