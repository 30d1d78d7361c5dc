package org.apache.camel.component.logicwebhook.callback;

/**
 * A bean of this type in the registry says that the runtime serves the callback base path itself, through
 * {@link CallbackDispatcher#admit} and {@link CallbackDispatcher#complete} (the Spring Boot starter's servlet): the
 * dispatcher then starts no server path of its own.
 * <p>
 * Internal: public only so that the component's other modules can reach it; not an API.
 */
public interface CallbackServer {
}
