package io.logicwebhook.karaf.probe;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServerConfiguration;
import org.apache.camel.impl.DefaultCamelContext;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * The probe: a bundle that, inside Karaf, starts a plain Camel context (no camel-karaf, no Blueprint) with a logicwebhook
 * trigger and a logicwebhook action, serves them on platform-http-vertx, and stops the context when the bundle stops.
 * The remote service's URL and the HTTP port come from framework properties that the test sets.
 */
public final class ProbeActivator implements BundleActivator {

    static final String FAKE_URL = "logicwebhook.it.fakeUrl";
    static final String HTTP_PORT = "logicwebhook.it.httpPort";

    private CamelContext camel;

    @Override
    public void start(BundleContext bundleContext) throws Exception {
        String fakeUrl = required(bundleContext, FAKE_URL);
        int port = Integer.parseInt(required(bundleContext, HTTP_PORT));

        CamelBundlesClassLoader classLoader = new CamelBundlesClassLoader(bundleContext);
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(classLoader);
        try {
            DefaultCamelContext context = new DefaultCamelContext();
            context.getCamelContextExtension().setName("logicwebhook-karaf-it");
            context.setApplicationContextClassLoader(classLoader);
            Properties properties = new Properties();
            properties.setProperty("fake.url", fakeUrl);
            properties.setProperty("callback.base", "http://127.0.0.1:" + port);
            context.getPropertiesComponent().setInitialProperties(properties);

            VertxPlatformHttpServerConfiguration server = new VertxPlatformHttpServerConfiguration();
            server.setBindHost("127.0.0.1");
            server.setBindPort(port);
            context.addService(new VertxPlatformHttpServer(server));
            context.addRoutes(new ProbeRoutes(bundleContext));
            context.start();
            camel = context;
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
    }

    private static String required(BundleContext bundleContext, String name) {
        String value = bundleContext.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("framework property " + name + " is not set");
        }
        return value;
    }

    @Override
    public void stop(BundleContext bundleContext) {
        if (camel != null) {
            // stops the trigger, which unsubscribes
            camel.stop();
            camel = null;
        }
    }
}
