package org.apache.camel.component.logicwebhook.callback;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.camel.component.logicwebhook.LogicWebhookConstants;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.util.CaseInsensitiveMap;
import org.apache.camel.util.URISupport;

/**
 * A callback request as the dispatcher sees it, whatever HTTP engine it came through: which trigger or wait its path
 * names, and what it carried (method, query, HTTP headers, body).
 *
 * <p>
 * Paths below the base path: {@code NAME} (a trigger), {@code NAME/ID} (an action's callback), {@code NAME/ID/fail}
 * and {@code NAME/ID/heartbeat}.
 * <p>
 * Internal: public only so that the component's other packages can reach it; not an API.
 */
public final class CallbackRequest {

    public static final String SIGNATURE_PARAM = "sig";
    public static final String FAIL = "fail";
    public static final String HEARTBEAT = "heartbeat";
    /** An endpoint name or a wait id: a segment of a callback path. */
    public static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._~-]+");

    private static final HeaderFilterStrategy HEADER_FILTER = new HttpHeaderFilterStrategy();

    final String path;
    final String name;
    final String id;
    public final String kind;
    final String method;
    final String signature;
    final String expires;
    /** The body, read by the dispatcher once the signature is verified. */
    public byte[] body;
    private final Map<String, Object> queryParameters;
    /** The request's HTTP headers (platform-http adds the query parameters and its own Camel headers). */
    private final Map<String, Object> httpHeaders;

    private CallbackRequest(String path, String name, String id, String kind, String method,
                            Map<String, Object> queryParameters, Map<String, Object> httpHeaders) {
        this.httpHeaders = httpHeaders;
        this.path = path;
        this.name = name;
        this.id = id;
        this.kind = kind;
        this.method = method;
        this.queryParameters = queryParameters;
        this.signature = queryParameters.get(SIGNATURE_PARAM) instanceof String s ? s : null;
        this.expires = queryParameters.get(CallbackSigner.EXPIRY_PARAM) instanceof String s ? s : null;
    }

    /**
     * @param  fullPath                 the request's path, with the base path somewhere in it
     * @param  rawQuery                 the query string as it was sent, or {@code null}
     * @param  httpHeaders              the request's headers (case-insensitive)
     * @return                          the request, or {@code null} when its path is not one of ours
     * @throws IllegalArgumentException when the query cannot be read (a malformed %-escape, say)
     */
    static CallbackRequest parse(
            String method, String fullPath, String rawQuery, Map<String, Object> httpHeaders, String basePath) {
        if (fullPath == null) {
            return null;
        }
        String prefix = basePath + "/";
        int at = fullPath.indexOf(prefix);
        String path = at >= 0 ? fullPath.substring(at + prefix.length()) : stripSlash(fullPath);
        String[] segments = path.split("/", -1);
        if (segments.length > 3 || !validSegments(segments)) {
            return null;
        }
        String kind = null;
        if (segments.length == 3) {
            kind = segments[2];
            if (!FAIL.equals(kind) && !HEARTBEAT.equals(kind)) {
                return null;
            }
        }
        return new CallbackRequest(path, segments[0], segments.length > 1 ? segments[1] : null, kind, method,
                parseQuery(rawQuery), httpHeaders);
    }

    /** An HTTP header of the request (case-insensitive), as text, or {@code null}. */
    String header(String name) {
        Object value = httpHeaders.get(name);
        return value == null ? null : value.toString();
    }

    boolean isTrigger() {
        return id == null;
    }

    /**
     * The headers of the callback, ready to become those of a trigger's exchange or a resumed action: built only for a
     * request that passed every check.
     */
    public Map<String, Object> headers(String endpointName) {
        Map<String, Object> headers = new CaseInsensitiveMap();
        for (Map.Entry<String, Object> header : httpHeaders.entrySet()) {
            String key = header.getKey();
            // platform-http puts query parameters among the headers: the signature must not travel on
            if (queryParameters.containsKey(key)
                    || HEADER_FILTER.applyFilterToExternalHeaders(key, header.getValue(), null)) {
                continue;
            }
            headers.put(key, header.getValue());
        }
        headers.put(LogicWebhookConstants.ENDPOINT_NAME, endpointName);
        headers.put(LogicWebhookConstants.CALLBACK_ID, isTrigger() ? name : id);
        headers.put(LogicWebhookConstants.HTTP_METHOD, method);
        String query = queryWithoutSignature(queryParameters);
        if (query != null) {
            headers.put(LogicWebhookConstants.HTTP_QUERY, query);
        }
        return headers;
    }

    /**
     * Whether the expiry signed into the URL (if any) has passed; a malformed one counts as passed, though it cannot
     * have been signed by us anyway.
     */
    boolean expired(long nowMillis) {
        if (expires == null) {
            return false;
        }
        try {
            return Long.parseLong(expires) * 1000 <= nowMillis;
        } catch (NumberFormatException e) {
            return true;
        }
    }

    private static boolean validSegments(String[] segments) {
        for (String segment : segments) {
            if (segment.isEmpty() || !SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    private static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    private static Map<String, Object> parseQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return new LinkedHashMap<>();
        }
        try {
            return URISupport.parseQuery(raw, false, true);
        } catch (Exception e) {
            throw new IllegalArgumentException("the query string cannot be read", e);
        }
    }

    private static String queryWithoutSignature(Map<String, Object> parameters) {
        Map<String, Object> rest = new LinkedHashMap<>(parameters);
        rest.remove(SIGNATURE_PARAM);
        rest.remove(CallbackSigner.EXPIRY_PARAM);
        if (rest.isEmpty()) {
            return null;
        }
        try {
            return URISupport.createQueryString(rest);
        } catch (Exception e) {
            return null;
        }
    }

    public Object queryParameter(String name) {
        return queryParameters.get(name);
    }
}
