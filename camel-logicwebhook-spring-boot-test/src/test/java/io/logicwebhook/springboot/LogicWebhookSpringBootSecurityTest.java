package io.logicwebhook.springboot;

import java.net.http.HttpResponse;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.logicwebhook.FakeService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.test.context.ContextConfiguration;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.callbackUrlOf;
import static io.logicwebhook.springboot.LogicWebhookTestApplication.TRIGGERED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * The callback path behind Spring Security, configured as the runtimes page says: callbacks authenticate by their
 * signed URL, so their path is permitted and left out of CSRF protection; everything else needs a login.
 */
@SpringBootTest(classes = { LogicWebhookTestApplication.class, LogicWebhookSpringBootSecurityTest.Security.class },
                webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                // the test module's application.properties turns Spring Security's auto-configuration off
                properties = "spring.autoconfigure.exclude=")
@ContextConfiguration(initializers = FakeServiceInitializer.class)
class LogicWebhookSpringBootSecurityTest {

    /** The documented configuration. Not a {@code @Configuration}: the application's component scan must not find it. */
    static class Security {

        @Bean
        SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
            return permitWithoutCsrf(http, "/logicwebhook/**");
        }
    }

    /** Callbacks authenticate by their signed URL: their paths are permitted, without CSRF; the rest needs a login. */
    static SecurityFilterChain permitWithoutCsrf(HttpSecurity http, String... paths) throws Exception {
        http.authorizeHttpRequests(requests -> requests
                .requestMatchers(paths).permitAll()
                .anyRequest().authenticated())
                .csrf(csrf -> csrf.ignoringRequestMatchers(paths))
                .httpBasic(Customizer.withDefaults());
        return http.build();
    }

    @LocalServerPort
    int port;
    @Autowired
    ProducerTemplate template;
    @Autowired
    FakeService service;

    @Test
    void callbacksPassSpringSecurityAndEverythingElseNeedsALogin() throws Exception {
        String triggerUrl = callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
        assertEquals(202, service.post(triggerUrl, "{\"event\":\"secured\"}").statusCode());
        Exchange received = TRIGGERED.poll(10, TimeUnit.SECONDS);
        assertNotNull(received, "the trigger's route got no exchange");
        assertEquals("{\"event\":\"secured\"}", received.getMessage().getBody(String.class));
        // the component still refuses a forged signature itself
        String forged = triggerUrl.substring(0, triggerUrl.indexOf("?sig=")) + "?sig=forged";
        HttpResponse<String> refused = service.post(forged, "{}");
        assertEquals(401, refused.statusCode());
        assertEquals("missing or invalid signature", refused.body());
        assertNull(TRIGGERED.poll(200, TimeUnit.MILLISECONDS));

        Future<Exchange> pending = template.asyncSend("direct:approve", e -> e.getMessage().setBody("order-secured"));
        String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/jobs", 1).get(0));
        assertEquals(200, service.post(callbackUrl, "{\"approved\":true}").statusCode());
        assertEquals("{\"approved\":true}", pending.get(10, TimeUnit.SECONDS).getMessage().getBody(String.class));

        // the application's own endpoints are protected
        assertEquals(401, service.post("http://localhost:" + port + "/start", "request").statusCode());
    }
}
