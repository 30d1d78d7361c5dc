package org.apache.camel.component.logicwebhook;

/**
 * What the benchmark reads of the component's internals: the number of pending waits. It lives in the component's
 * package (in the benchmark's jar) because the wait registry is package-private.
 */
public final class BenchmarkAccess {

    private BenchmarkAccess() {
    }

    /** How many action exchanges are suspended, waiting for their callback, right now. */
    public static int pendingWaits(LogicWebhookComponent component) {
        WaitRegistry registry = component.getWaitRegistry();
        return registry == null ? 0 : registry.size();
    }
}
