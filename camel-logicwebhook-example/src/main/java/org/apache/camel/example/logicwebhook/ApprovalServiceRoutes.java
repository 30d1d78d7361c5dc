package org.apache.camel.example.logicwebhook;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.ResourceHelper;

/**
 * A demo approval service, the kind of long job that the logicwebhook action waits for:
 * <ul>
 * <li>{@code POST /demo/approvals} with {@code {"callbackUrl": "...", "failureUrl": "...", "order": ...}} files a
 * request and answers 201 {@code {"id": "..."}};</li>
 * <li>{@code GET /} is a page that lists the pending requests with Approve and Reject buttons;</li>
 * <li>{@code GET /demo/approvals} lists the pending requests;</li>
 * <li>{@code POST /demo/approvals/{id}/approve} POSTs {@code {"approved":true}} to the callback URL, {@code .../reject}
 * POSTs {@code {"approved":false,...}} to the failure URL;</li>
 * <li>{@code DELETE /demo/approvals/{id}} withdraws a request (the action does this when it times out, or when the
 * application stops without a wait store).</li>
 * </ul>
 * With {@code demo.autoApprove=true}, each request is approved about a second after it arrives. The pending requests
 * are kept in {@code approvals.json} in the {@code demo.dataDir} folder, so that they outlive a restart of the example.
 */
public class ApprovalServiceRoutes extends RouteBuilder {

    private ApprovalDesk desk;

    @Override
    public void configure() {
        // the pending approvals outlive a restart of the application, as a remote service's would (see ApprovalDesk)
        desk = new ApprovalDesk(
                Path.of(getContext().resolvePropertyPlaceholders("{{demo.dataDir}}")).resolve("approvals.json"));
        bindToRegistry("approvalDesk", desk);

        onException(JsonProcessingException.class).handled(true)
                .process(e -> DemoHttp.respond(e, 400, Map.of("error", "the body is not JSON")));

        from("platform-http:/demo/approvals?httpMethodRestrict=POST")
                .routeId("demo-approval-request").startupOrder(11)
                .convertBodyTo(String.class) // a form post arrives as a Map: it then fails as "not JSON"
                .unmarshal().json()
                .choice()
                    .when(e -> !hasText(e, "callbackUrl") || !hasText(e, "failureUrl"))
                        .process(e -> DemoHttp.respond(e, 400, Map.of("error", "callbackUrl and failureUrl are required")))
                    .otherwise()
                        .process(e -> {
                            Map<?, ?> body = e.getMessage().getBody(Map.class);
                            ApprovalDesk.Approval approval = desk.request(body.get("callbackUrl").toString(),
                                    body.get("failureUrl").toString(), body.get("order"));
                            e.setVariable("id", approval.id());
                            e.setVariable("order", approval.order());
                        })
                        .log("Approvals: ${variable.id} awaits a decision on order ${variable.order}")
                        .setHeader("id", variable("id"))
                        .wireTap("direct:demo-auto-approve")
                        .process(e -> DemoHttp.respond(e, 201, Map.of("id", e.getVariable("id"))));

        from("direct:demo-auto-approve")
                .routeId("demo-approval-auto")
                .filter(simple("{{demo.autoApprove:false}}"))
                    .delay(1000)
                    .setHeader("decision", constant("approved"))
                    .to("direct:demo-decide");

        // the page a person decides on: it lists GET /demo/approvals and its buttons POST .../approve or .../reject
        from("platform-http:/?httpMethodRestrict=GET")
                .routeId("demo-approval-page").startupOrder(10)
                .process(e -> {
                    e.getMessage().getHeaders().clear();
                    e.getMessage().setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
                    e.getMessage().setBody(ResourceHelper.resolveMandatoryResourceAsInputStream(
                            e.getContext(), "classpath:web/index.html"));
                });

        from("platform-http:/demo/approvals?httpMethodRestrict=GET")
                .routeId("demo-approval-list").startupOrder(12)
                .process(e -> DemoHttp.respond(e, 200, desk.list()));

        from("platform-http:/demo/approvals/{id}/approve?httpMethodRestrict=POST")
                .routeId("demo-approval-approve").startupOrder(13)
                .setHeader("decision", constant("approved"))
                .to("direct:demo-decide");

        from("platform-http:/demo/approvals/{id}/reject?httpMethodRestrict=POST")
                .routeId("demo-approval-reject").startupOrder(14)
                .setHeader("decision", constant("rejected"))
                .to("direct:demo-decide");

        from("platform-http:/demo/approvals/{id}?httpMethodRestrict=DELETE")
                .routeId("demo-approval-cancel").startupOrder(15)
                .choice()
                    .when(e -> desk.take(e.getMessage().getHeader("id", String.class)) != null)
                        .log("Approvals: ${header.id} withdrawn by the requester")
                        .process(e -> DemoHttp.respond(e, 204, null))
                    .otherwise()
                        .process(e -> DemoHttp.respond(e, 404, Map.of("error", "no such approval")));

        // calls the requester back: the callback URL to approve, the failure URL to reject
        from("direct:demo-decide")
                .routeId("demo-approval-decide")
                .setVariable("id", header("id"))
                .setVariable("decision", header("decision"))
                .process(e -> e.setVariable("approval", desk.take(e.getVariable("id", String.class))))
                .choice()
                    .when(variable("approval").isNull())
                        .process(e -> DemoHttp.respond(e, 404, Map.of("error", "no such approval")))
                    .otherwise()
                        .removeHeaders("*")
                        .process(ApprovalServiceRoutes::callbackRequest)
                        .setHeader(Exchange.HTTP_METHOD, constant("POST"))
                        .setHeader(Exchange.CONTENT_TYPE, constant("application/json"))
                        .to("http://demo-approval-requester?throwExceptionOnFailure=false")
                        .log("Approvals: ${variable.id} ${variable.decision}; the requester answered"
                             + " ${header.CamelHttpResponseCode}")
                        .process(e -> DemoHttp.respond(e, 200, Map.of("id", e.getVariable("id"),
                                "decision", e.getVariable("decision"),
                                "requesterStatus", e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE))));
    }

    /** The approval goes to the callback URL, the rejection to the failure URL, as Logic Apps style services do. */
    private static void callbackRequest(Exchange exchange) {
        ApprovalDesk.Approval approval = exchange.getVariable("approval", ApprovalDesk.Approval.class);
        boolean approved = "approved".equals(exchange.getVariable("decision"));
        exchange.getMessage().setHeader(Exchange.HTTP_URI, approved ? approval.callbackUrl() : approval.failureUrl());
        exchange.getMessage().setBody(approved
                ? DemoHttp.json(Map.of("approved", true))
                : DemoHttp.json(Map.of("approved", false, "reason", "rejected by a reviewer")));
    }

    private static boolean hasText(Exchange exchange, String field) {
        Object value = exchange.getMessage().getBody(Map.class).get(field);
        return value != null && !value.toString().isBlank();
    }
}
