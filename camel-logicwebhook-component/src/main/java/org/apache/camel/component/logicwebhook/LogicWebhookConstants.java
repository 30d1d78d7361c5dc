package org.apache.camel.component.logicwebhook;

import org.apache.camel.spi.Metadata;

/**
 * The message headers that the trigger and the action set, and the exchange variables that the subscribe and
 * unsubscribe templates can read.
 */
public final class LogicWebhookConstants {

    @Metadata(label = "consumer,producer", description = "The NAME of the logicwebhook endpoint that received the callback.",
              javaType = "String")
    public static final String ENDPOINT_NAME = "CamelLogicWebhookEndpointName";
    @Metadata(label = "consumer,producer",
              description = "The id of the callback: the trigger's NAME, or the id of the action's wait.", javaType = "String")
    public static final String CALLBACK_ID = "CamelLogicWebhookCallbackId";
    @Metadata(label = "producer",
              description = "The signed callback URL handed to the service. Set before the subscribe request is sent, so"
                            + " that a route can also read it; treat it as a secret.",
              javaType = "String")
    public static final String CALLBACK_URL = "CamelLogicWebhookCallbackUrl";
    @Metadata(label = "consumer,producer", description = "The HTTP method of the callback request.", javaType = "String")
    public static final String HTTP_METHOD = "CamelLogicWebhookHttpMethod";
    @Metadata(label = "consumer,producer",
              description = "The query string of the callback request, without the signature parameter.",
              javaType = "String")
    public static final String HTTP_QUERY = "CamelLogicWebhookHttpQuery";
    @Metadata(label = "producer",
              description = "The status code of the callback: 200 when the service called the callback URL, or the"
                            + " status of a failure callback.",
              javaType = "Integer")
    public static final String STATUS_CODE = "CamelLogicWebhookStatusCode";
    @Metadata(label = "producer",
              description = "The id of an orphaned wait, on the exchange that its resumeUri receives: the same for every"
                            + " delivery of the same wait (delivery is at least once), so that route can be idempotent.",
              javaType = "String")
    public static final String WAIT_ID = "CamelLogicWebhookWaitId";

    /** Variable with the callback URL, for the subscribe and unsubscribe templates. */
    public static final String VAR_CALLBACK_URL = "callbackUrl";
    /** Variable with the callback URL URL-encoded, for placing it in a query parameter of a template URI. */
    public static final String VAR_CALLBACK_URL_ENCODED = "callbackUrlEncoded";
    /** Variable with the action's failure URL, for the subscribe and unsubscribe templates. */
    public static final String VAR_FAILURE_URL = "failureUrl";
    /** Variable with the action's heartbeat URL, for the subscribe and unsubscribe templates. */
    public static final String VAR_HEARTBEAT_URL = "heartbeatUrl";
    /** Variable with the subscribe response body (a Map/List when JSON, else a String), for the unsubscribe templates. */
    public static final String VAR_SUBSCRIPTION = "subscription";
    /** Variable with the subscribe response's Location header, for the unsubscribe templates. */
    public static final String VAR_SUBSCRIPTION_LOCATION = "subscriptionLocation";
    /** Variable with the subscribe response's status code, for the unsubscribe templates. */
    public static final String VAR_SUBSCRIPTION_STATUS = "subscriptionStatus";

    /** Identification header sent on subscribe and unsubscribe: the endpoint NAME (as Logic Apps does). */
    public static final String OPERATION_NAME_HEADER = "x-ms-workflow-operation-name";
    /** Identification header sent on subscribe and unsubscribe: who subscribes (as Logic Apps does). */
    public static final String CLIENT_TRACKING_ID_HEADER = "x-ms-client-tracking-id";

    private LogicWebhookConstants() {
    }
}
