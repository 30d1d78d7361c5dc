package org.apache.camel.component.logicwebhook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * Ports for the application servers a test starts. Camel's platform-http Vert.x server only logs a port it could not
 * bind, and the context starts without it; so a port must not be one that a server of the test already listens on
 * (choose it after the fake service started: the kernel hands out no port in use) nor one chosen for another node.
 */
final class TestPorts {

    private TestPorts() {
    }

    /** {@code count} loopback ports, free now and distinct: their sockets are all open while they are read. */
    static int[] free(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        // it was only probed
                    }
                }
            }
        }
    }

    static int free() {
        return free(1)[0];
    }
}
