package org.apache.camel.component.logicwebhook.springboot;

import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * Ends the action's pending waits before the web server's graceful shutdown waits for the requests in flight. Spring
 * stops lifecycle beans in descending phase order: the web server's graceful shutdown
 * ({@link WebServerGracefulShutdownLifecycle#SMART_LIFECYCLE_PHASE}), the web server, and only then Camel. A
 * platform-http request whose route waits for an action's callback would hold the graceful shutdown until the action
 * timed out (or the shutdown phase did), and the component's own cancel on Camel's stop comes too late. Stopping one
 * phase before the graceful shutdown, the waits end at once (cancelled and unsubscribed; with a durable wait store,
 * those of an action with a resumeUri handed over), so every waiting request gets its answer, and the component takes
 * no new wait meanwhile.
 */
public class StopWaitingBeforeGracefulShutdown implements SmartLifecycle {

    /** One phase before the web server's graceful shutdown: stopped just before it. */
    public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE + 1;

    private final ObjectProvider<CamelContext> camelContexts;
    private volatile boolean running;

    public StopWaitingBeforeGracefulShutdown(ObjectProvider<CamelContext> camelContexts) {
        this.camelContexts = camelContexts;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        CamelContext context = camelContexts.getIfAvailable();
        if (context == null) {
            return;
        }
        for (String name : context.getComponentNames()) {
            if (context.hasComponent(name) instanceof LogicWebhookComponent component) {
                component.stopWaiting("the application is stopping");
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
