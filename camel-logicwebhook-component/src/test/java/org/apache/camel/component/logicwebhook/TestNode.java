package org.apache.camel.component.logicwebhook;

import java.util.function.Consumer;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A Camel context as the tests' applications (and nodes) have it: a Vert.x platform-http server on a loopback port, and
 * the component with the tests' signing key and that port as its callback base URL.
 */
final class TestNode {

    private TestNode() {
    }

    static CamelContext context(int port, Consumer<LogicWebhookComponent> configure) {
        CamelContext context = new DefaultCamelContext();
        VertxPlatformHttpServerConfiguration http = new VertxPlatformHttpServerConfiguration();
        http.setBindHost("127.0.0.1");
        http.setBindPort(port);
        try {
            context.addService(new VertxPlatformHttpServer(http));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        LogicWebhookComponent component = new LogicWebhookComponent();
        component.setSigningKey(LogicWebhookTestSupport.SIGNING_KEY);
        component.getConfiguration().setCallbackBaseUrl("http://127.0.0.1:" + port);
        configure.accept(component);
        context.addComponent("logicwebhook", component);
        return context;
    }
}
