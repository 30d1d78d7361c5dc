package org.apache.camel.component.logicwebhook.store;

/**
 * A trigger's lead, as a store shared by several nodes keeps it: the epoch this node now leads it with, and how to
 * unsubscribe the subscription a previous leader left (a leader that crashed, or one that still believes it leads).
 *
 * @param epoch    grows with every new leader; a write of an older epoch is refused (fencing)
 * @param previous the previous leader's unsubscribe request, or {@code null}
 */
public record TriggerLease(long epoch, StoredRequest previous) {

    /** What a store that keeps no trigger (the in-memory one) gives: nothing to fence, nothing left behind. */
    public static final TriggerLease UNTRACKED = new TriggerLease(0, null);
}
