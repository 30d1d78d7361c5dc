package org.apache.camel.component.logicwebhook.subscription;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.spi.Language;

/**
 * The subscribe or unsubscribe request of an endpoint as Simple templates, compiled once. Templates read the callback
 * URL and the subscribe response from exchange variables (see {@link LogicWebhookConstants}), in the way Logic Apps
 * templates call {@code @listCallbackUrl()}.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class RequestTemplate {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> METHODS_WITH_BODY = Set.of("POST", "PUT", "PATCH");

    private final String method;
    private final Expression uri;
    private final Map<String, Expression> headers;
    private final Expression body;
    private final boolean defaultBody;

    private RequestTemplate(String method, Expression uri, Map<String, Expression> headers, Expression body,
                            boolean defaultBody) {
        this.method = method;
        this.uri = uri;
        this.headers = headers;
        this.body = body;
        this.defaultBody = defaultBody;
    }

    /**
     * @param defaultBody whether a request without a configured body sends {@code {"callbackUrl": …}} when its method
     *                    carries a body
     */
    static RequestTemplate compile(
            CamelContext context, String method, String uri, Map<String, Object> headers, String body, boolean defaultBody) {
        Language simple = context.resolveLanguage("simple");
        Map<String, Expression> headerExpressions = new LinkedHashMap<>();
        if (headers != null) {
            headers.forEach((name, value) -> headerExpressions.put(name, simple.createExpression(String.valueOf(value))));
        }
        String verb = method.toUpperCase();
        return new RequestTemplate(
                verb, simple.createExpression(uri), Collections.unmodifiableMap(headerExpressions),
                body == null ? null : simple.createExpression(body), defaultBody && METHODS_WITH_BODY.contains(verb));
    }

    /**
     * The request with the headers it lacks of this template's own, evaluated on {@code exchange}: for a request kept
     * without the headers whose names are taken for secrets (an orphan's, from the wait store). A header that does not
     * resolve to a value there is left out.
     */
    OutboundRequest withMissingHeaders(OutboundRequest request, Exchange exchange) {
        Map<String, String> values = new LinkedHashMap<>(request.headers());
        headers.forEach((name, expression) -> {
            if (values.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                try {
                    String value = expression.evaluate(exchange, String.class);
                    if (value != null && !value.isEmpty()) {
                        values.put(name, value);
                    }
                } catch (RuntimeException e) {
                    // it needs what only the original exchange had: it stays out
                }
            }
        });
        return new OutboundRequest(request.method(), request.uri(), values, request.body());
    }

    OutboundRequest evaluate(Exchange exchange) {
        Map<String, String> values = new LinkedHashMap<>();
        headers.forEach((name, expression) -> values.put(name, expression.evaluate(exchange, String.class)));
        String text = null;
        if (body != null) {
            text = body.evaluate(exchange, String.class);
        } else if (defaultBody) {
            text = callbackJson(exchange.getVariable(LogicWebhookConstants.VAR_CALLBACK_URL, String.class));
        }
        if (text != null && values.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
            values.put("Content-Type", contentType(text));
        }
        return new OutboundRequest(method, uri.evaluate(exchange, String.class), values, text);
    }

    /**
     * Logic Apps sends its JSON bodies as JSON; a body template that is JSON is sent so too, since a YAML route cannot
     * name a subscribeHeader.Content-Type option (the YAML DSL rewrites the dash in option names).
     */
    static String contentType(String body) {
        String start = body.stripLeading();
        return start.startsWith("{") || start.startsWith("[") ? "application/json" : "text/plain; charset=utf-8";
    }

    private static String callbackJson(String callbackUrl) {
        try {
            return JSON.writeValueAsString(Map.of("callbackUrl", callbackUrl));
        } catch (JsonProcessingException e) {
            throw new RuntimeCamelException(e);
        }
    }
}
