package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

/** Turns a failure talking to the local service into an RST code and a message for a person. */
record LocalErrors(ErrorCode code, String message) {

    /**
     * @param target         the local service, {@code localhost:3000}
     * @param connectTimeout the connect timeout, for the message
     */
    static LocalErrors of(IOException e, String target, Duration connectTimeout) {
        if (e instanceof SocketTimeoutException
                || e instanceof InterruptedIOException && "timeout".equals(e.getMessage())) {
            return new LocalErrors(ErrorCode.TARGET_TIMEOUT,
                    target + " did not accept the connection within " + connectTimeout.toMillis() + " ms — is your app stuck?");
        }
        if (e instanceof ConnectException || e instanceof NoRouteToHostException) {
            return new LocalErrors(ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on " + target + " — is your app running?");
        }
        if (e instanceof UnknownHostException) {
            String host = target.substring(0, target.lastIndexOf(':'));
            return new LocalErrors(ErrorCode.TARGET_UNREACHABLE, "The host " + host + " does not resolve — check the tunnel's local address.");
        }
        return new LocalErrors(ErrorCode.TARGET_ERROR, target + " broke the connection: " + e.getMessage());
    }
}
