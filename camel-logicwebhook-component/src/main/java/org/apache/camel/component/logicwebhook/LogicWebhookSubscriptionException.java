package org.apache.camel.component.logicwebhook;

import java.io.IOException;

import javax.net.ssl.SSLException;

import org.apache.camel.CamelException;
import org.apache.hc.client5.http.ClientProtocolException;

/**
 * A subscribe (or unsubscribe) request failed: the service could not be reached, or it answered with a status other
 * than 2xx. The message names the request's method and URI (without its query string), the status and an excerpt of the
 * answer; never a credential.
 */
public class LogicWebhookSubscriptionException extends CamelException {

    private final int statusCode;
    private final String responseBody;
    private final String retryAfter;
    private final boolean retryable;

    public LogicWebhookSubscriptionException(String message, int statusCode, String responseBody, Throwable cause) {
        this(message, statusCode, responseBody, null, isRetryableStatus(statusCode) || isTransient(cause), cause);
    }

    public LogicWebhookSubscriptionException(String message, int statusCode, String responseBody, String retryAfter,
                                      boolean retryable, Throwable cause) {
        super(message, cause);
        this.statusCode = statusCode;
        this.responseBody = responseBody;
        this.retryAfter = retryAfter;
        this.retryable = retryable;
    }

    /**
     * No answer because of the network (refused, reset, timed out) may come right later; a TLS failure (a certificate
     * that is not trusted), a protocol error (an OAuth2 token endpoint that refused the client) or a failure of our own
     * will not.
     */
    static boolean isTransient(Throwable cause) {
        boolean network = false;
        for (Throwable e = cause; e != null; e = e.getCause()) {
            if (e instanceof SSLException || e instanceof ClientProtocolException) {
                return false;
            }
            network |= e instanceof IOException;
        }
        return network;
    }

    /** 408, 429 and 5xx may succeed later; another 4xx will not. */
    public static boolean isRetryableStatus(int status) {
        return status == 408 || status == 429 || status >= 500 && status <= 599;
    }

    /**
     * Whether trying again may succeed: the service could not be reached, or answered 408, 429 or 5xx. A request refused
     * before it was sent (allowedHosts) or answered with another status is not.
     */
    public boolean isRetryable() {
        return retryable;
    }

    /** The service's Retry-After header, or {@code null}. */
    public String getRetryAfter() {
        return retryAfter;
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
