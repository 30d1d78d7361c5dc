/**
 * The action's waits: {@link WaitRegistry} keeps each {@link PendingWait} by callback id, decides which finisher owns
 * it (callback, timeout, cancel: one compare-and-set), sweeps for timeouts and runs the work on its pool; a wait calls
 * back its {@link WaitOwner} (the action's producer).
 * <p>
 * Internal to the component: not an API.
 */
package org.apache.camel.component.logicwebhook.wait;
