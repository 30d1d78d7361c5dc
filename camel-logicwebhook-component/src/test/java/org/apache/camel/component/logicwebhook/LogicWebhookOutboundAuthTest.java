package org.apache.camel.component.logicwebhook;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.jsse.KeyManagersParameters;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every outbound authentication of the subscribe and unsubscribe requests, against fakes that answer 401 unless they
 * get the right credential: Basic, Bearer, a raw Authorization header, OAuth2 client credentials and a TLS client
 * certificate.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LogicWebhookOutboundAuthTest extends LogicWebhookTestSupport {

    /** The TLS tests run last, so that the certificates are made meanwhile. */
    private static final int LAST = Integer.MAX_VALUE;

    @TempDir
    static Path pkiDir;
    private static CompletableFuture<Pki> pki;

    private HttpsServer tlsServer;
    private ExecutorService tlsExecutor;
    private final List<TlsRequest> tlsRequests = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeTlsServer() {
        // runs before the support class' closeService: the context is still up, stop it first so it can unsubscribe
        context.stop();
        if (tlsServer != null) {
            tlsServer.stop(0);
            tlsExecutor.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- Basic

    @Test
    void basicCredentialsAreSentPreemptivelyWithSubscribeAndUnsubscribe() throws Exception {
        String expected = basic("bob", "pa:ss w0rd+%");
        requireAuthorization("/basic", expected::equals);

        addTrigger("basic", "subscribeUri=" + service.url() + "/basic"
                            + "&unsubscribeUri=RAW(" + service.url() + "/basic/${variable.subscription[id]})"
                            + "&authMethod=Basic&authUsername=bob&authPassword=RAW(pa:ss w0rd+%)");

        assertStarted("basic");
        List<FakeService.Recorded> posts = service.requests("POST", "/basic");
        assertEquals(1, posts.size(), "preemptive: no 401 challenge round trip");
        assertEquals(expected, posts.get(0).header("Authorization"));

        context.getRouteController().stopRoute("basic");
        FakeService.Recorded delete = awaitRequests("DELETE", "/basic/s1", 1).get(0);
        assertEquals(expected, delete.header("Authorization"));
        assertEquals(1, service.requests("DELETE", "/basic/").size(), "accepted the first time, so not tried again");
    }

    @Test
    void aWrongBasicPasswordFailsTheStartWith401AndNoSecret() throws Exception {
        requireAuthorization("/basic", basic("bob", "right-password")::equals);

        LogicWebhookSubscriptionException e = subscribeFails("basicwrong", "subscribeUri=" + service.url() + "/basic"
                                                                           + "&authMethod=Basic&authUsername=bob"
                                                                           + "&authPassword=RAW(wrong-s3cret-pw)");

        assertEquals(401, e.getStatusCode());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertNoSecret(e, "wrong-s3cret-pw", basic("bob", "wrong-s3cret-pw").substring("Basic ".length()));
        assertEquals(1, service.requests("POST", "/basic").size(), "no second try after the 401 challenge");
        assertEquals(basic("bob", "wrong-s3cret-pw"), service.requests("POST", "/basic").get(0).header("Authorization"));
    }

    // ---------------------------------------------------------------- Bearer

    @Test
    void aBearerTokenIsSentWithSubscribeAndUnsubscribe() throws Exception {
        bearerTokenIsSent("bearer", "");
    }

    @Test
    void aBearerTokenIsSentWhenAuthMethodBearerIsAlsoSet() throws Exception {
        bearerTokenIsSent("bearerm", "&authMethod=Bearer");
    }

    private void bearerTokenIsSent(String name, String extra) throws Exception {
        String token = "eyJhbGciOi.JIUzI1NiJ9-tok_" + name;
        requireAuthorization("/bearer", ("Bearer " + token)::equals);

        addTrigger(name, "subscribeUri=" + service.url() + "/bearer"
                         + "&unsubscribeUri=RAW(" + service.url() + "/bearer/${variable.subscription[id]})"
                         + "&authBearerToken=RAW(" + token + ")" + extra);

        assertStarted(name);
        List<FakeService.Recorded> posts = service.requests("POST", "/bearer");
        assertEquals(1, posts.size());
        assertEquals("Bearer " + token, posts.get(0).header("Authorization"));
        context.getRouteController().stopRoute(name);
        assertEquals("Bearer " + token, awaitRequests("DELETE", "/bearer/s1", 1).get(0).header("Authorization"));
    }

    @Test
    void aWrongBearerTokenFailsTheStartWith401AndNoSecret() throws Exception {
        requireAuthorization("/bearer", "Bearer right-token"::equals);

        LogicWebhookSubscriptionException e = subscribeFails("bearerwrong", "subscribeUri=" + service.url() + "/bearer"
                                                                             + "&authBearerToken=RAW(wrong-t0ken-xyz)");

        assertEquals(401, e.getStatusCode());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertNoSecret(e, "wrong-t0ken-xyz");
    }

    // ---------------------------------------------------------------- Raw Authorization header

    private static final String SAS = "SharedAccessSignature sr=https%3A%2F%2Fns.example.net%2Fq"
                                      + "&sig=AbC%2Bd3f%2Fg%3D&se=1900000000&skn=send";

    @Test
    void aRawAuthorizationHeaderIsSentVerbatimWithSubscribeAndUnsubscribe() throws Exception {
        requireAuthorization("/raw", SAS::equals);

        addTrigger("raw", "subscribeUri=" + service.url() + "/raw"
                          + "&unsubscribeUri=RAW(" + service.url() + "/raw/${variable.subscription[id]})"
                          + "&authorization=RAW(" + SAS + ")");

        assertStarted("raw");
        assertEquals(SAS, service.requests("POST", "/raw").get(0).header("Authorization"));
        context.getRouteController().stopRoute("raw");
        assertEquals(SAS, awaitRequests("DELETE", "/raw/s1", 1).get(0).header("Authorization"));
    }

    @Test
    void aWrongRawAuthorizationFailsTheStartWith401AndNoSecret() throws Exception {
        requireAuthorization("/raw", SAS::equals);
        String wrong = SAS.replace("AbC%2Bd3f", "WrOnGsIg99");

        LogicWebhookSubscriptionException e = subscribeFails("rawwrong", "subscribeUri=" + service.url() + "/raw"
                                                                         + "&authorization=RAW(" + wrong + ")");

        assertEquals(401, e.getStatusCode());
        assertTrue(e.getMessage().contains("401"), e.getMessage());
        assertNoSecret(e, "WrOnGsIg99");
        assertEquals(wrong, service.requests("POST", "/raw").get(0).header("Authorization"));
    }

    // ---------------------------------------------------------------- OAuth2 client credentials

    private static final String CLIENT_ID = "logicwebhook-client";
    private static final String CLIENT_SECRET = "cl1ent-s3cret_value";
    private static final String SCOPE = "api://logicwebhook-test/.default";

    /** How the fake token endpoint was asked for a token. */
    private record TokenRequest(Map<String, String> form, String clientAuth, String clientId, String clientSecret) {
    }

    private final List<TokenRequest> tokenRequests = new CopyOnWriteArrayList<>();

    /** A token endpoint at /oauth2/token that checks the grant, the client and the scope, and issues {@code token}. */
    private void tokenEndpoint(String token) {
        service.on("POST /oauth2/token", r -> {
            Map<String, String> form = parseForm(r.body());
            String id = form.get("client_id");
            String secret = form.get("client_secret");
            String how = "body";
            String auth = r.header("Authorization");
            if (auth != null && auth.startsWith("Basic ")) {
                String decoded = new String(Base64.getDecoder().decode(auth.substring(6)), StandardCharsets.UTF_8);
                id = decoded.substring(0, decoded.indexOf(':'));
                secret = decoded.substring(decoded.indexOf(':') + 1);
                how = "basic";
            }
            tokenRequests.add(new TokenRequest(form, how, id, secret));
            if (!"client_credentials".equals(form.get("grant_type")) || !SCOPE.equals(form.get("scope"))) {
                return FakeService.Answer.of(400, "{\"error\":\"invalid_request\"}");
            }
            if (!CLIENT_ID.equals(id) || !CLIENT_SECRET.equals(secret)) {
                return FakeService.Answer.of(401, "{\"error\":\"invalid_client\"}");
            }
            return FakeService.Answer.of(200,
                    "{\"access_token\":\"" + token + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}");
        });
    }

    private String oauth2Options(String secret) {
        return "&oauth2ClientId=" + CLIENT_ID + "&oauth2ClientSecret=RAW(" + secret + ")"
               + "&oauth2TokenEndpoint=" + service.url() + "/oauth2/token&oauth2Scope=" + SCOPE;
    }

    @Test
    void oauth2ClientCredentialsTokenIsFetchedAndSentAsBearer() throws Exception {
        tokenEndpoint("tok-1");
        requireAuthorization("/sub-oauth", "Bearer tok-1"::equals);

        addTrigger("oauth", "subscribeUri=" + service.url() + "/sub-oauth"
                            + "&unsubscribeUri=RAW(" + service.url() + "/sub-oauth/${variable.subscription[id]})"
                            + oauth2Options(CLIENT_SECRET));

        assertStarted("oauth");
        assertEquals("Bearer tok-1", service.requests("POST", "/sub-oauth").get(0).header("Authorization"));
        TokenRequest token = tokenRequests.get(0);
        assertEquals("client_credentials", token.form().get("grant_type"));
        assertEquals(SCOPE, token.form().get("scope"));
        assertEquals(CLIENT_ID, token.clientId());
        assertEquals(CLIENT_SECRET, token.clientSecret());
        // camel-http's default (oauth2BodyAuthentication=false): client_secret_basic, nothing of the client in the body
        assertEquals("basic", token.clientAuth());
        assertNull(token.form().get("client_secret"));
        // the token request itself carries no callback URL nor operation headers
        FakeService.Recorded tokenCall = service.requests("POST", "/oauth2/token").get(0);
        assertTrue(tokenCall.header("Content-Type").startsWith("application/x-www-form-urlencoded"));
        assertNull(tokenCall.header("x-ms-workflow-operation-name"));
        assertFalse(tokenCall.body().contains("callbackUrl"), tokenCall.body());

        context.getRouteController().stopRoute("oauth");
        assertEquals("Bearer tok-1", awaitRequests("DELETE", "/sub-oauth/s1", 1).get(0).header("Authorization"));
    }

    @Test
    void withoutTokenCachingEverySubscribeFetchesAToken() throws Exception {
        tokenEndpoint("tok-1");
        requireAuthorization("/sub-oauth", "Bearer tok-1"::equals);

        addTrigger("oauthA", "subscribeUri=" + service.url() + "/sub-oauth" + oauth2Options(CLIENT_SECRET));
        addTrigger("oauthB", "subscribeUri=" + service.url() + "/sub-oauth" + oauth2Options(CLIENT_SECRET));

        assertStarted("oauthA");
        assertStarted("oauthB");
        assertEquals(2, service.requests("POST", "/sub-oauth").size());
        // camel-http caches tokens only with oauth2CacheTokens=true, off by default
        assertEquals(2, service.requests("POST", "/oauth2/token").size(), "one token request per subscribe");
    }

    @Test
    void withTokenCachingTwoSubscribesFetchOneToken() throws Exception {
        tokenEndpoint("tok-1");
        requireAuthorization("/sub-oauth", "Bearer tok-1"::equals);

        // camel-http keys its token cache by the request URI and the client: the same subscribe URI twice
        addTrigger("oauthA", "subscribeUri=" + service.url() + "/sub-oauth" + oauth2Options(CLIENT_SECRET)
                             + "&oauth2CacheTokens=true");
        addTrigger("oauthB", "subscribeUri=" + service.url() + "/sub-oauth" + oauth2Options(CLIENT_SECRET)
                             + "&oauth2CacheTokens=true");

        assertStarted("oauthA");
        assertStarted("oauthB");
        assertEquals(1, service.requests("POST", "/oauth2/token").size());
    }

    @Test
    void aWrongClientSecretFailsTheStartNamingTheTokenEndpoints401AndNoSecret() throws Exception {
        tokenEndpoint("tok-1");
        requireAuthorization("/sub-oauth", "Bearer tok-1"::equals);

        LogicWebhookSubscriptionException e = subscribeFails("oauthwrong", "subscribeUri=" + service.url() + "/sub-oauth"
                                                                           + oauth2Options("wr0ng-cl1ent-secret"));

        assertNoSecret(e, "wr0ng-cl1ent-secret", CLIENT_SECRET);
        assertEquals(1, tokenRequests.size());
        assertEquals("wr0ng-cl1ent-secret", tokenRequests.get(0).clientSecret());
        assertTrue(service.requests("POST", "/sub-oauth").isEmpty(), "no subscribe without a token");
        assertEquals(0, e.getStatusCode(), "the service itself never answered");
        // what the token endpoint answered is what tells a user that the client secret is wrong
        assertTrue(e.getMessage().contains("token") && e.getMessage().contains("401"), e.getMessage());
    }

    @Test
    void aTokenTheServiceRejectsFailsTheStartWith401() throws Exception {
        tokenEndpoint("tok-for-another-audience");
        requireAuthorization("/sub-oauth", "Bearer tok-1"::equals);

        LogicWebhookSubscriptionException e = subscribeFails("oauthaud", "subscribeUri=" + service.url() + "/sub-oauth"
                                                                         + oauth2Options(CLIENT_SECRET));

        assertEquals(401, e.getStatusCode());
        assertNoSecret(e, "tok-for-another-audience", CLIENT_SECRET);
        assertEquals("Bearer tok-for-another-audience", service.requests("POST", "/sub-oauth").get(0).header("Authorization"));
    }

    // ---------------------------------------------------------------- TLS client certificate

    @Test
    @Order(LAST)
    void aClientCertificateIsPresentedWithSubscribeAndUnsubscribe() throws Exception {
        String url = startTlsServer();
        context.getRegistry().bind("clientTls", pki().clientParameters(true));

        addTrigger("mtls", "subscribeUri=" + url + "/tls" + "&unsubscribeUri=RAW(" + url + "/tls/${variable.subscription[id]})"
                           + "&sslContextParameters=#clientTls&requestTimeout=5000");

        assertStarted("mtls");
        assertEquals(1, tlsRequests.size());
        assertEquals("POST /tls", tlsRequests.get(0).request());
        assertEquals("CN=logicwebhook-client", tlsRequests.get(0).clientSubject());

        context.getRouteController().stopRoute("mtls");
        assertEquals(2, tlsRequests.size());
        assertEquals("DELETE /tls/s1", tlsRequests.get(1).request());
        assertEquals("CN=logicwebhook-client", tlsRequests.get(1).clientSubject());
    }

    @Test
    @Order(LAST)
    void withoutAClientCertificateTheSubscribeFailsToConnect() throws Exception {
        String url = startTlsServer();
        // trusts the server, but has no key to present
        context.getRegistry().bind("trustOnly", pki().clientParameters(false));

        // the server resets the connection, which looks like any network failure: not worth retrying in this test
        LogicWebhookSubscriptionException e = subscribeFails("nocert", "subscribeUri=" + url + "/tls"
                                                                       + "&sslContextParameters=#trustOnly&requestTimeout=5000"
                                                                       + "&retryPolicy=none");

        assertEquals(0, e.getStatusCode(), "a connection error, not an answer: " + e.getMessage());
        assertTrue(e.getMessage().contains(url + "/tls"), e.getMessage());
        assertTrue(tlsRequests.isEmpty(), "the request never reached the service");
    }

    // ---------------------------------------------------------------- helpers

    private void addTrigger(String name, String options) throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("logicwebhook:" + name + "?" + options).routeId(name).to("mock:" + name);
            }
        });
    }

    private void assertStarted(String name) {
        assertTrue(context.getRouteController().getRouteStatus(name).isStarted(), name + " started");
    }

    /** Adds the trigger, expects its start to fail, and returns the subscription exception in the cause chain. */
    private LogicWebhookSubscriptionException subscribeFails(String name, String options) {
        Exception e = assertThrows(Exception.class, () -> addTrigger(name, options));
        Throwable cause = e;
        while (cause != null && !(cause instanceof LogicWebhookSubscriptionException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, "expected a LogicWebhookSubscriptionException, got " + e);
        return (LogicWebhookSubscriptionException) cause;
    }

    private static void assertNoSecret(Throwable e, String... secrets) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (String secret : secrets) {
                assertFalse(String.valueOf(t.getMessage()).contains(secret), "secret in: " + t.getMessage());
            }
        }
    }

    /** {@code POST path} answers 201 {"id":"s1"} and {@code DELETE path/} 204 with the right Authorization, else 401. */
    private void requireAuthorization(String path, Predicate<String> accepts) {
        service.requireAuthorization("POST " + path, accepts, r -> FakeService.Answer.of(201, "{\"id\":\"s1\"}"));
        service.requireAuthorization("DELETE " + path + "/", accepts, r -> new FakeService.Answer(204, null, Map.of()));
    }

    private static Map<String, String> parseForm(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            if (!pair.isEmpty()) {
                int eq = pair.indexOf('=');
                String key = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                form.put(URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    /** One request the HTTPS fake served: "METHOD /path" and the subject of the client certificate. */
    private record TlsRequest(String request, String clientSubject) {
    }

    /** An HTTPS fake on loopback that requires a client certificate issued by the test CA; returns its base URL. */
    private String startTlsServer() throws Exception {
        SSLContext ssl = pki().serverContext();
        tlsServer = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        tlsServer.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
                parameters.setNeedClientAuth(true);
                params.setSSLParameters(parameters);
            }
        });
        tlsServer.createContext("/", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                in.readAllBytes();
            }
            String subject;
            try {
                Certificate[] peer = ((HttpsExchange) exchange).getSSLSession().getPeerCertificates();
                subject = ((X509Certificate) peer[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                subject = null;
            }
            tlsRequests.add(new TlsRequest(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath(), subject));
            byte[] body = "{\"id\":\"s1\"}".getBytes(StandardCharsets.UTF_8);
            boolean post = "POST".equals(exchange.getRequestMethod());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(post ? 201 : 204, post ? body.length : -1);
            try (OutputStream out = exchange.getResponseBody()) {
                if (post) {
                    out.write(body);
                }
            }
        });
        tlsExecutor = Executors.newFixedThreadPool(4);
        tlsServer.setExecutor(tlsExecutor);
        tlsServer.start();
        return "https://127.0.0.1:" + tlsServer.getAddress().getPort();
    }

    /** The certificates are made while the tests that need none run. */
    @BeforeAll
    static void generatePki() {
        pki = CompletableFuture.supplyAsync(() -> {
            try {
                return Pki.generate(pkiDir);
            } catch (Exception e) {
                throw new IllegalStateException("could not generate the test certificates", e);
            }
        });
    }

    private static Pki pki() throws Exception {
        return pki.get(60, TimeUnit.SECONDS);
    }

    /**
     * A test CA, a server certificate for 127.0.0.1 and a client certificate it issued, made with the JDK's keytool in
     * PKCS12 stores: server.p12, client.p12 and trust.p12 (the CA only).
     */
    private record Pki(Path dir) {

        static final String PASSWORD = "changeit";

        static Pki generate(Path dir) throws Exception {
            List<List<String>> commands = new ArrayList<>();
            commands.add(genkeypair(dir, "ca", "CN=logicwebhook test CA", "bc:c"));
            commands.add(List.of("-exportcert", "-rfc", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                    "-keystore", dir.resolve("ca.p12").toString(), "-storepass", PASSWORD));
            commands.add(List.of("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                    "-keystore", dir.resolve("trust.p12").toString(), "-storetype", "PKCS12", "-storepass", PASSWORD));
            issue(commands, dir, "server", "CN=127.0.0.1", "serverAuth", "san=ip:127.0.0.1");
            issue(commands, dir, "client", "CN=logicwebhook-client", "clientAuth", null);
            KeytoolBatch.run(dir, commands);
            return new Pki(dir);
        }

        private static List<String> genkeypair(Path dir, String alias, String dname, String ext) {
            List<String> c = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname",
                    "secp256r1", "-dname", dname, "-validity", "2", "-keystore", dir.resolve(alias + ".p12").toString(),
                    "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD));
            if (ext != null) {
                c.addAll(List.of("-ext", ext));
            }
            return c;
        }

        /** A key pair in NAME.p12 with a certificate the CA issued, its chain completed with the CA certificate. */
        private static void issue(List<List<String>> commands, Path dir, String name, String dname, String eku, String san) {
            String store = dir.resolve(name + ".p12").toString();
            commands.add(genkeypair(dir, name, dname, null));
            commands.add(List.of("-certreq", "-alias", name, "-file", dir.resolve(name + ".csr").toString(),
                    "-keystore", store, "-storepass", PASSWORD));
            List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-validity", "2",
                    "-infile", dir.resolve(name + ".csr").toString(), "-outfile", dir.resolve(name + ".pem").toString(),
                    "-keystore", dir.resolve("ca.p12").toString(), "-storepass", PASSWORD,
                    "-ext", "ku:c=digitalSignature", "-ext", "eku=" + eku));
            if (san != null) {
                gencert.addAll(List.of("-ext", san));
            }
            commands.add(gencert);
            commands.add(List.of("-importcert", "-noprompt", "-alias", "ca", "-file", dir.resolve("ca.pem").toString(),
                    "-keystore", store, "-storepass", PASSWORD));
            commands.add(List.of("-importcert", "-noprompt", "-alias", name, "-file", dir.resolve(name + ".pem").toString(),
                    "-keystore", store, "-storepass", PASSWORD));
        }

        /** The client side: trusts the test CA and, with {@code withKey}, presents client.p12's certificate. */
        SSLContextParameters clientParameters(boolean withKey) {
            SSLContextParameters parameters = new SSLContextParameters();
            TrustManagersParameters trust = new TrustManagersParameters();
            trust.setKeyStore(store("trust.p12"));
            parameters.setTrustManagers(trust);
            if (withKey) {
                KeyManagersParameters keys = new KeyManagersParameters();
                keys.setKeyStore(store("client.p12"));
                keys.setKeyPassword(PASSWORD);
                parameters.setKeyManagers(keys);
            }
            return parameters;
        }

        private KeyStoreParameters store(String file) {
            KeyStoreParameters store = new KeyStoreParameters();
            store.setResource("file:" + dir.resolve(file).toAbsolutePath());
            store.setPassword(PASSWORD);
            store.setType("PKCS12");
            return store;
        }

        /** The server side: presents server.p12's certificate and trusts client certificates the test CA issued. */
        SSLContext serverContext() throws Exception {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve("trust.p12"))) {
                trust.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, PASSWORD.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        }
    }

    /**
     * Runs keytool commands. Every start of the keytool binary costs a JVM start, so all commands run in one child JVM
     * (a single-file source program, independent of the build's output directories) that calls keytool's main class
     * in-process; should that fail, each command runs the keytool binary.
     */
    static final class KeytoolBatch {

        private static final String NEXT = "--next--";
        private static final String SOURCE = """
                public class KeytoolBatch {
                    public static void main(String[] args) throws Exception {
                        java.lang.reflect.Method keytool = Class.forName("sun.security.tools.keytool.Main")
                                .getMethod("main", String[].class);
                        java.util.List<String> command = new java.util.ArrayList<>();
                        for (int i = 0; i <= args.length; i++) {
                            if (i == args.length || "%s".equals(args[i])) {
                                // keytool's main exits non-zero on an error
                                keytool.invoke(null, (Object) command.toArray(new String[0]));
                                command.clear();
                            } else {
                                command.add(args[i]);
                            }
                        }
                    }
                }
                """.formatted(NEXT);

        private KeytoolBatch() {
        }

        static void run(Path dir, List<List<String>> commands) throws Exception {
            Path bin = Path.of(System.getProperty("java.home"), "bin");
            Path source = dir.resolve("KeytoolBatch.java");
            Files.writeString(source, SOURCE);
            List<String> batch = new ArrayList<>(List.of(bin.resolve("java").toString(),
                    "--add-exports", "java.base/sun.security.tools.keytool=ALL-UNNAMED",
                    "-XX:TieredStopAtLevel=1", "-Xshare:auto", source.toString()));
            for (int i = 0; i < commands.size(); i++) {
                if (i > 0) {
                    batch.add(NEXT);
                }
                batch.addAll(commands.get(i));
            }
            if (exec(batch)) {
                return;
            }
            for (List<String> command : commands) {
                List<String> keytool = new ArrayList<>(List.of(bin.resolve("keytool").toString(), "-J-XX:TieredStopAtLevel=1"));
                keytool.addAll(command);
                if (!exec(keytool)) {
                    throw new IllegalStateException("keytool failed: " + keytool);
                }
            }
        }

        /** Whether a command succeeded; if not, it and its output go to stderr. */
        private static boolean exec(List<String> command) throws Exception {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                System.err.println("keytool: " + String.join(" ", command) + "\n" + output);
                return false;
            }
            return true;
        }
    }
}
