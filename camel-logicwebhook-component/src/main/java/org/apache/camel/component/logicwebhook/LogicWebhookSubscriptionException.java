package org.apache.camel.component.logicwebhook;

import org.apache.camel.CamelException;

/**
 * A subscribe (or unsubscribe) request failed: the service could not be reached, or it answered with a status other
 * than 2xx. The message names the request's method and URI (without its query string), the status and an excerpt of the
 * answer; never a credential.
 */
public class LogicWebhookSubscriptionException extends CamelException {

    private final int statusCode;
    private final String responseBody;

    public LogicWebhookSubscriptionException(String message, int statusCode, String responseBody, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.responseBody = responseBody;
    }

    /** The status the service answered, or 0 when it could not be reached. */
    public int getStatusCode() {
        return statusCode;
    }

    /** The body the service answered, or {@code null}. */
    public String getResponseBody() {
        return responseBody;
    }
}
