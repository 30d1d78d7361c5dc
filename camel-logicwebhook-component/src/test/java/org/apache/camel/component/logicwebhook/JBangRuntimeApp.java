package org.apache.camel.component.logicwebhook;

import org.apache.camel.main.KameletMain;

/**
 * Camel JBang's runtime (what {@code camel run routes.yaml --dep=…} starts), in a JVM of its own: the routes of one YAML
 * file and nothing else, no HTTP server configured (JBang sets one up when platform-http is first created). Prints
 * STARTED, or FAILED with the reason, and runs until it is stopped.
 */
public final class JBangRuntimeApp {

    private JBangRuntimeApp() {
    }

    /** @param args the YAML file, the signing key */
    public static void main(String[] args) throws Exception {
        KameletMain main = new KameletMain("camel.jbang");
        main.setDownload(false);
        main.addInitialProperty("camel.component.logicwebhook.signingKey", args[1]);
        main.configure().withRoutesIncludePattern("file:" + args[0]);
        try {
            main.start();
        } catch (Throwable e) {
            StringBuilder reason = new StringBuilder("FAILED ").append(e);
            for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
                reason.append(" | caused by ").append(cause);
            }
            System.out.println(reason);
            System.exit(1);
        }
        System.out.println("STARTED");
        Runtime.getRuntime().addShutdownHook(new Thread(main::stop));
        Thread.currentThread().join();
    }
}
