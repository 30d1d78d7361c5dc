package org.apache.camel.component.logicwebhook;

import org.apache.camel.CamelExchangeException;
import org.apache.camel.Exchange;

/**
 * The action stopped waiting because its route, endpoint or Camel context stopped; the subscription is cancelled
 * (unsubscribed) as well.
 */
public class LogicWebhookCancelledException extends CamelExchangeException {

    public LogicWebhookCancelledException(String message, Exchange exchange) {
        super(message, exchange);
    }
}
