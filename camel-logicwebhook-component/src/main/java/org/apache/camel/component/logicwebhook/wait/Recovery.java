package org.apache.camel.component.logicwebhook.wait;

/**
 * How a durable store's orphans are found and kept.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 *
 * @param heartbeatInterval how often this incarnation says it is alive, and looks for orphans
 * @param nodeTimeout       an incarnation not heard of for this long is gone: its waits are orphans
 * @param finishedRetention how long finished waits are kept, so that a late callback is answered 409 or 410
 */
public record Recovery(long heartbeatInterval, long nodeTimeout, long finishedRetention) {
}
