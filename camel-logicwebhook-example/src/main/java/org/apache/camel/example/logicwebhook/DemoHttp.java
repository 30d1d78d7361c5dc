package org.apache.camel.example.logicwebhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.RuntimeCamelException;

/** Answers of the demo services. */
final class DemoHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DemoHttp() {
    }

    /**
     * Sets the status and the body as JSON (none when {@code body} is null). Drops the request headers first, so that
     * none is echoed back to the caller and none (CamelHttpPath, CamelHttpUri…) leaks into a later http: call.
     */
    static void respond(Exchange exchange, int status, Object body) {
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (body == null) {
            message.setBody(null);
            return;
        }
        message.setHeader(Exchange.CONTENT_TYPE, "application/json");
        message.setBody(json(body));
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
