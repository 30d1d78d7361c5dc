package org.apache.camel.component.logicwebhook.callback;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;

/**
 * What the dispatcher hands a callback to once its URL signature, expiry, method, payload signature and body were
 * checked: a running trigger, or one pending wait of the action. The handler decides what happened and returns the
 * answer; the dispatcher writes it (camel-jms' {@code ReplyHandler} is the model: the collaborator owns the interface,
 * the trigger and the action implement it).
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public interface CallbackHandler {

    /** The endpoint's configuration: its callback methods and handshake. */
    LogicWebhookConfiguration configuration();

    /** The endpoint's payload signature check, or {@code null} when it asks for none. */
    PayloadSignatureVerifier payloadVerifier();

    /**
     * Whether it wants its subscription now: a handshake (a WebSub verification, a Graph validation) is answered only
     * then.
     */
    boolean wantsSubscription();

    /** A WebSub hub verified the subscription and granted a lease of this many seconds. */
    default void leaseGranted(long leaseSeconds) {
    }

    /** The service refused the subscription (a WebSub hub's hub.mode=denied, with its hub.reason). */
    void subscriptionDenied(String reason);

    /** An answer that refuses every callback for now (a suspended or stopping trigger: 503), or {@code null}. */
    default CallbackAnswer unavailable() {
        return null;
    }

    /**
     * Takes a callback that passed every check, on the component's pool.
     *
     * @return the answer, once the trigger's route or the wait took the callback: a trigger's route may hand its
     *         exchange on asynchronously, and no thread waits for it
     */
    CompletionStage<CallbackAnswer> onCallback(CallbackRequest request);

    /** A handler that answers every callback with the same refusal (a finished or unknown wait, say). */
    static CallbackHandler refusing(CallbackAnswer answer) {
        return new CallbackHandler() {
            @Override
            public CallbackAnswer unavailable() {
                return answer;
            }

            @Override
            public LogicWebhookConfiguration configuration() {
                throw new UnsupportedOperationException();
            }

            @Override
            public PayloadSignatureVerifier payloadVerifier() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean wantsSubscription() {
                return false;
            }

            @Override
            public void subscriptionDenied(String reason) {
            }

            @Override
            public CompletionStage<CallbackAnswer> onCallback(CallbackRequest request) {
                return CompletableFuture.completedFuture(answer);
            }
        };
    }
}
