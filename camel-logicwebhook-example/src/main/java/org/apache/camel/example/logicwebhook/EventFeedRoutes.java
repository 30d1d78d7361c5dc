package org.apache.camel.example.logicwebhook;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;

/**
 * A demo event feed, the kind of service that the logicwebhook trigger subscribes to:
 * <ul>
 * <li>{@code POST /demo/feed/subscriptions} with {@code {"callbackUrl": "..."}} subscribes and answers 201
 * {@code {"id": "..."}};</li>
 * <li>{@code GET /demo/feed/subscriptions} lists the subscriptions;</li>
 * <li>{@code DELETE /demo/feed/subscriptions/{id}} unsubscribes;</li>
 * <li>every 2 seconds, {@code {"event":"tick","n":N}} is POSTed to every subscriber.</li>
 * </ul>
 * The routes start first (startupOrder), so that the trigger finds the feed when it subscribes, and stop last, so that
 * the trigger can still unsubscribe when the application stops.
 */
public class EventFeedRoutes extends RouteBuilder {

    private final EventFeed feed = new EventFeed();

    @Override
    public void configure() {
        bindToRegistry("eventFeed", feed);

        onException(JsonProcessingException.class).handled(true)
                .process(e -> DemoHttp.respond(e, 400, Map.of("error", "the body is not JSON")));

        from("platform-http:/demo/feed/subscriptions?httpMethodRestrict=POST")
                .routeId("demo-feed-subscribe").startupOrder(1)
                .convertBodyTo(String.class) // a form post arrives as a Map: it then fails as "not JSON"
                .unmarshal().json()
                .choice()
                    .when(e -> e.getMessage().getBody(Map.class).get("callbackUrl") == null)
                        .process(e -> DemoHttp.respond(e, 400, Map.of("error", "callbackUrl is required")))
                    .otherwise()
                        .process(e -> e.setVariable("subscriptionId",
                                feed.subscribe(e.getMessage().getBody(Map.class).get("callbackUrl").toString())))
                        .log("Feed: subscribed ${variable.subscriptionId} for ${header.x-ms-client-tracking-id}")
                        .process(e -> DemoHttp.respond(e, 201, Map.of("id", e.getVariable("subscriptionId"))));

        from("platform-http:/demo/feed/subscriptions?httpMethodRestrict=GET")
                .routeId("demo-feed-list").startupOrder(2)
                .process(e -> DemoHttp.respond(e, 200, feed.subscriptions()));

        from("platform-http:/demo/feed/subscriptions/{id}?httpMethodRestrict=DELETE")
                .routeId("demo-feed-unsubscribe").startupOrder(3)
                .choice()
                    .when(e -> feed.unsubscribe(e.getMessage().getHeader("id", String.class)))
                        .log("Feed: unsubscribed ${header.id}")
                        .process(e -> DemoHttp.respond(e, 204, null))
                    .otherwise()
                        .process(e -> DemoHttp.respond(e, 404, Map.of("error", "no such subscription")));

        from("timer:demo-feed?period=2000&delay=2000&includeMetadata=true")
                .routeId("demo-feed-ticker").startupOrder(4)
                .process(e -> e.getMessage().setBody(feed.callbackUrls()))
                .split(body())
                    .setHeader(Exchange.HTTP_URI, body())
                    .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                    .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                    .setBody(simple("{\"event\":\"tick\",\"n\":${header.CamelTimerCounter}}"))
                    .to("http://demo-feed-subscriber?throwExceptionOnFailure=false")
                    .filter(header(Exchange.HTTP_RESPONSE_CODE).isGreaterThanOrEqualTo(300))
                        .log("Feed: a subscriber answered ${header.CamelHttpResponseCode} to event"
                             + " ${header.CamelTimerCounter}");
    }
}
