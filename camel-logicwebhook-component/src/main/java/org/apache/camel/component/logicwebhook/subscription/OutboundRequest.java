package org.apache.camel.component.logicwebhook.subscription;

import java.util.Map;

/**
 * A subscribe or unsubscribe request with every template resolved. An action keeps its unsubscribe request in this form
 * until it is needed, so that a pending wait holds a few strings rather than the subscribe response.
 *
 * @param body {@code null} when the request has no body
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public record OutboundRequest(String method, String uri, Map<String, String> headers, String body) {

    /** The URI without query string and user info, for messages: a query string often carries a key. */
    public String safeUri() {
        return safeUri(uri);
    }

    public static String safeUri(String uri) {
        if (uri == null) {
            return null;
        }
        String text = uri;
        int query = text.indexOf('?');
        if (query >= 0) {
            text = text.substring(0, query) + "?…";
        }
        int scheme = text.indexOf("://");
        int at = text.indexOf('@');
        int slash = scheme >= 0 ? text.indexOf('/', scheme + 3) : -1;
        if (scheme >= 0 && at > scheme && (slash < 0 || at < slash)) {
            text = text.substring(0, scheme + 3) + "…@" + text.substring(at + 1);
        }
        return text;
    }
}
