package org.apache.camel.component.logicwebhook.springboot;

import java.util.HashMap;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.logicwebhook.LogicWebhookComponent;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spi.PropertyConfigurer;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.PropertyBindingSupport;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/**
 * Binds {@code camel.component.logicwebhook.*} onto the component, as Camel Main does and as each of Camel's own
 * starters does for its component. Binding happens when Camel creates the component, after the web server started, so
 * {@code callbackBaseUrl=http://localhost:${local.server.port}} resolves. The options are the component's, through its
 * generated configurer: an unknown property fails the start instead of being ignored.
 */
@AutoConfiguration
@ConditionalOnClass(LogicWebhookComponent.class)
public class LogicWebhookComponentAutoConfiguration {

    static final String PREFIX = "camel.component.logicwebhook";

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
}
