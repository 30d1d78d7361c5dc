package io.logicwebhook.springboot;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.apache.camel.component.logicwebhook.FakeService;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static io.logicwebhook.springboot.LogicWebhookSpringBootTest.awaitRequests;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A thousand HTTP requests in flight at once, each waiting behind a platform-http route for an action's callback, on
 * Spring Boot's default settings: Spring's task executor runs platform-http's exchanges on 8 threads, and each waiting
 * exchange holds one. The callbacks come through the starter's servlet, not through that executor, so every request
 * resumes with its own callback and nothing locks up (through platform-http, the 9th request's callback would wait
 * behind the 8 held threads, and each of those for its own callback).
 */
class LogicWebhookSpringBootManyWaitsTest {

    private static final int REQUESTS = 1000;

    @Test
    void aThousandRequestsWaitingBehindPlatformHttpEachResumeWithTheirOwnCallback() throws Exception {
        try (FakeService service = new FakeService()) {
            CallingBackService callingBack = CallingBackService.on(service);
            ConfigurableApplicationContext application = new SpringApplicationBuilder(LogicWebhookTestApplication.class)
                    .properties("server.port=0", "fake.url=" + service.url())
                    // a thousand waits would log a few lines each
                    .run("--logging.level.org.apache.camel.component.logicwebhook=INFO");
            try {
                int port = Integer.parseInt(application.getEnvironment().getRequiredProperty("local.server.port"));
                // HTTP/1.1: one connection per request in flight
                HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(30)).build();
                long start = System.nanoTime();
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < REQUESTS; i++) {
                    responses.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/start"))
                            .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("request-" + i))
                            .build(), HttpResponse.BodyHandlers.ofString()));
                }
                CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

                for (int i = 0; i < REQUESTS; i++) {
                    HttpResponse<String> response = responses.get(i).get();
                    assertEquals(200, response.statusCode(), "request " + i + ": " + response.body());
                    assertEquals(CallingBackService.PREFIX + "request-" + i, response.body(), "request " + i);
                }
                assertEquals(REQUESTS, service.requests("POST", "/relay").size());
                assertEquals(REQUESTS, callingBack.callbacks().size());
                for (CompletableFuture<HttpResponse<String>> callback : callingBack.callbacks()) {
                    assertEquals(200, callback.get(10, TimeUnit.SECONDS).statusCode());
                }
                // every wait ended with its callback: each subscription is deleted
                awaitRequests(service, "DELETE", "/relay/", REQUESTS);
                System.out.printf("%d requests waiting behind platform-http, each resumed by its callback, in %d ms%n",
                        REQUESTS, tookMillis);
                assertTrue(tookMillis < 60_000, tookMillis + " ms");
            } finally {
                application.close();
            }
        }
    }
}
