package io.logicwebhook.karaf.probe;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * Stands in for camel-karaf's OSGi resolvers (camel-core-osgi), which this test does not have: Camel's own FactoryFinder
 * reads META-INF/services/org/apache/camel/... through this loader, which asks every bundle that ships such a
 * descriptor, as camel-karaf's extender scans every bundle for them. Each class is still loaded by its own bundle, so
 * what it needs is wired by the framework from the bundles' Import-Package headers.
 */
final class CamelBundlesClassLoader extends ClassLoader {

    static final String CAMEL_SERVICES = "META-INF/services/org/apache/camel";

    private final List<Bundle> bundles = new ArrayList<>();

    CamelBundlesClassLoader(BundleContext context) {
        super(CamelBundlesClassLoader.class.getClassLoader());
        for (Bundle bundle : context.getBundles()) {
            if (bundle.findEntries(CAMEL_SERVICES, "*", false) != null) {
                bundles.add(bundle);
            }
        }
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        for (Bundle bundle : bundles) {
            try {
                return bundle.loadClass(name);
            } catch (ClassNotFoundException e) {
                // not this bundle's
            }
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
        for (Bundle bundle : bundles) {
            URL url = bundle.getResource(name);
            if (url != null) {
                return url;
            }
        }
        return null;
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        List<URL> all = new ArrayList<>();
        for (Bundle bundle : bundles) {
            Enumeration<URL> urls = bundle.getResources(name);
            if (urls != null) {
                all.addAll(Collections.list(urls));
            }
        }
        return Collections.enumeration(all);
    }
}
