package org.apache.camel.component.logicwebhook.callback;

/**
 * How the dispatcher finds the pending wait that an action's callback path names.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface WaitCallbacks {

    /** The handler of the wait pending under this endpoint name and id, or {@code null} when none is. */
    CallbackHandler pending(String name, String id);

    /** The answer to a callback for a wait that is not pending: 409 or 410 when it ended, 404 when it is unknown. */
    CallbackAnswer notPending(String name, String id);
}
