package org.apache.camel.component.logicwebhook.observability;

import java.util.Arrays;
import java.util.List;

import org.apache.camel.component.logicwebhook.callback.CallbackRequest;

/**
 * The component's {@link EndpointStatistics}, one per endpoint name, and the callbacks that named none. Counting a
 * callback finds its name in the request path without allocating: the dispatcher serves every request, so this is
 * the hot path.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class ComponentStatistics {

    /** The {@code endpoint} tag of callbacks whose path names no known endpoint (never the name they gave). */
    public static final String UNATTRIBUTED = "(unknown)";

    /** The binding of the statistics to an application's meters. */
    public interface Meters {
        void bind(EndpointStatistics statistics);

        void close();
    }

    private final EndpointStatistics unattributed = new EndpointStatistics(UNATTRIBUTED);
    /** Copied on write: names are added when endpoints are created, and read on every callback. */
    private volatile EndpointStatistics[] named = new EndpointStatistics[0];
    private Meters meters;

    /** The statistics of a name, created the first time an endpoint of that name asks. */
    public synchronized EndpointStatistics forName(String name) {
        for (EndpointStatistics statistics : named) {
            if (statistics.name.equals(name)) {
                return statistics;
            }
        }
        EndpointStatistics statistics = new EndpointStatistics(name);
        EndpointStatistics[] grown = Arrays.copyOf(named, named.length + 1);
        grown[named.length] = statistics;
        named = grown;
        if (meters != null) {
            meters.bind(statistics);
        }
        return statistics;
    }

    /** Every named statistics, in the order the names appeared. */
    public List<EndpointStatistics> named() {
        return List.of(named);
    }

    public EndpointStatistics unattributed() {
        return unattributed;
    }

    public synchronized void bindMeters(Meters meters) {
        unbindMeters();
        this.meters = meters;
        meters.bind(unattributed);
        for (EndpointStatistics statistics : named) {
            meters.bind(statistics);
        }
    }

    public synchronized void unbindMeters() {
        if (meters != null) {
            meters.close();
            meters = null;
            for (EndpointStatistics statistics : named) {
                statistics.setWaitDurations(null);
            }
        }
    }

    /**
     * Counts a callback by its answer, for the endpoint its path names; a name no endpoint has (a 404, or a guess with
     * no signature) counts as unattributed, so that senders cannot make up meter tags.
     */
    public void callbackAnswered(String path, String basePath, int status) {
        EndpointStatistics statistics = path != null ? byPath(path, basePath) : null;
        (statistics != null ? statistics : unattributed).callbackAnswered(CallbackOutcome.of(status));
    }

    /** The statistics of the name in {@code …basePath/NAME/…}, read as {@link CallbackRequest#parse} reads it. */
    private EndpointStatistics byPath(String path, String basePath) {
        int at = path.indexOf(basePath);
        while (at >= 0 && !path.startsWith("/", at + basePath.length())) {
            at = path.indexOf(basePath, at + 1);
        }
        int start = at >= 0 ? at + basePath.length() + 1 : path.startsWith("/") ? 1 : 0;
        int end = path.indexOf('/', start);
        int length = (end < 0 ? path.length() : end) - start;
        for (EndpointStatistics statistics : named) {
            if (statistics.name.length() == length && path.regionMatches(start, statistics.name, 0, length)) {
                return statistics;
            }
        }
        return null;
    }
}
