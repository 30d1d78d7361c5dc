package org.apache.camel.component.logicwebhook;

import java.util.Map;

import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * The service called the action's failure URL: the job it was waiting for failed. Carries what the failure callback
 * sent, so that {@code onException} or {@code doTry} can act on it.
 */
public class LogicWebhookCallbackFailedException extends CamelExchangeException {

    private final transient Object body;
    private final transient Map<String, Object> headers;
    private final int statusCode;

    public LogicWebhookCallbackFailedException(String message, Exchange exchange, Object body,
                                               Map<String, Object> headers, int statusCode) {
        super(message, exchange);
        this.body = body;
        this.headers = headers;
        this.statusCode = statusCode;
    }

    /** The body of the failure callback (bytes, or a Map/List when jsonBody is on). */
    public Object getBody() {
        return body;
    }

    /** The headers of the failure callback, filtered like those of a successful one. */
    public Map<String, Object> getHeaders() {
        return headers;
    }

    /** The status the service gave in the {@code status} query parameter of the failure URL, 500 by default. */
    public int getStatusCode() {
        return statusCode;
    }
}
