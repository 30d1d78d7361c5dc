/**
 * HTTP out: the subscribe and unsubscribe requests. {@link RequestTemplate} resolves an endpoint's templates into an
 * {@link OutboundRequest}; {@link SubscriptionClient} sends it through camel-http with the retry policy, waiting for
 * each retry on {@link DueTasks} (the component's clock), with the {@link Authentication} of its request kind (the
 * subscribe's, or the unsubscribe's own); {@link Lease} reads the lease a service granted.
 * <p>
 * Internal to the component: not an API.
 */
package org.apache.camel.component.logicwebhook.subscription;
