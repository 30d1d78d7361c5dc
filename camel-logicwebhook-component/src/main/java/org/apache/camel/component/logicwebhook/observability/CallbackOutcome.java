package org.apache.camel.component.logicwebhook.observability;

/**
 * What the answer to a callback says happened to it: the {@code outcome} tag of the {@code logicwebhook.callbacks}
 * meter, and the reasons a callback is rejected in JMX.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public enum CallbackOutcome {

    /** 2xx: a trigger's route ran, or a wait was resumed, failed or extended (heartbeat). */
    ACCEPTED("accepted"),
    /** 400: the body is not valid JSON. */
    INVALID("invalid"),
    /** 401: a missing or wrong URL signature, or a failed payload signature. */
    UNAUTHORIZED("unauthorized"),
    /** 404: no such trigger or wait. */
    UNKNOWN("unknown"),
    /** 405: a method the endpoint does not take callbacks with. */
    METHOD_NOT_ALLOWED("method_not_allowed"),
    /** 409: the wait was already called back, or a payload signature was replayed. */
    DUPLICATE("duplicate"),
    /** 410: the URL expired, or the wait timed out or was cancelled. */
    GONE("gone"),
    /** 413: the body is over maxBodySize. */
    TOO_LARGE("too_large"),
    /** 429: too busy. */
    TOO_BUSY("too_busy"),
    /** 500: the trigger's route failed (the sender retries). */
    FAILED("failed"),
    /** 503: the trigger is suspended or stopping. */
    UNAVAILABLE("unavailable"),
    /** Any other status. */
    OTHER("other");

    static final CallbackOutcome[] ALL = values();

    /** The meter tag value. */
    final String tag;

    CallbackOutcome(String tag) {
        this.tag = tag;
    }

    static CallbackOutcome of(int status) {
        if (status >= 200 && status < 300) {
            return ACCEPTED;
        }
        return switch (status) {
            case 400 -> INVALID;
            case 401 -> UNAUTHORIZED;
            case 404 -> UNKNOWN;
            case 405 -> METHOD_NOT_ALLOWED;
            case 409 -> DUPLICATE;
            case 410 -> GONE;
            case 413 -> TOO_LARGE;
            case 429 -> TOO_BUSY;
            case 500 -> FAILED;
            case 503 -> UNAVAILABLE;
            default -> OTHER;
        };
    }
}
