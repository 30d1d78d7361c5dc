package org.apache.camel.component.logicwebhook.callback;

import java.util.Map;

/**
 * What the sender of a callback is answered: a status, an optional short text and a few headers of the component's
 * own. The trigger, the action and the handshakes return one; only the dispatcher writes it to the HTTP side, so no
 * header of the request is ever echoed back and no stack trace ever reaches a sender.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 *
 * @param text    a short plain-text reason, or {@code null} for no body
 * @param headers extra response headers (Allow, the handshakes' own), never {@code null}
 */
public record CallbackAnswer(int status, String text, Map<String, String> headers) {

    /** The Content-Type of an answer's text. */
    public static final String TEXT = "text/plain; charset=utf-8";

    public static final CallbackAnswer OK = new CallbackAnswer(200, null, Map.of());
    public static final CallbackAnswer ACCEPTED = new CallbackAnswer(202, null, Map.of());
    public static final CallbackAnswer UNKNOWN = of(404, "unknown callback");

    public static CallbackAnswer of(int status, String text) {
        return new CallbackAnswer(status, text, Map.of());
    }

    /** 503 with a Retry-After: the sender should try again shortly. */
    public static CallbackAnswer unavailable(String text) {
        return new CallbackAnswer(503, text, Map.of("Retry-After", "5"));
    }

    static CallbackAnswer notAllowed(String allowed) {
        return new CallbackAnswer(405, "method not allowed", Map.of("Allow", allowed));
    }

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }
}
