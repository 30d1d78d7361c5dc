package org.apache.camel.component.logicwebhook.callback;

/**
 * How the dispatcher finds the pending wait that an action's callback path names.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface WaitCallbacks {

    /** The handler of the wait pending under this endpoint name and id, or {@code null} when none is. */
    CallbackHandler pending(String name, String id);

    /**
     * The handler of a wait that is not pending in memory: one that only refuses (409 or 410 when it ended, 404 when it
     * is unknown, 503 when the store cannot tell), or one for an orphan that a durable store keeps. May block (it may
     * read the store).
     */
    CallbackHandler notPending(String name, String id);
}
