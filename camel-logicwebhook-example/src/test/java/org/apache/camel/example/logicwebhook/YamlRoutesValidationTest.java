package org.apache.camel.example.logicwebhook;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.camel.Endpoint;
import org.apache.camel.catalog.EndpointValidationResult;
import org.apache.camel.catalog.RuntimeCamelCatalog;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The example's YAML routes load in Camel Main, and every logicwebhook endpoint in them passes the validation that
 * Camel tooling (JBang, IDEs) does from the component's generated metadata: known options, valid values.
 */
class YamlRoutesValidationTest extends ExampleTestSupport {

    @Override
    void demoProperties(Properties properties) {
        properties.setProperty("demo.orders", "0");
    }

    @Test
    void theYamlRoutesLoadAndTheirEndpointsValidateAgainstTheMetadata() throws Exception {
        assertTrue(context.getRoute("feed-trigger") != null && context.getRoute("order-approval") != null
                   && context.getRoute("order-approved") != null, "the YAML routes were not loaded");
        RuntimeCamelCatalog catalog = context.getCamelContextExtension().getContextPlugin(RuntimeCamelCatalog.class);
        List<String> uris = context.getEndpoints().stream().map(Endpoint::getEndpointUri)
                .filter(uri -> uri.startsWith("logicwebhook:")).collect(Collectors.toList());
        assertEquals(2, uris.size(), uris.toString());
        for (String uri : uris) {
            Map<String, String> properties = catalog.endpointProperties(uri);
            assertTrue(properties.containsKey("subscribeUri"), properties.toString());
            EndpointValidationResult result = catalog.validateProperties("logicwebhook", properties);
            assertTrue(result.isSuccess(), uri + ": " + result.summaryErrorMessage(false));
            if (uri.startsWith("logicwebhook:approval")) {
                // the durable wait's options are among those validated
                assertEquals("direct:approved", properties.get("resumeUri"), properties.toString());
                assertEquals("orderId", properties.get("snapshotVariables"), properties.toString());
            }

            // and the validation has the metadata to refuse a mistake
            Map<String, String> misspelt = new HashMap<>(properties);
            misspelt.put("subscribeMetod", "POST");
            assertFalse(catalog.validateProperties("logicwebhook", misspelt).isSuccess());
        }
    }
}
