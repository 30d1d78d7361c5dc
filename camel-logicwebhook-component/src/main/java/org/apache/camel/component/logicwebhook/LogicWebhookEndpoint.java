package org.apache.camel.component.logicwebhook;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.CallbackSigner;
import org.apache.camel.component.logicwebhook.callback.PayloadSignatureVerifier;
import org.apache.camel.component.logicwebhook.callback.SubscriptionHandshake;
import org.apache.camel.component.logicwebhook.observability.CallbackOutcome;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitOutcome;
import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.ObjectHelper;

/**
 * Subscribes a remote service with a signed callback URL served by platform-http: as a consumer for every callback (the
 * Logic Apps HTTP Webhook trigger), as a producer for one callback per exchange (the HTTP Webhook action).
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "logicwebhook", title = "Logic Apps HTTP Webhook",
             syntax = "logicwebhook:name", category = { Category.HTTP, Category.CLOUD },
             headersClass = LogicWebhookConstants.class)
@ManagedResource(description = "Logic Apps HTTP Webhook endpoint")
public class LogicWebhookEndpoint extends DefaultEndpoint {

    @UriPath(description = "Name of the trigger or action; it is part of the callback path and is sent to the service"
                           + " in the x-ms-workflow-operation-name header.")
    @Metadata(required = true)
    private String name;
    @UriParam
    private LogicWebhookConfiguration configuration;

    private volatile EndpointStatistics statistics;
    private volatile LogicWebhookConsumer trigger;
    private SubscriptionClient client;
    private PayloadSignatureVerifier payloadVerifier;

    public LogicWebhookEndpoint(String uri, LogicWebhookComponent component, LogicWebhookConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public LogicWebhookComponent getComponent() {
        return (LogicWebhookComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() throws Exception {
        return new LogicWebhookProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        LogicWebhookConsumer consumer = new LogicWebhookConsumer(this, processor);
        configureConsumer(consumer);
        trigger = consumer;
        return consumer;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        SubscriptionHandshake.validate(name, configuration);
        client = new SubscriptionClient(getCamelContext(), configuration, getStatistics(), getComponent().getClock(),
                getComponent().getDueTasks());
        ServiceHelper.startService(client);
        payloadVerifier = createPayloadVerifier();
    }

    private PayloadSignatureVerifier createPayloadVerifier() {
        String scheme = configuration.getPayloadSignature();
        if (scheme == null || "none".equals(scheme)) {
            return null;
        }
        if (ObjectHelper.isEmpty(configuration.getPayloadSecret())) {
            throw new IllegalArgumentException("logicwebhook:" + name + " has payloadSignature=" + scheme
                                               + " but no payloadSecret");
        }
        List<String> secrets = Arrays.stream(configuration.getPayloadSecret().split(",")).map(String::trim)
                .filter(secret -> !secret.isEmpty()).toList();
        PayloadSignatureVerifier.Scheme verification = switch (scheme) {
            case "standard-webhooks" -> PayloadSignatureVerifier.Scheme.STANDARD_WEBHOOKS;
            case "hub-signature-256" -> PayloadSignatureVerifier.Scheme.HUB_SIGNATURE_256;
            default -> throw new IllegalArgumentException("logicwebhook:" + name + " has an unknown payloadSignature "
                                                          + scheme + " (none, standard-webhooks, hub-signature-256)");
        };
        return PayloadSignatureVerifier.of(verification, secrets, getComponent().getClock());
    }

    /** The endpoint's payload signature check, or {@code null} when it asks for none. */
    PayloadSignatureVerifier getPayloadVerifier() {
        return payloadVerifier;
    }

    @Override
    protected void doStop() throws Exception {
        if (getCamelContext().isStopping() && getComponent().isRunAllowed()) {
            getComponent().stopWithComponent(client);
        } else {
            ServiceHelper.stopService(client);
        }
        super.doStop();
    }

    SubscriptionClient getClient() {
        return client;
    }

    /** The statistics of this endpoint's name, shared with any other endpoint of the same name. */
    EndpointStatistics getStatistics() {
        EndpointStatistics current = statistics;
        if (current == null) {
            current = getComponent().getStatistics().forName(name);
            statistics = current;
        }
        return current;
    }

    @ManagedAttribute(description = "Exchanges of this action waiting for their callback")
    public long getPendingWaits() {
        return getStatistics().pendingWaits();
    }

    @ManagedAttribute(description = "Waits that their callback completed")
    public long getWaitsCompleted() {
        return getStatistics().waits(WaitOutcome.COMPLETED);
    }

    @ManagedAttribute(description = "Waits that their failure callback failed")
    public long getWaitsFailed() {
        return getStatistics().waits(WaitOutcome.FAILED);
    }

    @ManagedAttribute(description = "Waits that timed out")
    public long getWaitsTimedOut() {
        return getStatistics().waits(WaitOutcome.TIMED_OUT);
    }

    @ManagedAttribute(description = "Waits cancelled by a stopping route or context")
    public long getWaitsCancelled() {
        return getStatistics().waits(WaitOutcome.CANCELLED);
    }

    @ManagedAttribute(description = "Waits handed over to the wait store by a stopping route or context")
    public long getWaitsHandedOver() {
        return getStatistics().waits(WaitOutcome.HANDED_OVER);
    }

    @ManagedAttribute(description = "Callbacks accepted (2xx)")
    public long getCallbacksAccepted() {
        return getStatistics().callbacks(CallbackOutcome.ACCEPTED);
    }

    @ManagedAttribute(description = "Callbacks rejected, for any reason")
    public long getCallbacksRejected() {
        return getStatistics().callbacksRejected();
    }

    @ManagedAttribute(description = "Callbacks rejected 400: the body is not valid JSON")
    public long getCallbacksRejectedInvalid() {
        return getStatistics().callbacks(CallbackOutcome.INVALID);
    }

    @ManagedAttribute(description = "Callbacks rejected 401: missing or wrong URL signature, or failed payload signature")
    public long getCallbacksRejectedUnauthorized() {
        return getStatistics().callbacks(CallbackOutcome.UNAUTHORIZED);
    }

    @ManagedAttribute(description = "Callbacks rejected 404: no such trigger or wait")
    public long getCallbacksRejectedUnknown() {
        return getStatistics().callbacks(CallbackOutcome.UNKNOWN);
    }

    @ManagedAttribute(description = "Callbacks rejected 405: a method not in callbackMethods")
    public long getCallbacksRejectedMethodNotAllowed() {
        return getStatistics().callbacks(CallbackOutcome.METHOD_NOT_ALLOWED);
    }

    @ManagedAttribute(description = "Callbacks rejected 409: already called back, or a replayed payload signature")
    public long getCallbacksRejectedDuplicate() {
        return getStatistics().callbacks(CallbackOutcome.DUPLICATE);
    }

    @ManagedAttribute(description = "Callbacks rejected 410: URL expired, or the wait timed out or was cancelled")
    public long getCallbacksRejectedGone() {
        return getStatistics().callbacks(CallbackOutcome.GONE);
    }

    @ManagedAttribute(description = "Callbacks rejected 413: body over maxBodySize")
    public long getCallbacksRejectedTooLarge() {
        return getStatistics().callbacks(CallbackOutcome.TOO_LARGE);
    }

    @ManagedAttribute(description = "Callbacks rejected 429: too busy")
    public long getCallbacksRejectedTooBusy() {
        return getStatistics().callbacks(CallbackOutcome.TOO_BUSY);
    }

    @ManagedAttribute(description = "Callbacks answered 500: the trigger's route failed (the sender retries)")
    public long getCallbacksRejectedFailed() {
        return getStatistics().callbacks(CallbackOutcome.FAILED);
    }

    @ManagedAttribute(description = "Callbacks answered 503: the trigger is suspended or stopping")
    public long getCallbacksRejectedUnavailable() {
        return getStatistics().callbacks(CallbackOutcome.UNAVAILABLE);
    }

    @ManagedAttribute(description = "Callbacks answered with any other status")
    public long getCallbacksRejectedOther() {
        return getStatistics().callbacks(CallbackOutcome.OTHER);
    }

    @ManagedAttribute(description = "Subscribe requests that failed after their retries")
    public long getSubscribeFailures() {
        return getStatistics().subscribeFailures();
    }

    @ManagedAttribute(description = "Unsubscribe requests that failed after their retries")
    public long getUnsubscribeFailures() {
        return getStatistics().unsubscribeFailures();
    }

    @ManagedAttribute(description = "The last subscribe or unsubscribe failure (no secret, no signed URL)")
    public String getLastError() {
        return getStatistics().lastError();
    }

    @ManagedAttribute(description = "When the last failure happened (ISO-8601), or null")
    public String getLastErrorTime() {
        long at = getStatistics().lastErrorAt();
        return at > 0 ? Instant.ofEpochMilli(at).toString() : null;
    }

    @ManagedAttribute(description = "The trigger's subscription state; null for an endpoint used only as an action")
    public String getSubscriptionState() {
        LogicWebhookConsumer consumer = trigger;
        return consumer != null ? consumer.getSubscriptionState().name() : null;
    }

    /**
     * The signed callback URL of a path below the base path ({@code NAME} or {@code NAME/ID…}).
     */
    String callbackUrl(String path) {
        String expires = null;
        String url = callbackPrefix(path) + "?";
        if (configuration.getCallbackUrlExpiry() > 0) {
            long now = getComponent().getClock().millis();
            expires = String.valueOf((now + configuration.getCallbackUrlExpiry()) / 1000);
            url += CallbackSigner.EXPIRY_PARAM + "=" + expires + "&";
        }
        return url + CallbackRequest.SIGNATURE_PARAM + "=" + getComponent().getSigner().sign(path, expires);
    }

    /** The callback URL without its signature: what logs may show. */
    String callbackPrefix(String path) {
        return baseUrl() + getComponent().getCallbackBasePath() + "/" + path;
    }

    /** Puts the callback URLs in exchange variables, where the subscribe and unsubscribe templates read them. */
    void setCallbackVariables(Exchange exchange, String id) {
        String path = id == null ? name : name + "/" + id;
        String callbackUrl = callbackUrl(path);
        exchange.setVariable(LogicWebhookConstants.VAR_CALLBACK_URL, callbackUrl);
        exchange.setVariable(LogicWebhookConstants.VAR_CALLBACK_URL_ENCODED,
                URLEncoder.encode(callbackUrl, StandardCharsets.UTF_8));
        if (id != null) {
            exchange.setVariable(LogicWebhookConstants.VAR_FAILURE_URL, callbackUrl(path + "/" + CallbackRequest.FAIL));
            exchange.setVariable(LogicWebhookConstants.VAR_HEARTBEAT_URL,
                    callbackUrl(path + "/" + CallbackRequest.HEARTBEAT));
        }
    }

    void removeTemplateVariables(Exchange exchange) {
        exchange.removeVariable(LogicWebhookConstants.VAR_CALLBACK_URL_ENCODED);
        exchange.removeVariable(LogicWebhookConstants.VAR_FAILURE_URL);
        exchange.removeVariable(LogicWebhookConstants.VAR_HEARTBEAT_URL);
    }

    private String baseUrl() {
        String base = configuration.getCallbackBaseUrl();
        if (ObjectHelper.isNotEmpty(base)) {
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        }
        PlatformHttpEngine engine = getCamelContext().getComponent("platform-http", PlatformHttpComponent.class).getEngine();
        int port = engine != null ? engine.getServerPort() : 0;
        if (port <= 0) {
            throw new IllegalStateException(
                    "logicwebhook:" + name + " cannot tell the URL that this application is reached at: set the"
                                            + " callbackBaseUrl option (e.g. https://myapp.example.com)");
        }
        return engine.getScheme() + "://localhost:" + port;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public LogicWebhookConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(LogicWebhookConfiguration configuration) {
        this.configuration = configuration;
    }
}
