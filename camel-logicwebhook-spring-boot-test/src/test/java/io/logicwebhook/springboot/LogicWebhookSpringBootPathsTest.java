package io.logicwebhook.springboot;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.servlet.Filter;

import org.apache.camel.Exchange;
import org.apache.camel.component.logicwebhook.FakeService;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.test.context.ContextConfiguration;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.callbackUrlOf;
import static io.logicwebhook.springboot.LogicWebhookTestApplication.TRIGGERED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where the starter's servlet serves callbacks: under {@code server.servlet.context-path} and the component's
 * {@code callbackBasePath}, but not under {@code spring.mvc.servlet.path} (which only platform-http's routes are
 * under). Behind a filter without async support, where it reads the body blocking instead. And behind Spring Security,
 * which cannot tell which servlet a pattern is for once the DispatcherServlet has a path of its own: patterns are then
 * paths in the application, with a {@code PathPatternRequestMatcher.Builder} bean, as the runtimes page says.
 */
@SpringBootTest(classes = {
        LogicWebhookTestApplication.class, LogicWebhookSpringBootPathsTest.NonAsyncFilter.class,
        LogicWebhookSpringBootPathsTest.Security.class },
                webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
                properties = {
                        // the test module's application.properties turns Spring Security's auto-configuration off
                        "spring.autoconfigure.exclude=",
                        "server.servlet.context-path=/app",
                        "spring.mvc.servlet.path=/api",
                        "camel.component.logicwebhook.callbackBasePath=/hooks",
                        "camel.component.logicwebhook.callbackBaseUrl=http://localhost:${local.server.port}/app" })
@ContextConfiguration(initializers = FakeServiceInitializer.CallingBack.class)
class LogicWebhookSpringBootPathsTest {

    /**
     * A filter without async support in front of the relay action's callbacks (with it in the chain, the container
     * refuses {@code startAsync}). Not a {@code @Configuration}: the application's component scan must not find it.
     */
    static class NonAsyncFilter {

        static final AtomicInteger PASSED = new AtomicInteger();
        static final AtomicInteger WENT_ASYNC = new AtomicInteger();

        @Bean
        FilterRegistrationBean<Filter> nonAsyncFilter() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                chain.doFilter(request, response);
                PASSED.incrementAndGet();
                if (request.isAsyncStarted()) {
                    WENT_ASYNC.incrementAndGet();
                }
            });
            registration.setAsyncSupported(false);
            registration.addUrlPatterns("/hooks/relay/*");
            return registration;
        }
    }

    /** The documented configuration. Not a {@code @Configuration}, as above. */
    static class Security {

        /** String patterns are paths in the application (below the context path), whichever servlet serves them. */
        @Bean
        PathPatternRequestMatcher.Builder pathPatterns() {
            return PathPatternRequestMatcher.withDefaults();
        }

        @Bean
        SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
            // the callbacks; the relay route; where the callbacks are not (to show that they are not), and the error
            // page its 404 goes to
            return LogicWebhookSpringBootSecurityTest.permitWithoutCsrf(http,
                    "/hooks/**", "/api/start", "/api/hooks/**", "/api/error");
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    FakeService service;

    @Test
    void callbacksAreServedUnderTheContextPathAndTheBasePathButNotUnderTheMvcServletPath() throws Exception {
        String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/subscriptions", 1).get(0));
        assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/app/hooks/orders?sig="), callbackUrl);
        assertEquals(202, service.post(callbackUrl, "{\"event\":\"paths\"}").statusCode());
        Exchange received = TRIGGERED.poll(10, TimeUnit.SECONDS);
        assertNotNull(received, "the trigger's route got no exchange");
        assertEquals("{\"event\":\"paths\"}", received.getMessage().getBody(String.class));

        // under spring.mvc.servlet.path, where platform-http's routes are, there is no callback path
        String underMvc = callbackUrl.replace("/app/hooks/", "/app/api/hooks/");
        assertEquals(404, service.post(underMvc, "{}").statusCode());
        // Spring Security guards the rest
        assertEquals(401, service.send("GET", "http://localhost:" + port + "/app/api/actuator/health", null).statusCode());
    }

    @Test
    void behindAFilterWithoutAsyncSupportTheBodyIsReadBlocking() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        // a platform-http route (under the MVC servlet path) that waits for the relay action's callback
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/app/api/start"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("request-paths")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(CallingBackService.PREFIX + "request-paths", response.body());

        String callbackUrl = callbackUrlOf(awaitRequests(service, "POST", "/relay", 1).get(0));
        assertTrue(callbackUrl.startsWith("http://localhost:" + port + "/app/hooks/relay/"), callbackUrl);
        // the callback went through the filter, and was answered without going asynchronous
        assertEquals(1, NonAsyncFilter.PASSED.get());
        assertEquals(0, NonAsyncFilter.WENT_ASYNC.get());
    }
}
