package org.apache.camel.component.logicwebhook;

import org.apache.camel.Exchange;

/**
 * The application stopped while the action waited, and a durable wait store took the wait over: its subscription is
 * kept, and when its callback comes the next start (or another node) resumes it in the endpoint's {@code resumeUri}.
 * The exchange that waited here ends with this exception.
 */
public class LogicWebhookHandedOverException extends LogicWebhookCancelledException {

    public LogicWebhookHandedOverException(String message, Exchange exchange) {
        super(message, exchange);
    }
}
