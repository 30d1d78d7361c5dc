package org.apache.camel.component.logicwebhook;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The options of a logicwebhook endpoint. The component holds one instance with the defaults; each endpoint gets a
 * {@link #copy()} of it, so that a component-wide setting (a base URL, credentials) is inherited and can be overridden
 * per endpoint.
 */
@UriParams
public class LogicWebhookConfiguration implements Cloneable {

    private static final String ALSO_UNSUBSCRIBE
            = " The unsubscribe request uses it too, unless it has authentication options of its own"
              + " (unsubscribeAuthMethod and the others).";
    /** No mixing of the two sets: a request is sent with one service credential, never half of another's. */
    private static final String ONLY_UNSUBSCRIBE
            = " Once any unsubscribe authentication option is set (the unsubscribeOauth2CacheTokens and"
              + " unsubscribeOauth2BodyAuthentication flags aside), the unsubscribe request uses only those, none of the"
              + " subscribe's; with none set, it uses the subscribe's.";

    @UriParam(label = "common", defaultValue = "POST", enums = "POST,PUT,PATCH,GET,DELETE",
              description = "HTTP method of the subscribe request.")
    private String subscribeMethod = "POST";
    @UriParam(label = "common",
              description = "URI of the subscribe request (required). A Simple template: ${variable.callbackUrl} is the"
                            + " signed callback URL, ${variable.callbackUrlEncoded} the same URL-encoded for a query"
                            + " parameter. Wrap it in RAW() when it has a query string of its own.")
    @Metadata(required = true)
    private String subscribeUri;
    @UriParam(label = "common", prefix = "subscribeHeader.", multiValue = true,
              description = "Headers of the subscribe request, one option per header: subscribeHeader.X-Api-Key=...;"
                            + " each value is a Simple template.")
    private Map<String, Object> subscribeHeaders;
    @UriParam(label = "common",
              description = "Body of the subscribe request, a Simple template. When not set, the body is the JSON"
                            + " with the callbackUrl field. Without a Content-Type header, a body that looks like JSON (an"
                            + " object or an array) is sent as application/json, any other as text/plain.")
    private String subscribeBody;
    @UriParam(label = "common", defaultValue = "DELETE", enums = "POST,PUT,PATCH,GET,DELETE",
              description = "HTTP method of the unsubscribe request.")
    private String unsubscribeMethod = "DELETE";
    @UriParam(label = "common",
              description = "URI of the unsubscribe request; without it no unsubscribe call is made. A Simple template"
                            + " that can read ${variable.callbackUrl}, the subscribe response body as"
                            + " ${variable.subscription} (a map when it is JSON, whose fields Simple reads by key) and its"
                            + " Location header as ${variable.subscriptionLocation}.")
    private String unsubscribeUri;
    @UriParam(label = "common", prefix = "unsubscribeHeader.", multiValue = true,
              description = "Headers of the unsubscribe request, one option per header: unsubscribeHeader.X-Api-Key=...;"
                            + " each value is a Simple template.")
    private Map<String, Object> unsubscribeHeaders;
    @UriParam(label = "common",
              description = "Body of the unsubscribe request, a Simple template. When not set, a POST, PUT or PATCH"
                            + " unsubscribe sends the JSON the subscribe sends by default, and other methods send no body.")
    private String unsubscribeBody;

    @UriParam(label = "common",
              description = "The externally reachable base URL of this application (scheme, host, port), which callback"
                            + " URLs start with, e.g. https://myapp.example.com. Set it whenever the application runs"
                            + " behind a proxy or a load balancer. When not set, http://localhost:PORT of the"
                            + " platform-http server is used, which only a service on the same machine can reach.")
    private String callbackBaseUrl;
    @UriParam(label = "security", javaType = "java.time.Duration",
              description = "How long a callback URL stays valid after it is handed out; the expiry is signed into the"
                            + " URL (its se parameter), and a call after it is answered 410. Not set: URLs do not expire"
                            + " (an action's URL is refused anyway once its wait ended).")
    private long callbackUrlExpiry;
    @UriParam(label = "security", defaultValue = "none", enums = "none,standard-webhooks,hub-signature-256",
              description = "Verify a signature over each callback's body, beyond the URL's own: standard-webhooks"
                            + " (webhook-id, webhook-timestamp and webhook-signature headers, 5 minutes tolerance, replays"
                            + " refused) or hub-signature-256 (X-Hub-Signature-256: sha256=..., as GitHub and WebSub"
                            + " send). A callback that fails is answered 401 (a replay 409) and starts or resumes"
                            + " nothing.")
    private String payloadSignature = "none";
    @UriParam(label = "security", secret = true,
              description = "The secret(s) of payloadSignature, comma-separated when a secret is being rotated (any one"
                            + " verifies). Standard Webhooks secrets are given as whsec_... .")
    private String payloadSecret;
    @UriParam(label = "security",
              description = "Comma-separated hosts that the subscribe and unsubscribe URIs may point at (an entry that"
                            + " starts with a wildcard and a dot allows subdomains); a request to another host fails without being"
                            + " sent. Not set: any host. Redirects are never followed.")
    private String allowedHosts;
    @UriParam(label = "advanced", defaultValue = "30s", javaType = "java.time.Duration",
              description = "Connect and response timeout of each subscribe and unsubscribe request; it also bounds how"
                            + " long stopping a route can wait for an unsubscribe.")
    private long requestTimeout = 30_000;
    @UriParam(label = "common", defaultValue = "exponential", enums = "none,fixed,exponential",
              description = "Retry policy of the subscribe and unsubscribe requests, as in Logic Apps: exponential waits a"
                            + " random time between retryInterval x 2^(n-2) and retryInterval x 2^(n-1) before retry n,"
                            + " within retryMinimumInterval and retryMaximumInterval; fixed waits retryInterval. Only a"
                            + " request without an answer, or answered 408, 429 or 5xx, is retried; a Retry-After in the"
                            + " answer is honoured (up to retryMaximumInterval).")
    private String retryPolicy = "exponential";
    @UriParam(label = "common", defaultValue = "4",
              description = "How many times a failed subscribe or unsubscribe is retried (0 to 90).")
    private int retryCount = 4;
    @UriParam(label = "common", defaultValue = "7s", javaType = "java.time.Duration",
              description = "The retry interval: the fixed delay, or the base of the exponential one.")
    private long retryInterval = 7_000;
    @UriParam(label = "advanced", defaultValue = "5s", javaType = "java.time.Duration",
              description = "The shortest delay before an exponential retry.")
    private long retryMinimumInterval = 5_000;
    @UriParam(label = "advanced", defaultValue = "1h", javaType = "java.time.Duration",
              description = "The longest delay before a retry, a Retry-After included.")
    private long retryMaximumInterval = 3_600_000;
    @UriParam(label = "consumer", defaultValue = "30s", javaType = "java.time.Duration",
              description = "How long a trigger's route start (or resume) may take to subscribe, retries included. When"
                            + " the next retry would come later, the start fails with the service's last answer, and"
                            + " Camel's supervising route controller (if enabled) starts the route again later.")
    private long startTimeout = 30_000;
    @UriParam(label = "consumer", javaType = "java.time.Duration",
              description = "Renew the trigger's subscription (send the subscribe request again) at this interval. Not"
                            + " set: the trigger renews at renewFraction of the lease the service grants, when it grants"
                            + " one (see leaseField), and of callbackUrlExpiry, so that its URL never expires.")
    private long renewInterval;
    @UriParam(label = "consumer",
              description = "Field of the JSON subscribe response that gives the subscription's lease: a date-time"
                            + " (ISO-8601) when it expires, a number of seconds, or an ISO-8601 duration. Not set: the"
                            + " first of expirationDateTime (Microsoft Graph), expiresAt, expires_at, expiry, expiresIn,"
                            + " expires_in, leaseSeconds, lease_seconds and hub.lease_seconds that is present. A WebSub"
                            + " hub grants its lease in its verification request instead (hub.lease_seconds).")
    private String leaseField;
    @UriParam(label = "consumer", defaultValue = "0.8",
              description = "When to renew, as a fraction of the lease (or of callbackUrlExpiry): 0.8 renews a 10-day"
                            + " lease after 8 days.")
    private double renewFraction = 0.8;

    @UriParam(label = "common", defaultValue = "POST",
              description = "Comma-separated HTTP methods that callback URLs accept; others are answered 405.")
    private String callbackMethods = "POST";

    @UriParam(label = "producer", defaultValue = "1h", javaType = "java.time.Duration",
              description = "How long the action waits for its callback: an ISO-8601 duration such as PT30M (as Logic"
                            + " Apps' limit.timeout) or a Camel duration such as 30m or 1800000. On timeout the action"
                            + " unsubscribes and fails the exchange with ExchangeTimedOutException. 0 waits without a"
                            + " time limit.")
    private long timeout = 3_600_000;
    @UriParam(label = "producer", defaultValue = "24h", javaType = "java.time.Duration",
              description = "The hard maximum of a wait: heartbeats extend the wait by timeout each, never beyond this"
                            + " long after the subscribe.")
    private long maxTimeout = 86_400_000;
    @UriParam(label = "producer", defaultValue = "true",
              description = "Whether the action unsubscribes after its callback arrived (it always unsubscribes on"
                            + " timeout and on cancel).")
    private boolean unsubscribeOnCallback = true;
    @UriParam(label = "producer", defaultValue = "false",
              description = "Whether the action unmarshals a JSON callback body with Jackson (into a Map or List); a"
                            + " callback whose body is not valid JSON is then answered 400 and the wait goes on.")
    private boolean jsonBody;
    @UriParam(label = "producer",
              description = "With a durable wait store: where a wait goes whose exchange is gone (the application was"
                            + " stopped or crashed while it waited), e.g. direct:approved. Its callback, failure or"
                            + " timeout is delivered there as a new exchange rebuilt from the wait's snapshot (the body,"
                            + " and the snapshotHeaders and snapshotVariables), with what the callback carried or the"
                            + " exception the action would have thrown, and the CamelLogicWebhookWaitId header; at least"
                            + " once. Not set: such a callback is answered 410 and the wait unsubscribed.")
    private String resumeUri;
    @UriParam(label = "producer",
              description = "With a resumeUri: the message headers (comma-separated names) kept with the wait's"
                            + " snapshot, as JSON.")
    private String snapshotHeaders;
    @UriParam(label = "producer",
              description = "With a resumeUri: the exchange variables (comma-separated names) kept with the wait's"
                            + " snapshot, as JSON.")
    private String snapshotVariables;

    @UriParam(label = "common", defaultValue = "none", enums = "none,websub,graph,cloudevents",
              description = "The handshake by which the service makes sure that the callback URL wants its"
                            + " notifications, answered on the signed callback URL of a running trigger or a pending"
                            + " wait without starting an exchange or resuming the wait: websub (a hub's GET with"
                            + " hub.mode and hub.challenge, for the websubTopic), graph (Microsoft Graph's POST with a"
                            + " validationToken query parameter) or cloudevents (the CloudEvents webhook OPTIONS request"
                            + " with WebHook-Request-Origin). none: such requests are callbacks like any other.")
    private String handshake = "none";
    @UriParam(label = "common",
              description = "The topic URL subscribed to, which a WebSub hub's verification must name (hub.topic) to be"
                            + " confirmed; required with handshake=websub.")
    private String websubTopic;
    @UriParam(label = "security", defaultValue = "*",
              description = "With handshake=cloudevents: comma-separated origins (the WebHook-Request-Origin a sender"
                            + " gives, such as eventgrid.azure.net, compared without case) that may deliver, or an"
                            + " asterisk for any. Another origin is answered 403.")
    private String webhookAllowedOrigins = "*";
    @UriParam(label = "advanced", defaultValue = "*",
              description = "With handshake=cloudevents: the delivery rate granted in WebHook-Allowed-Rate, in"
                            + " requests per minute, or an asterisk for no limit.")
    private String webhookAllowedRate = "*";

    @UriParam(label = "security", enums = "Basic,Bearer,NTLM,Digest",
              description = "Authentication of the subscribe request, as camel-http's authMethod." + ALSO_UNSUBSCRIBE)
    private String authMethod;
    @UriParam(label = "security", secret = true, description = "Username for Basic, NTLM or Digest authentication.")
    private String authUsername;
    @UriParam(label = "security", secret = true, description = "Password for Basic, NTLM or Digest authentication.")
    private String authPassword;
    @UriParam(label = "security", secret = true,
              description = "Bearer token sent with the subscribe request." + ALSO_UNSUBSCRIBE)
    private String authBearerToken;
    @UriParam(label = "security", secret = true,
              description = "A literal Authorization header value sent with the subscribe request (Logic Apps' Raw"
                            + " authentication)." + ALSO_UNSUBSCRIBE)
    private String authorization;
    @UriParam(label = "security", description = "OAuth2 client id (client credentials grant; Logic Apps' Active Directory OAuth).")
    private String oauth2ClientId;
    @UriParam(label = "security", secret = true, description = "OAuth2 client secret.")
    private String oauth2ClientSecret;
    @UriParam(label = "security", description = "OAuth2 token endpoint URL.")
    private String oauth2TokenEndpoint;
    @UriParam(label = "security", description = "OAuth2 scope (an Entra ID audience is given as AUDIENCE/.default).")
    private String oauth2Scope;
    @UriParam(label = "security", defaultValue = "false",
              description = "Whether the OAuth2 access token is cached until it expires, instead of fetched for every"
                            + " request (camel-http caches per request URI).")
    private boolean oauth2CacheTokens;
    @UriParam(label = "security", defaultValue = "false",
              description = "Whether the OAuth2 client id and secret go in the token request's form body instead of a"
                            + " Basic Authorization header.")
    private boolean oauth2BodyAuthentication;
    @UriParam(label = "security",
              description = "TLS settings of the subscribe request, including a client certificate (Logic Apps' Client"
                            + " certificate authentication)." + ALSO_UNSUBSCRIBE)
    private SSLContextParameters sslContextParameters;

    @UriParam(label = "security", enums = "Basic,Bearer,NTLM,Digest",
              description = "Authentication of the unsubscribe request, as camel-http's authMethod (Logic Apps'"
                            + " unsubscribe authentication)." + ONLY_UNSUBSCRIBE)
    private String unsubscribeAuthMethod;
    @UriParam(label = "security", secret = true,
              description = "Username for Basic, NTLM or Digest authentication of the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeAuthUsername;
    @UriParam(label = "security", secret = true,
              description = "Password for Basic, NTLM or Digest authentication of the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeAuthPassword;
    @UriParam(label = "security", secret = true,
              description = "Bearer token sent with the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeAuthBearerToken;
    @UriParam(label = "security", secret = true,
              description = "A literal Authorization header value sent with the unsubscribe request (Logic Apps' Raw"
                            + " authentication)." + ONLY_UNSUBSCRIBE)
    private String unsubscribeAuthorization;
    @UriParam(label = "security",
              description = "OAuth2 client id of the unsubscribe request (client credentials grant)." + ONLY_UNSUBSCRIBE)
    private String unsubscribeOauth2ClientId;
    @UriParam(label = "security", secret = true,
              description = "OAuth2 client secret of the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeOauth2ClientSecret;
    @UriParam(label = "security",
              description = "OAuth2 token endpoint URL of the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeOauth2TokenEndpoint;
    @UriParam(label = "security", description = "OAuth2 scope of the unsubscribe request." + ONLY_UNSUBSCRIBE)
    private String unsubscribeOauth2Scope;
    @UriParam(label = "security", defaultValue = "false",
              description = "Whether the access token of unsubscribeOauth2ClientId is cached until it expires, as"
                            + " oauth2CacheTokens.")
    private boolean unsubscribeOauth2CacheTokens;
    @UriParam(label = "security", defaultValue = "false",
              description = "Whether unsubscribeOauth2ClientId and its secret go in the token request's form body, as"
                            + " oauth2BodyAuthentication.")
    private boolean unsubscribeOauth2BodyAuthentication;
    @UriParam(label = "security",
              description = "TLS settings of the unsubscribe request, including a client certificate. Set it (it may be"
                            + " the subscribe's bean) when the service needs TLS settings and the unsubscribe has other"
                            + " authentication options of its own." + ONLY_UNSUBSCRIBE)
    private SSLContextParameters unsubscribeSslContextParameters;

    public LogicWebhookConfiguration copy() {
        try {
            LogicWebhookConfiguration copy = (LogicWebhookConfiguration) clone();
            copy.subscribeHeaders = subscribeHeaders == null ? null : new LinkedHashMap<>(subscribeHeaders);
            copy.unsubscribeHeaders = unsubscribeHeaders == null ? null : new LinkedHashMap<>(unsubscribeHeaders);
            return copy;
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public String getSubscribeMethod() {
        return subscribeMethod;
    }

    public void setSubscribeMethod(String subscribeMethod) {
        this.subscribeMethod = subscribeMethod;
    }

    public String getSubscribeUri() {
        return subscribeUri;
    }

    public void setSubscribeUri(String subscribeUri) {
        this.subscribeUri = subscribeUri;
    }

    public Map<String, Object> getSubscribeHeaders() {
        return subscribeHeaders;
    }

    public void setSubscribeHeaders(Map<String, Object> subscribeHeaders) {
        this.subscribeHeaders = subscribeHeaders;
    }

    public String getSubscribeBody() {
        return subscribeBody;
    }

    public void setSubscribeBody(String subscribeBody) {
        this.subscribeBody = subscribeBody;
    }

    public String getUnsubscribeMethod() {
        return unsubscribeMethod;
    }

    public void setUnsubscribeMethod(String unsubscribeMethod) {
        this.unsubscribeMethod = unsubscribeMethod;
    }

    public String getUnsubscribeUri() {
        return unsubscribeUri;
    }

    public void setUnsubscribeUri(String unsubscribeUri) {
        this.unsubscribeUri = unsubscribeUri;
    }

    public Map<String, Object> getUnsubscribeHeaders() {
        return unsubscribeHeaders;
    }

    public void setUnsubscribeHeaders(Map<String, Object> unsubscribeHeaders) {
        this.unsubscribeHeaders = unsubscribeHeaders;
    }

    public String getUnsubscribeBody() {
        return unsubscribeBody;
    }

    public void setUnsubscribeBody(String unsubscribeBody) {
        this.unsubscribeBody = unsubscribeBody;
    }

    public String getCallbackBaseUrl() {
        return callbackBaseUrl;
    }

    public void setCallbackBaseUrl(String callbackBaseUrl) {
        this.callbackBaseUrl = callbackBaseUrl;
    }

    public long getCallbackUrlExpiry() {
        return callbackUrlExpiry;
    }

    public void setCallbackUrlExpiry(long callbackUrlExpiry) {
        this.callbackUrlExpiry = callbackUrlExpiry;
    }

    public String getPayloadSignature() {
        return payloadSignature;
    }

    public void setPayloadSignature(String payloadSignature) {
        this.payloadSignature = payloadSignature;
    }

    public String getPayloadSecret() {
        return payloadSecret;
    }

    public void setPayloadSecret(String payloadSecret) {
        this.payloadSecret = payloadSecret;
    }

    public String getAllowedHosts() {
        return allowedHosts;
    }

    public void setAllowedHosts(String allowedHosts) {
        this.allowedHosts = allowedHosts;
    }

    public long getRequestTimeout() {
        return requestTimeout;
    }

    public void setRequestTimeout(long requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    public String getRetryPolicy() {
        return retryPolicy;
    }

    public void setRetryPolicy(String retryPolicy) {
        this.retryPolicy = retryPolicy;
    }

    public int getRetryCount() {
        return retryCount;
    }

    public void setRetryCount(int retryCount) {
        this.retryCount = retryCount;
    }

    public long getRetryInterval() {
        return retryInterval;
    }

    public void setRetryInterval(long retryInterval) {
        this.retryInterval = retryInterval;
    }

    public long getRetryMinimumInterval() {
        return retryMinimumInterval;
    }

    public void setRetryMinimumInterval(long retryMinimumInterval) {
        this.retryMinimumInterval = retryMinimumInterval;
    }

    public long getRetryMaximumInterval() {
        return retryMaximumInterval;
    }

    public void setRetryMaximumInterval(long retryMaximumInterval) {
        this.retryMaximumInterval = retryMaximumInterval;
    }

    public long getStartTimeout() {
        return startTimeout;
    }

    public void setStartTimeout(long startTimeout) {
        this.startTimeout = startTimeout;
    }

    public long getRenewInterval() {
        return renewInterval;
    }

    public void setRenewInterval(long renewInterval) {
        this.renewInterval = renewInterval;
    }

    public String getLeaseField() {
        return leaseField;
    }

    public void setLeaseField(String leaseField) {
        this.leaseField = leaseField;
    }

    public double getRenewFraction() {
        return renewFraction;
    }

    public void setRenewFraction(double renewFraction) {
        this.renewFraction = renewFraction;
    }

    public String getCallbackMethods() {
        return callbackMethods;
    }

    public void setCallbackMethods(String callbackMethods) {
        this.callbackMethods = callbackMethods;
    }

    public long getTimeout() {
        return timeout;
    }

    public void setTimeout(long timeout) {
        this.timeout = timeout;
    }

    public long getMaxTimeout() {
        return maxTimeout;
    }

    public void setMaxTimeout(long maxTimeout) {
        this.maxTimeout = maxTimeout;
    }

    public boolean isUnsubscribeOnCallback() {
        return unsubscribeOnCallback;
    }

    public void setUnsubscribeOnCallback(boolean unsubscribeOnCallback) {
        this.unsubscribeOnCallback = unsubscribeOnCallback;
    }

    public String getResumeUri() {
        return resumeUri;
    }

    public void setResumeUri(String resumeUri) {
        this.resumeUri = resumeUri;
    }

    public String getSnapshotHeaders() {
        return snapshotHeaders;
    }

    public void setSnapshotHeaders(String snapshotHeaders) {
        this.snapshotHeaders = snapshotHeaders;
    }

    public String getSnapshotVariables() {
        return snapshotVariables;
    }

    public void setSnapshotVariables(String snapshotVariables) {
        this.snapshotVariables = snapshotVariables;
    }

    public boolean isJsonBody() {
        return jsonBody;
    }

    public void setJsonBody(boolean jsonBody) {
        this.jsonBody = jsonBody;
    }

    public String getHandshake() {
        return handshake;
    }

    public void setHandshake(String handshake) {
        this.handshake = handshake;
    }

    public String getWebsubTopic() {
        return websubTopic;
    }

    public void setWebsubTopic(String websubTopic) {
        this.websubTopic = websubTopic;
    }

    public String getWebhookAllowedOrigins() {
        return webhookAllowedOrigins;
    }

    public void setWebhookAllowedOrigins(String webhookAllowedOrigins) {
        this.webhookAllowedOrigins = webhookAllowedOrigins;
    }

    public String getWebhookAllowedRate() {
        return webhookAllowedRate;
    }

    public void setWebhookAllowedRate(String webhookAllowedRate) {
        this.webhookAllowedRate = webhookAllowedRate;
    }

    public String getAuthMethod() {
        return authMethod;
    }

    public void setAuthMethod(String authMethod) {
        this.authMethod = authMethod;
    }

    public String getAuthUsername() {
        return authUsername;
    }

    public void setAuthUsername(String authUsername) {
        this.authUsername = authUsername;
    }

    public String getAuthPassword() {
        return authPassword;
    }

    public void setAuthPassword(String authPassword) {
        this.authPassword = authPassword;
    }

    public String getAuthBearerToken() {
        return authBearerToken;
    }

    public void setAuthBearerToken(String authBearerToken) {
        this.authBearerToken = authBearerToken;
    }

    public String getAuthorization() {
        return authorization;
    }

    public void setAuthorization(String authorization) {
        this.authorization = authorization;
    }

    public String getOauth2ClientId() {
        return oauth2ClientId;
    }

    public void setOauth2ClientId(String oauth2ClientId) {
        this.oauth2ClientId = oauth2ClientId;
    }

    public String getOauth2ClientSecret() {
        return oauth2ClientSecret;
    }

    public void setOauth2ClientSecret(String oauth2ClientSecret) {
        this.oauth2ClientSecret = oauth2ClientSecret;
    }

    public String getOauth2TokenEndpoint() {
        return oauth2TokenEndpoint;
    }

    public void setOauth2TokenEndpoint(String oauth2TokenEndpoint) {
        this.oauth2TokenEndpoint = oauth2TokenEndpoint;
    }

    public String getOauth2Scope() {
        return oauth2Scope;
    }

    public void setOauth2Scope(String oauth2Scope) {
        this.oauth2Scope = oauth2Scope;
    }

    public boolean isOauth2CacheTokens() {
        return oauth2CacheTokens;
    }

    public void setOauth2CacheTokens(boolean oauth2CacheTokens) {
        this.oauth2CacheTokens = oauth2CacheTokens;
    }

    public boolean isOauth2BodyAuthentication() {
        return oauth2BodyAuthentication;
    }

    public void setOauth2BodyAuthentication(boolean oauth2BodyAuthentication) {
        this.oauth2BodyAuthentication = oauth2BodyAuthentication;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }

    public String getUnsubscribeAuthMethod() {
        return unsubscribeAuthMethod;
    }

    public void setUnsubscribeAuthMethod(String unsubscribeAuthMethod) {
        this.unsubscribeAuthMethod = unsubscribeAuthMethod;
    }

    public String getUnsubscribeAuthUsername() {
        return unsubscribeAuthUsername;
    }

    public void setUnsubscribeAuthUsername(String unsubscribeAuthUsername) {
        this.unsubscribeAuthUsername = unsubscribeAuthUsername;
    }

    public String getUnsubscribeAuthPassword() {
        return unsubscribeAuthPassword;
    }

    public void setUnsubscribeAuthPassword(String unsubscribeAuthPassword) {
        this.unsubscribeAuthPassword = unsubscribeAuthPassword;
    }

    public String getUnsubscribeAuthBearerToken() {
        return unsubscribeAuthBearerToken;
    }

    public void setUnsubscribeAuthBearerToken(String unsubscribeAuthBearerToken) {
        this.unsubscribeAuthBearerToken = unsubscribeAuthBearerToken;
    }

    public String getUnsubscribeAuthorization() {
        return unsubscribeAuthorization;
    }

    public void setUnsubscribeAuthorization(String unsubscribeAuthorization) {
        this.unsubscribeAuthorization = unsubscribeAuthorization;
    }

    public String getUnsubscribeOauth2ClientId() {
        return unsubscribeOauth2ClientId;
    }

    public void setUnsubscribeOauth2ClientId(String unsubscribeOauth2ClientId) {
        this.unsubscribeOauth2ClientId = unsubscribeOauth2ClientId;
    }

    public String getUnsubscribeOauth2ClientSecret() {
        return unsubscribeOauth2ClientSecret;
    }

    public void setUnsubscribeOauth2ClientSecret(String unsubscribeOauth2ClientSecret) {
        this.unsubscribeOauth2ClientSecret = unsubscribeOauth2ClientSecret;
    }

    public String getUnsubscribeOauth2TokenEndpoint() {
        return unsubscribeOauth2TokenEndpoint;
    }

    public void setUnsubscribeOauth2TokenEndpoint(String unsubscribeOauth2TokenEndpoint) {
        this.unsubscribeOauth2TokenEndpoint = unsubscribeOauth2TokenEndpoint;
    }

    public String getUnsubscribeOauth2Scope() {
        return unsubscribeOauth2Scope;
    }

    public void setUnsubscribeOauth2Scope(String unsubscribeOauth2Scope) {
        this.unsubscribeOauth2Scope = unsubscribeOauth2Scope;
    }

    public boolean isUnsubscribeOauth2CacheTokens() {
        return unsubscribeOauth2CacheTokens;
    }

    public void setUnsubscribeOauth2CacheTokens(boolean unsubscribeOauth2CacheTokens) {
        this.unsubscribeOauth2CacheTokens = unsubscribeOauth2CacheTokens;
    }

    public boolean isUnsubscribeOauth2BodyAuthentication() {
        return unsubscribeOauth2BodyAuthentication;
    }

    public void setUnsubscribeOauth2BodyAuthentication(boolean unsubscribeOauth2BodyAuthentication) {
        this.unsubscribeOauth2BodyAuthentication = unsubscribeOauth2BodyAuthentication;
    }

    public SSLContextParameters getUnsubscribeSslContextParameters() {
        return unsubscribeSslContextParameters;
    }

    public void setUnsubscribeSslContextParameters(SSLContextParameters unsubscribeSslContextParameters) {
        this.unsubscribeSslContextParameters = unsubscribeSslContextParameters;
    }
}
