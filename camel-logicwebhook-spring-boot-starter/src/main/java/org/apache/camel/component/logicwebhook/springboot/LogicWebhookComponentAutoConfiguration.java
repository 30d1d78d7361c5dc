package org.apache.camel.component.logicwebhook.springboot;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.PropertyBindingSupport;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Binds {@code camel.component.logicwebhook.*} onto the component, as Camel Main does and as each of Camel's own
 * starters does for its component. Binding happens when Camel creates the component, after the web server started, so
 * {@code callbackBaseUrl=http://localhost:${local.server.port}} resolves. The options are the component's, through its
 * generated configurer: an unknown property fails the start instead of being ignored.
 * <p>
 * In a servlet web application, the callback base path is served by a servlet of the starter's own
 * ({@link LogicWebhookCallbackServlet}), not by camel-platform-http; and the action's pending waits end before the web
 * server's graceful shutdown waits for the requests they hold ({@link StopWaitingBeforeGracefulShutdown}).
 */
@AutoConfiguration
@ConditionalOnClass(LogicWebhookComponent.class)
public class LogicWebhookComponentAutoConfiguration {

    static final String PREFIX = "camel.component.logicwebhook";
    static final String DEFAULT_BASE_PATH = "/logicwebhook";

    @Bean
    public ComponentCustomizer logicWebhookComponentProperties(Environment environment) {
        return ComponentCustomizer.builder(LogicWebhookComponent.class).build(component -> {
            Map<String, Object> properties = new HashMap<>(Binder.get(environment)
                    .bind(PREFIX, Bindable.mapOf(String.class, Object.class)).orElse(Map.of()));
            CamelContext context = component.getCamelContext();
            PropertyConfigurer configurer = PluginHelper.getConfigurerResolver(context)
                    .resolvePropertyConfigurer("logicwebhook-component", context);
            PropertyBindingSupport.build().withConfigurer(configurer).withIgnoreCase(true).withRemoveParameters(true)
                    .bind(context, component, properties);
            if (!properties.isEmpty()) {
                throw new IllegalArgumentException("Unknown " + PREFIX + " properties: " + properties.keySet());
            }
        });
    }

    @Bean
    public StopWaitingBeforeGracefulShutdown logicWebhookStopWaiting(ObjectProvider<CamelContext> camelContext) {
        return new StopWaitingBeforeGracefulShutdown(camelContext);
    }

    /**
     * The servlet is a bean of its own, so that Camel's registry (which sees Spring's beans) finds it as the
     * {@code CallbackServer}; its registration maps it under the callback base path, in front of the DispatcherServlet.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class CallbackServletConfiguration {

        @Bean
        public LogicWebhookCallbackServlet logicWebhookCallbackServlet(
                Environment environment, ObjectProvider<CamelContext> camelContext) {
            String basePath = Binder.get(environment).bind(PREFIX + ".callback-base-path", String.class)
                    .map(LogicWebhookComponentAutoConfiguration::normalizeBasePath).orElse(DEFAULT_BASE_PATH);
            return new LogicWebhookCallbackServlet(basePath, camelContext);
        }

        @Bean
        public ServletRegistrationBean<LogicWebhookCallbackServlet> logicWebhookCallbackServletRegistration(
                LogicWebhookCallbackServlet servlet) {
            ServletRegistrationBean<LogicWebhookCallbackServlet> registration
                    = new ServletRegistrationBean<>(servlet, servlet.getBasePath() + "/*");
            registration.setName("logicwebhookCallbacks");
            registration.setAsyncSupported(true);
            registration.setLoadOnStartup(1);
            return registration;
        }
    }

    /** As the component reads its callbackBasePath: a leading slash, no trailing one. */
    static String normalizeBasePath(String basePath) {
        String path = basePath.startsWith("/") ? basePath : "/" + basePath;
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
