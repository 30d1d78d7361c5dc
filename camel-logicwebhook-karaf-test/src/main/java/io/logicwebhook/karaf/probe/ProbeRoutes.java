package io.logicwebhook.karaf.probe;

import org.apache.camel.builder.RouteBuilder;
import org.osgi.framework.BundleContext;

/**
 * The trigger forwards each callback's body to the fake service (where the test sees it); the action is called over
 * platform-http and answers with the body of its callback; GET /it/osgi reports what the framework wired.
 */
final class ProbeRoutes extends RouteBuilder {

    private final BundleContext bundleContext;

    ProbeRoutes(BundleContext bundleContext) {
        this.bundleContext = bundleContext;
    }

    @Override
    public void configure() {
        from("logicwebhook:orders?subscribeUri={{fake.url}}/subscriptions"
             + "&unsubscribeUri=RAW({{fake.url}}/subscriptions/${variable.subscription[id]})"
             + "&callbackBaseUrl={{callback.base}}")
                .routeId("orders-trigger")
                .removeHeaders("*", "X-Event-Id")
                .to("{{fake.url}}/received");

        from("platform-http:/it/approve?httpMethodRestrict=POST")
                .routeId("approval-action")
                .to("logicwebhook:approval?subscribeUri={{fake.url}}/jobs"
                    + "&unsubscribeUri=RAW({{fake.url}}/jobs/${variable.subscription[id]})"
                    + "&callbackBaseUrl={{callback.base}}&timeout=PT20S");

        from("platform-http:/it/osgi?httpMethodRestrict=GET")
                .routeId("osgi-report")
                .process(exchange -> exchange.getMessage().setBody(
                        new OsgiReport(bundleContext, exchange.getContext()).text()));
    }
}
