package org.apache.camel.component.logicwebhook.observability;

import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * A warning that a burst of one failure would write once per request (the wait store down while callbacks keep coming
 * at hundreds a second): logged at WARN at most once a minute, saying how many were logged at DEBUG since.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class RepeatedWarning {

    private static final long INTERVAL_MILLIS = 60_000;

    private final Logger log;
    private final AtomicLong nextWarning = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong quieted = new AtomicLong();

    public RepeatedWarning(Logger log) {
        this.log = log;
    }

    /** As {@link Logger#warn(String, Object...)}, at WARN at most once a minute, at DEBUG otherwise. */
    public void warn(String format, Object... arguments) {
        // not the wall clock, which may be set back
        long now = System.nanoTime() / 1_000_000;
        long next = nextWarning.get();
        if (now >= next && nextWarning.compareAndSet(next, now + INTERVAL_MILLIS)) {
            long since = quieted.getAndSet(0);
            log.warn(format + " (logged at WARN once a minute at most" + (since > 0 ? "; " + since + " more at DEBUG since the last" : "")
                     + ")", arguments);
        } else {
            quieted.incrementAndGet();
            log.debug(format, arguments);
        }
    }
}
