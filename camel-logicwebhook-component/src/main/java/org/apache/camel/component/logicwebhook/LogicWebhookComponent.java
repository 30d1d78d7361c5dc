package org.apache.camel.component.logicwebhook;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.component.logicwebhook.callback.CallbackDispatcher;
import org.apache.camel.component.logicwebhook.callback.CallbackRequest;
import org.apache.camel.component.logicwebhook.callback.CallbackSigner;
import org.apache.camel.component.logicwebhook.observability.CallbackOutcome;
import org.apache.camel.component.logicwebhook.observability.ComponentStatistics;
import org.apache.camel.component.logicwebhook.observability.EndpointStatistics;
import org.apache.camel.component.logicwebhook.observability.LogicWebhookMeters;
import org.apache.camel.component.logicwebhook.observability.LogicWebhookStoreHealthCheck;
import org.apache.camel.component.logicwebhook.observability.StoreStatistics;
import org.apache.camel.component.logicwebhook.observability.WaitStatus;
import org.apache.camel.component.logicwebhook.observability.WaitsStatus;
import org.apache.camel.component.logicwebhook.store.EmbeddedH2;
import org.apache.camel.component.logicwebhook.store.InMemoryWaitStore;
import org.apache.camel.component.logicwebhook.store.JdbcWaitStore;
import org.apache.camel.component.logicwebhook.store.WaitStore;
import org.apache.camel.component.logicwebhook.subscription.DueTasks;
import org.apache.camel.component.logicwebhook.subscription.SubscriptionClient;
import org.apache.camel.component.logicwebhook.wait.Recovery;
import org.apache.camel.component.logicwebhook.wait.WaitRegistry;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.HealthCheckComponent;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.util.ObjectHelper;
import org.apache.camel.util.PropertiesHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Logic Apps HTTP Webhook trigger ({@code from("logicwebhook:NAME?…")}) and action ({@code to("logicwebhook:NAME?…")}).
 * Holds what all endpoints share: the defaults, the signing key, the callback dispatcher and the action's wait registry.
 */
@Component("logicwebhook")
@ManagedResource(description = "Logic Apps HTTP Webhook component")
public class LogicWebhookComponent extends HealthCheckComponent implements WaitsStatus {

    private static final Logger LOG = LoggerFactory.getLogger(LogicWebhookComponent.class);

    @Metadata(label = "advanced", description = "The defaults of every logicwebhook endpoint.")
    private LogicWebhookConfiguration configuration = new LogicWebhookConfiguration();
    @Metadata(label = "security", secret = true,
              description = "Key of the HMAC-SHA256 signature on callback URLs (at least 16 characters; use 32 or more"
                            + " random ones). When not set, a random key is generated at start, so callback URLs change"
                            + " with every restart.")
    private String signingKey;
    @Metadata(label = "security", secret = true,
              description = "A second key that callback URLs may be signed with (it verifies, never signs): during a key"
                            + " rotation, the previous signingKey, so that URLs handed out before it stay valid.")
    private String secondarySigningKey;
    @Metadata(defaultValue = "1048576",
              description = "The largest callback body accepted, in bytes; a larger one is answered 413. The HTTP server"
                            + " may have a lower limit of its own (Camel Main: camel.server.maxBodySize).")
    private long maxBodySize = 1_048_576;
    @Metadata(defaultValue = "/logicwebhook",
              description = "The path under which platform-http serves every callback of this component.")
    private String callbackBasePath = "/logicwebhook";
    @Metadata(label = "advanced", defaultValue = "30s", javaType = "java.time.Duration",
              description = "How long a sender may take to send a callback's body once its request was accepted; a"
                            + " sender that stalls longer is answered 408. A slow sender holds no thread meanwhile.")
    private long callbackBodyTimeout = 30_000;
    @Metadata(label = "advanced", defaultValue = "10000",
              description = "How many finished waits the action remembers, so that a late or repeated callback is"
                            + " answered 409 or 410 rather than 404.")
    private int finishedWaitsCapacity = 10_000;
    @Metadata(label = "advanced", defaultValue = "250", javaType = "java.time.Duration",
              description = "How often the action looks for waits past their timeout.")
    private long timeoutCheckInterval = 250;
    @Metadata(label = "advanced", defaultValue = "10",
              description = "Threads that resume, time out and unsubscribe the action's waits. A wait holds no thread.")
    private int workerPoolSize = 10;

    @Metadata(label = "advanced",
              description = "A wait store of your own, implementing the WaitStore SPI. Takes precedence over"
                            + " waitStoreDataSource and waitStoreUrl.")
    private WaitStore waitStore;
    @Metadata(label = "advanced",
              description = "Keep the action's waits in this database (a pooled DataSource: PostgreSQL for several"
                            + " nodes), so that they survive a redeploy or a crash; the tables are created when missing."
                            + " Not set (and no waitStoreUrl): waits live in memory only.")
    private DataSource waitStoreDataSource;
    @Metadata(description = "Keep the action's waits in the embedded H2 database at this JDBC URL, e.g."
                            + " jdbc:h2:file:./data/logicwebhook (add com.h2database:h2), so that they survive a redeploy"
                            + " or a crash of this one application. Not set (and no waitStoreDataSource): waits live in"
                            + " memory only.")
    private String waitStoreUrl;
    @Metadata(label = "advanced", defaultValue = "5s", javaType = "java.time.Duration",
              description = "With a durable wait store: how often this application says it is alive in the store, and"
                            + " looks for orphaned waits (whose exchange is gone) to time out or deliver.")
    private long waitStoreHeartbeatInterval = 5_000;
    @Metadata(label = "advanced", defaultValue = "30s", javaType = "java.time.Duration",
              description = "With a durable wait store shared by several nodes: a node not heard of for this long is"
                            + " taken for gone, and its waits are adopted by the others.")
    private long waitStoreNodeTimeout = 30_000;
    @Metadata(label = "advanced", defaultValue = "7d", javaType = "java.time.Duration",
              description = "With a durable wait store: how long finished waits are kept, so that a late or repeated"
                            + " callback is answered 409 or 410 rather than 404.")
    private long finishedWaitsRetention = 7L * 86_400_000;
    @Metadata(label = "advanced", defaultValue = "65536",
              description = "The largest snapshot of an exchange (JSON bytes) that a wait keeps for its resumeUri; an"
                            + " action whose snapshot is larger fails before it subscribes.")
    private long maxSnapshotSize = 65_536;

    private Clock clock = Clock.systemUTC();
    private CallbackSigner signer;
    private CallbackDispatcher dispatcher;
    /** Set by {@link #stopWaiting}: the reason no new wait is taken. */
    private volatile String noNewWaits;
    private WaitRegistry waitRegistry;
    private final DueTasks dueTasks = new DueTasks();
    private EventNotifierSupport stoppingListener;
    private final List<SubscriptionClient> clientsToStop = new CopyOnWriteArrayList<>();
    private final ComponentStatistics statistics = new ComponentStatistics();
    /** The names of the endpoints created: a trigger's callback for one of them whose trigger does not run is 503. */
    private final Set<String> endpointNames = ConcurrentHashMap.newKeySet();
    private volatile StoreStatistics storeStatistics = new StoreStatistics();

    /**
     * Option names Camel does not know as secrets: masked too wherever Camel logs configuration (Camel Main's summary).
     * Camel looks a name up as a substring of this list, so each name here masks every name inside it too: no username
     * (a part such as "name" would mask unrelated options).
     */
    private static final String SENSITIVE_OPTIONS
            = "signingkey,secondarysigningkey,payloadsecret,authorization,authpassword,authbearertoken,oauth2clientsecret,"
              + "unsubscribeauthorization,unsubscribeauthpassword,unsubscribeauthbearertoken,unsubscribeoauth2clientsecret";

    @Override
    public void setCamelContext(CamelContext context) {
        super.setCamelContext(context);
        String known = context.getCamelContextExtension().getAdditionalSensitiveKeywords();
        if (known == null || !known.contains(SENSITIVE_OPTIONS)) {
            context.getCamelContextExtension().setAdditionalSensitiveKeywords(
                    known == null || known.isEmpty() ? SENSITIVE_OPTIONS : known + "," + SENSITIVE_OPTIONS);
        }
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!CallbackRequest.SEGMENT.matcher(remaining).matches()) {
            throw new IllegalArgumentException(
                    "logicwebhook:NAME needs a NAME of letters, digits, '.', '_', '~' or '-' (it is part of the callback"
                                               + " path), but got '" + remaining + "'");
        }
        LogicWebhookConfiguration config = configuration.copy();
        Map<String, Object> subscribeHeaders = PropertiesHelper.extractProperties(parameters, "subscribeHeader.");
        if (!subscribeHeaders.isEmpty()) {
            config.setSubscribeHeaders(subscribeHeaders);
        }
        Map<String, Object> unsubscribeHeaders = PropertiesHelper.extractProperties(parameters, "unsubscribeHeader.");
        if (!unsubscribeHeaders.isEmpty()) {
            config.setUnsubscribeHeaders(unsubscribeHeaders);
        }
        LogicWebhookEndpoint endpoint = new LogicWebhookEndpoint(uri, this, config);
        endpoint.setName(remaining);
        endpointNames.add(remaining);
        setProperties(endpoint, parameters);
        if (ObjectHelper.isEmpty(config.getSubscribeUri())) {
            throw new IllegalArgumentException("logicwebhook:" + remaining + " needs the subscribeUri option");
        }
        return endpoint;
    }

    /**
     * Resolves platform-http while the context initializes: Camel JBang sets its HTTP server up when the component is
     * first created, and cannot once the context is starting ("Circular dependency detected").
     */
    @Override
    protected void doInit() throws Exception {
        super.doInit();
        try {
            getCamelContext().getComponent("platform-http");
        } catch (RuntimeException e) {
            LOG.debug("platform-http could not be resolved yet: {}", e.getMessage());
        }
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        noNewWaits = null;
        List<byte[]> keys = new ArrayList<>();
        keys.add(signingKey());
        if (ObjectHelper.isNotEmpty(secondarySigningKey)) {
            keys.add(secondarySigningKey.getBytes(StandardCharsets.UTF_8));
        }
        signer = new CallbackSigner(keys);
        WaitStore store = createWaitStore();
        Recovery recovery = new Recovery(waitStoreHeartbeatInterval, waitStoreNodeTimeout, finishedWaitsRetention);
        storeStatistics = new StoreStatistics();
        waitRegistry = new WaitRegistry(getCamelContext(), clock, dueTasks, store, recovery, storeStatistics,
                timeoutCheckInterval, workerPoolSize);
        dispatcher = new CallbackDispatcher(getCamelContext(), callbackBasePath, maxBodySize, callbackBodyTimeout, signer,
                clock, new ActionCallbacks(waitRegistry), waitRegistry::execute, statistics, endpointNames::contains);
        ServiceHelper.startService(waitRegistry, dispatcher);
        stoppingListener = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent) {
                    // an HTTP server that a plain service runs is up by now, if it was not when the routes started
                    dispatcher.serveIfReady();
                    return;
                }
                // graceful shutdown would otherwise wait for every pending wait, up to its 45 s timeout
                waitRegistry.cancel(null, "the Camel context is stopping");
                // and a trigger's start, for its next retry
                waitRegistry.abandonScheduled();
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent
                        || event instanceof CamelEvent.CamelContextStartedEvent;
            }
        };
        getCamelContext().getManagementStrategy().addEventNotifier(stoppingListener);
        ServiceHelper.startService(stoppingListener);
        // the callback path is live from the moment the context has started (the HTTP server is up by then), whether
        // or not a wait exists yet: an old callback URL after a restart gets the component's answer, not the engine's
        getCamelContext().addStartupListener((context, alreadyStarted) -> dispatcher.serveIfReady());
        registerStoreHealthCheck();
        bindMeters();
    }

    /** The store the options name: a WaitStore, a DataSource, an embedded H2 URL, or memory. */
    private WaitStore createWaitStore() {
        if (waitStore != null) {
            return waitStore;
        }
        if (waitStoreDataSource != null) {
            return new JdbcWaitStore(waitStoreDataSource);
        }
        if (ObjectHelper.isNotEmpty(waitStoreUrl)) {
            DataSource embedded = EmbeddedH2.dataSource(waitStoreUrl);
            return new JdbcWaitStore(embedded, () -> EmbeddedH2.close(embedded));
        }
        return new InMemoryWaitStore(finishedWaitsCapacity);
    }

    /** With a durable store, its readiness joins the application's health checks (when it has a registry). */
    private void registerStoreHealthCheck() {
        HealthCheckRegistry health = HealthCheckRegistry.get(getCamelContext());
        if (storeStatistics.isDurable() && health != null && health.getCheck(LogicWebhookStoreHealthCheck.ID).isEmpty()) {
            health.register(new LogicWebhookStoreHealthCheck(() -> storeStatistics));
        }
    }

    /** Micrometer is optional: its classes are loaded only when it is there, and only by {@link LogicWebhookMeters}. */
    private void bindMeters() {
        try {
            Class.forName("io.micrometer.core.instrument.MeterRegistry", false, getClass().getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return;
        }
        ComponentStatistics.Meters meters = LogicWebhookMeters.of(getCamelContext(), storeStatistics);
        if (meters != null) {
            statistics.bindMeters(meters);
            LOG.debug("logicwebhook meters are bound to the application's Micrometer registry");
        }
    }

    @Override
    protected void doStop() throws Exception {
        getCamelContext().getManagementStrategy().removeEventNotifier(stoppingListener);
        if (waitRegistry != null) {
            waitRegistry.cancel(null, "the logicwebhook component is stopping");
        }
        // the worker pool drains (bounded) while the HTTP clients of the queued unsubscribes are still open
        ServiceHelper.stopService(stoppingListener, dispatcher, waitRegistry);
        ServiceHelper.stopService(clientsToStop);
        clientsToStop.clear();
        statistics.unbindMeters();
        super.doStop();
    }

    /**
     * An endpoint stopping with the context hands its subscription client over, so that the unsubscribes that the
     * cancelled waits queued can still be sent; the component stops it once its worker pool drained.
     */
    void stopWithComponent(SubscriptionClient client) {
        clientsToStop.add(client);
    }

    private byte[] signingKey() {
        if (ObjectHelper.isNotEmpty(signingKey)) {
            return signingKey.getBytes(StandardCharsets.UTF_8);
        }
        LOG.warn("No signingKey is configured for the logicwebhook component: a random key was generated, so callback"
                 + " URLs handed out now stop working when the application restarts. Set camel.component.logicwebhook"
                 + ".signingKey to keep them valid.");
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return key;
    }

    CallbackSigner getSigner() {
        return signer;
    }

    /** Internal: the callback dispatcher, for a runtime that serves the callback path itself (the Spring Boot starter). */
    public CallbackDispatcher getDispatcher() {
        return dispatcher;
    }

    /**
     * Internal: ends every pending wait now (with a durable store, one of an action with a resumeUri: hands it over),
     * before a web server's graceful shutdown waits for the requests that these waits hold (the Spring Boot starter
     * calls it); and takes no new wait, nor adopts an orphan, until the component starts again, so that a request
     * queued behind the ended ones does not start another.
     */
    public void stopWaiting(String reason) {
        noNewWaits = reason;
        WaitRegistry registry = waitRegistry;
        if (registry != null) {
            registry.stopWaiting(reason);
        }
    }

    /** Why the component takes no new wait ({@link #stopWaiting} was called), or {@code null}. */
    String noNewWaits() {
        return noNewWaits;
    }

    WaitRegistry getWaitRegistry() {
        return waitRegistry;
    }

    ComponentStatistics getStatistics() {
        return statistics;
    }

    /** Where retries and renewals wait for their time on the component's clock. */
    DueTasks getDueTasks() {
        return dueTasks;
    }

    @Override
    public long now() {
        return clock.millis();
    }

    @Override
    public String waitStoreSummary() {
        return storeStatistics.summary();
    }

    @Override
    public Iterable<? extends WaitStatus> pendingWaits() {
        WaitRegistry registry = waitRegistry;
        return registry != null ? registry.pending() : List.of();
    }

    @ManagedAttribute(description = "Exchanges of all logicwebhook actions waiting for their callback")
    public int getPendingWaits() {
        WaitRegistry registry = waitRegistry;
        return registry != null ? registry.size() : 0;
    }

    @ManagedAttribute(description = "Callbacks accepted, by all endpoints")
    public long getCallbacksAccepted() {
        long accepted = 0;
        for (EndpointStatistics endpoint : statistics.named()) {
            accepted += endpoint.callbacks(CallbackOutcome.ACCEPTED);
        }
        return accepted;
    }

    @ManagedAttribute(description = "Callbacks rejected, by all endpoints and those that named no known endpoint")
    public long getCallbacksRejected() {
        long rejected = statistics.unattributed().callbacksRejected();
        for (EndpointStatistics endpoint : statistics.named()) {
            rejected += endpoint.callbacksRejected();
        }
        return rejected;
    }

    @ManagedAttribute(description = "The wait store: in memory, or a durable store's state and its waits by state (as of"
                                    + " its last heartbeat)")
    public String getWaitStoreSummary() {
        return storeStatistics.summary();
    }

    @ManagedAttribute(description = "Waits a durable wait store holds that nothing has finished yet (as of its last"
                                    + " heartbeat), those of other nodes and orphans included; 0 in memory")
    public long getStoredWaitsPending() {
        return storeStatistics.waits(WaitStore.PENDING);
    }

    @ManagedAttribute(description = "Callbacks rejected whose path named no known endpoint (unknown paths, guesses)")
    public long getCallbacksUnattributed() {
        return statistics.unattributed().callbacksRejected();
    }

    public LogicWebhookConfiguration getConfiguration() {
        return configuration;
    }

    public void setConfiguration(LogicWebhookConfiguration configuration) {
        this.configuration = configuration;
    }

    public String getSigningKey() {
        return signingKey;
    }

    public void setSigningKey(String signingKey) {
        this.signingKey = signingKey;
    }

    public String getSecondarySigningKey() {
        return secondarySigningKey;
    }

    public void setSecondarySigningKey(String secondarySigningKey) {
        this.secondarySigningKey = secondarySigningKey;
    }

    public long getMaxBodySize() {
        return maxBodySize;
    }

    public void setMaxBodySize(long maxBodySize) {
        this.maxBodySize = maxBodySize;
    }

    public String getCallbackBasePath() {
        return callbackBasePath;
    }

    public void setCallbackBasePath(String callbackBasePath) {
        String path = callbackBasePath.startsWith("/") ? callbackBasePath : "/" + callbackBasePath;
        this.callbackBasePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    public long getCallbackBodyTimeout() {
        return callbackBodyTimeout;
    }

    public void setCallbackBodyTimeout(long callbackBodyTimeout) {
        this.callbackBodyTimeout = callbackBodyTimeout;
    }

    public int getFinishedWaitsCapacity() {
        return finishedWaitsCapacity;
    }

    public void setFinishedWaitsCapacity(int finishedWaitsCapacity) {
        this.finishedWaitsCapacity = finishedWaitsCapacity;
    }

    public long getTimeoutCheckInterval() {
        return timeoutCheckInterval;
    }

    public void setTimeoutCheckInterval(long timeoutCheckInterval) {
        this.timeoutCheckInterval = timeoutCheckInterval;
    }

    public int getWorkerPoolSize() {
        return workerPoolSize;
    }

    public void setWorkerPoolSize(int workerPoolSize) {
        this.workerPoolSize = workerPoolSize;
    }

    public WaitStore getWaitStore() {
        return waitStore;
    }

    public void setWaitStore(WaitStore waitStore) {
        this.waitStore = waitStore;
    }

    public DataSource getWaitStoreDataSource() {
        return waitStoreDataSource;
    }

    public void setWaitStoreDataSource(DataSource waitStoreDataSource) {
        this.waitStoreDataSource = waitStoreDataSource;
    }

    public String getWaitStoreUrl() {
        return waitStoreUrl;
    }

    public void setWaitStoreUrl(String waitStoreUrl) {
        this.waitStoreUrl = waitStoreUrl;
    }

    public long getWaitStoreHeartbeatInterval() {
        return waitStoreHeartbeatInterval;
    }

    public void setWaitStoreHeartbeatInterval(long waitStoreHeartbeatInterval) {
        this.waitStoreHeartbeatInterval = waitStoreHeartbeatInterval;
    }

    public long getWaitStoreNodeTimeout() {
        return waitStoreNodeTimeout;
    }

    public void setWaitStoreNodeTimeout(long waitStoreNodeTimeout) {
        this.waitStoreNodeTimeout = waitStoreNodeTimeout;
    }

    public long getFinishedWaitsRetention() {
        return finishedWaitsRetention;
    }

    public void setFinishedWaitsRetention(long finishedWaitsRetention) {
        this.finishedWaitsRetention = finishedWaitsRetention;
    }

    public long getMaxSnapshotSize() {
        return maxSnapshotSize;
    }

    public void setMaxSnapshotSize(long maxSnapshotSize) {
        this.maxSnapshotSize = maxSnapshotSize;
    }

    /** The clock that timeouts are measured with; tests set one they can move. */
    public Clock getClock() {
        return clock;
    }

    public void setClock(Clock clock) {
        this.clock = clock;
        if (waitRegistry != null) {
            waitRegistry.setClock(clock);
        }
    }
}
