package org.apache.camel.component.logicwebhook;

import org.apache.camel.RuntimeCamelException;

/**
 * The wait store could not be read or written (its database is down, say). An action fails with it at once rather than
 * wait without a record; a callback meanwhile is answered 503, so that its sender retries.
 */
public class LogicWebhookStoreException extends RuntimeCamelException {

    public LogicWebhookStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
