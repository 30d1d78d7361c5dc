package org.apache.camel.component.logicwebhook.observability;

import java.util.Locale;
import java.util.Map;

/**
 * What operators see of a durable wait store: the waits it holds by state and whether it answered, as of the last
 * heartbeat (so that JMX, meters and the health check never wait for the database).
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class StoreStatistics {

    /** The states a stored wait can be in, as their meter tags. */
    static final String[] STATES = { "PENDING", "COMPLETED", "FAILED", "TIMED_OUT", "CANCELLED" };

    private volatile boolean durable;
    private volatile Map<String, Long> waits = Map.of();
    private volatile String error;
    private volatile long checkedAt;

    /** The store keeps waits beyond the JVM: only then is there anything to report. */
    public void durable() {
        durable = true;
    }

    public boolean isDurable() {
        return durable;
    }

    /** A heartbeat went through: how many waits the store holds, by state. */
    public void answered(Map<String, Long> waitsByState, long now) {
        waits = Map.copyOf(waitsByState);
        error = null;
        checkedAt = now;
    }

    /** The store could not be reached, or failed. */
    public void failed(String reason, long now) {
        error = reason;
        checkedAt = now;
    }

    /** How many stored waits are in a state (PENDING, COMPLETED, FAILED, TIMED_OUT, CANCELLED). */
    public long waits(String state) {
        return waits.getOrDefault(state, 0L);
    }

    public boolean isUp() {
        return error == null;
    }

    /** Why the store is down, or {@code null}. */
    public String error() {
        return error;
    }

    /** When the store was last heard from (component clock), 0 before the first heartbeat. */
    public long checkedAt() {
        return checkedAt;
    }

    /** One line for the dev console and JMX. */
    public String summary() {
        if (!durable) {
            return "in memory: waits end with the JVM";
        }
        StringBuilder text = new StringBuilder(isUp() ? "up" : "DOWN (" + error + ")");
        for (String state : STATES) {
            text.append(", ").append(state.toLowerCase(Locale.ROOT)).append(' ').append(waits(state));
        }
        return text.toString();
    }
}
