package io.logicwebhook.karaf.probe;

import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.Route;
import org.apache.camel.spi.PropertyConfigurer;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * What the test asserts about the framework, one fact a line: every bundle's state; every package the component's bundle
 * imports and the bundle that provides it; the component's service descriptor read as camel-karaf's extender reads it
 * (Bundle.getEntryPaths, then Bundle.loadClass of its class); the bundle Camel loaded the component from; the routes.
 */
final class OsgiReport {

    static final String COMPONENT_BUNDLE = "io.logicwebhook.camel-logicwebhook";
    static final String DESCRIPTORS = "META-INF/services/org/apache/camel/";

    private final BundleContext bundleContext;
    private final CamelContext camel;
    private final List<String> lines = new ArrayList<>();

    OsgiReport(BundleContext bundleContext, CamelContext camel) {
        this.bundleContext = bundleContext;
        this.camel = camel;
    }

    String text() throws Exception {
        Bundle component = null;
        for (Bundle bundle : bundleContext.getBundles()) {
            boolean fragment = (bundle.adapt(BundleRevision.class).getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
            lines.add("bundle " + bundle.getSymbolicName() + " " + bundle.getVersion() + " " + state(bundle)
                      + (fragment ? " fragment" : ""));
            if (COMPONENT_BUNDLE.equals(bundle.getSymbolicName())) {
                component = bundle;
            }
        }
        if (component != null) {
            imports(component);
            // the two kinds of descriptor camel-karaf's extender publishes resolvers for, in a component's bundle
            descriptors(component, "component/", Component.class);
            descriptors(component, "configurer/", PropertyConfigurer.class);
        }
        Component resolved = camel.getComponent("logicwebhook");
        Bundle origin = FrameworkUtil.getBundle(resolved.getClass());
        lines.add("resolved logicwebhook " + resolved.getClass().getName() + " from "
                  + (origin == null ? "none" : origin.getSymbolicName()));
        for (Route route : camel.getRoutes()) {
            lines.add("route " + route.getRouteId() + " " + camel.getRouteController().getRouteStatus(route.getRouteId()));
        }
        return String.join("\n", lines) + "\n";
    }

    private void imports(Bundle component) {
        for (BundleWire wire : component.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            Bundle provider = wire.getProvider().getBundle();
            lines.add("import " + wire.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE) + " "
                      + wire.getCapability().getAttributes().get("version") + " from " + provider.getSymbolicName()
                      + " " + provider.getVersion());
        }
        // camel-karaf's extender only reads the descriptors of a bundle that sees the same org.apache.camel as it does
        lines.add("shares-org.apache.camel " + providerOf(component, "org.apache.camel")
                  .equals(providerOf(bundleContext.getBundle(), "org.apache.camel")));
    }

    private static String providerOf(Bundle bundle, String pkg) {
        for (BundleWire wire : bundle.adapt(BundleWiring.class).getRequiredWires(BundleRevision.PACKAGE_NAMESPACE)) {
            if (pkg.equals(wire.getCapability().getAttributes().get(BundleRevision.PACKAGE_NAMESPACE))) {
                return wire.getProvider().getBundle().getBundleId() + "";
            }
        }
        return "none:" + bundle.getBundleId();
    }

    private void descriptors(Bundle component, String kind, Class<?> expected) throws Exception {
        Enumeration<String> paths = component.getEntryPaths(DESCRIPTORS + kind);
        for (String path : paths == null ? Collections.<String> emptyList() : Collections.list(paths)) {
            Properties descriptor = new Properties();
            URL entry = component.getEntry(path);
            try (InputStream in = entry.openStream()) {
                descriptor.load(in);
            }
            Class<?> type = component.loadClass(descriptor.getProperty("class"));
            lines.add("descriptor " + path.substring(DESCRIPTORS.length()) + " " + type.getName() + " "
                      + expected.getSimpleName() + "=" + expected.isAssignableFrom(type));
        }
    }

    private static String state(Bundle bundle) {
        switch (bundle.getState()) {
            case Bundle.ACTIVE:
                return "ACTIVE";
            case Bundle.RESOLVED:
                return "RESOLVED";
            case Bundle.INSTALLED:
                return "INSTALLED";
            case Bundle.STARTING:
                return "STARTING";
            case Bundle.STOPPING:
                return "STOPPING";
            default:
                return "UNINSTALLED";
        }
    }
}
