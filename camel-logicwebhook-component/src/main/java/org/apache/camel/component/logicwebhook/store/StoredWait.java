package org.apache.camel.component.logicwebhook.store;

/**
 * A wait of the action as a store keeps it.
 *
 * @param id           the callback id (creation time and 128 random bits: {@code WaitRegistry.newId})
 * @param endpoint     the name of the action's endpoint
 * @param owner        the incarnation (one start of one component) whose exchange waits, or {@code null} when none
 *                     does: the wait was handed over at a graceful stop, and whoever adopts it resumes it in its
 *                     {@code resumeUri}
 * @param adopted      whether the owner adopted it as an orphan (its own exchange is gone) rather than made it
 * @param state        {@link WaitStore#PENDING}, or how it ended: COMPLETED, FAILED, TIMED_OUT, CANCELLED
 * @param subscribed   whether the subscribe request was answered (only then is there an unsubscribe request)
 * @param createdAt    when the wait began (epoch millis of the component's clock)
 * @param deadline     when it times out; {@link Long#MAX_VALUE} for never
 * @param hardDeadline the latest a heartbeat may move the deadline to
 * @param unsubscribe  how to unsubscribe, or {@code null}
 * @param snapshot     the exchange as it began waiting (JSON: body, and the headers and variables the endpoint lists),
 *                     kept only for an endpoint with a {@code resumeUri}; or {@code null}
 * @param result       what its callback carried (JSON: body, headers, status), once a callback finished it; or
 *                     {@code null}
 * @param delivered    whether its outcome reached the exchange or the {@code resumeUri}
 */
public record StoredWait(
        String id, String endpoint, String owner, boolean adopted, String state, boolean subscribed, long createdAt, long deadline,
        long hardDeadline, StoredRequest unsubscribe, String snapshot, String result, boolean delivered) {

    public boolean isPending() {
        return WaitStore.PENDING.equals(state);
    }

    /** This orphan as its adoption by an incarnation left it. */
    public StoredWait adoptedBy(String incarnation) {
        return new StoredWait(id, endpoint, incarnation, true, state, subscribed, createdAt, deadline, hardDeadline,
                unsubscribe, snapshot, result, delivered);
    }

    /** This pending wait as its claim without a result (a timeout, say) left it: finished, not delivered. */
    public StoredWait finished(String state) {
        return new StoredWait(id, endpoint, owner, adopted, state, subscribed, createdAt, deadline, hardDeadline,
                unsubscribe, snapshot, null, false);
    }
}
