/**
 * HTTP in: every request under the callback base path. {@link CallbackDispatcher} checks the URL's signature
 * ({@link CallbackSigner}) and expiry, answers subscription handshakes ({@link SubscriptionHandshake}), reads the body
 * within its limit, checks the method and the payload signature ({@link PayloadSignatureVerifier}), and hands the
 * callback to the {@link CallbackHandler} its path names: a running trigger, or a pending wait of the action (found
 * through {@link WaitCallbacks}). The handler returns a {@link CallbackAnswer}; only the dispatcher writes answers.
 * <p>
 * Internal to the component: not an API.
 */
package org.apache.camel.component.logicwebhook.callback;
