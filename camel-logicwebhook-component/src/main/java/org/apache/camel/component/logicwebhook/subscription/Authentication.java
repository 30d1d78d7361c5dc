package org.apache.camel.component.logicwebhook.subscription;

import org.apache.camel.component.logicwebhook.LogicWebhookConfiguration;

import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.util.ObjectHelper;

/**
 * One request kind's authentication, as Logic Apps has one for the subscribe and one for the unsubscribe: the
 * options of one set (the {@code auth*}, {@code oauth2*} and {@code sslContextParameters} options, or their
 * {@code unsubscribe}-prefixed twins), read from the endpoint's configuration whenever a client starts, never kept with a
 * request.
 */
record Authentication(String method, String username, String password, String bearerToken, String authorization,
        String oauth2ClientId, String oauth2ClientSecret, String oauth2TokenEndpoint, String oauth2Scope,
        boolean oauth2CacheTokens, boolean oauth2BodyAuthentication, SSLContextParameters sslContextParameters) {

    static Authentication ofSubscribe(LogicWebhookConfiguration c) {
        return new Authentication(c.getAuthMethod(), c.getAuthUsername(), c.getAuthPassword(), c.getAuthBearerToken(),
                c.getAuthorization(), c.getOauth2ClientId(), c.getOauth2ClientSecret(), c.getOauth2TokenEndpoint(),
                c.getOauth2Scope(), c.isOauth2CacheTokens(), c.isOauth2BodyAuthentication(), c.getSslContextParameters());
    }

    /** The unsubscribe's own set; see {@link #isSet()} for when it is used. */
    static Authentication ofUnsubscribe(LogicWebhookConfiguration c) {
        return new Authentication(c.getUnsubscribeAuthMethod(), c.getUnsubscribeAuthUsername(),
                c.getUnsubscribeAuthPassword(), c.getUnsubscribeAuthBearerToken(), c.getUnsubscribeAuthorization(),
                c.getUnsubscribeOauth2ClientId(), c.getUnsubscribeOauth2ClientSecret(),
                c.getUnsubscribeOauth2TokenEndpoint(), c.getUnsubscribeOauth2Scope(), c.isUnsubscribeOauth2CacheTokens(),
                c.isUnsubscribeOauth2BodyAuthentication(), c.getUnsubscribeSslContextParameters());
    }

    /**
     * Whether any option of the set is given. The two OAuth2 flags do not count: they only tune a client id's token
     * requests (and a boolean cannot tell "false" from "not set").
     */
    boolean isSet() {
        return sslContextParameters != null || Stream.of(method, username, password, bearerToken, authorization,
                oauth2ClientId, oauth2ClientSecret, oauth2TokenEndpoint, oauth2Scope).anyMatch(ObjectHelper::isNotEmpty);
    }

    /** Puts the set on a camel-http endpoint's options, under camel-http's names. */
    void addTo(Map<String, Object> options) {
        putIfSet(options, "authMethod", method);
        putIfSet(options, "authUsername", username);
        putIfSet(options, "authPassword", password);
        putIfSet(options, "oauth2ClientId", oauth2ClientId);
        putIfSet(options, "oauth2ClientSecret", oauth2ClientSecret);
        putIfSet(options, "oauth2TokenEndpoint", oauth2TokenEndpoint);
        putIfSet(options, "oauth2Scope", oauth2Scope);
        if (oauth2ClientId != null) {
            options.put("oauth2CacheTokens", oauth2CacheTokens);
            options.put("oauth2BodyAuthentication", oauth2BodyAuthentication);
        }
        putIfSet(options, "sslContextParameters", sslContextParameters);
        if ("Basic".equalsIgnoreCase(method)) {
            // Logic Apps sends credentials with the first request rather than waiting for a challenge
            options.put("authenticationPreemptive", true);
        }
    }

    /**
     * A raw Authorization value, or a bearer token: sent as they are with every request (camel-http only sends a bearer
     * token after a challenge, which many services never send).
     */
    String authorizationHeader() {
        if (ObjectHelper.isNotEmpty(authorization)) {
            return authorization;
        }
        if (ObjectHelper.isNotEmpty(bearerToken)) {
            return "Bearer " + bearerToken;
        }
        return null;
    }

    private static void putIfSet(Map<String, Object> options, String name, Object value) {
        if (ObjectHelper.isNotEmpty(value)) {
            options.put(name, value);
        }
    }

    /** A record's own would print the credentials. */
    @Override
    public String toString() {
        return "Authentication[…]";
    }
}
