package io.logicwebhook.quarkus;

import io.quarkus.vertx.http.HttpServerStart;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;

/**
 * Starts the trigger when Quarkus' HTTP server listens, so that its service may call the callback URL before it answers
 * the subscribe request: what an application on Quarkus does when its service calls back that early. Quarkus fires
 * {@link HttpServerStart} asynchronously.
 */
@ApplicationScoped
public class StartTriggersAfterHttpServer {

    @Inject
    CamelContext camelContext;

    void onHttpServerStart(@ObservesAsync HttpServerStart event) throws Exception {
        // the route is only in the StartAfterHttpServerProfile application
        if (camelContext.getRoute(StartAfterHttpServerRoutes.TRIGGER) != null) {
            camelContext.getRouteController().startRoute(StartAfterHttpServerRoutes.TRIGGER);
        }
    }
}
