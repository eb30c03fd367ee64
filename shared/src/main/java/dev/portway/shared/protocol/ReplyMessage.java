package dev.portway.shared.protocol;

import java.util.List;

/**
 * Payload of a REPLY frame: the client's answer to an OPEN.
 * For HTTP it is the response head (status, reason, end-to-end headers); status 101 switches the
 * stream to raw bytes. For TCP it is {@code {}}: the local connection is up, bytes may flow.
 */
public record ReplyMessage(Integer status, String reason, List<Header> headers) {

    public static ReplyMessage tcpAccepted() {
        return new ReplyMessage(null, null, null);
    }

    public static ReplyMessage http(int status, String reason, List<Header> headers) {
        return new ReplyMessage(status, reason, List.copyOf(headers));
    }

    /** Checks an HTTP reply has what the relay needs to write a response head. */
    public void validateHttp() throws ProtocolException {
        if (status == null || status < 100 || status > 999 || headers == null || headers.stream().anyMatch(java.util.Objects::isNull)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HTTP REPLY needs a status 100..999 and headers (no null header)");
        }
    }

    /** @return the first value of a header (case-insensitive), or {@code null}. */
    public String header(String name) {
        if (headers != null) {
            for (Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h.value();
                }
            }
        }
        return null;
    }
}
