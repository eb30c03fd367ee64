package dev.portway.desktop.conformance;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A visitor on a plain socket, for requests no client library would send (absolute-form, two Host fields, no Host,
 * {@code *}) and for pipelining: writes the bytes in one go, then reads the answers one after another.
 */
final class RawHttp {
    private static final int READ_TIMEOUT_MS = 15_000;

    private RawHttp() {
    }

    /**
     * Sends {@code request} to {@code 127.0.0.1:port} and reads one response per entry of {@code methods} (HEAD and
     * 1xx/204/304 answers have no body); interim 1xx answers are skipped. Stops early when the server closes.
     */
    static List<HttpMessage> exchange(int port, String request, String... methods) throws IOException {
        List<HttpMessage> answers = new ArrayList<>();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (String method : methods) {
                HttpMessage m = read(in, method);
                if (m == null) {
                    break;
                }
                answers.add(m);
            }
        }
        return answers;
    }

    /** One response (after any interim ones), or null if the connection ended first. */
    static HttpMessage read(InputStream in, String method) throws IOException {
        while (true) {
            byte[] headBytes;
            try {
                headBytes = HttpMessage.readHead(in);
            } catch (SocketTimeoutException e) {
                throw new IOException("No answer within " + READ_TIMEOUT_MS + " ms", e);
            }
            if (headBytes == null) {
                return null;
            }
            HttpMessage head = HttpMessage.parseHead(headBytes, new byte[0]);
            int status = head.status();
            if (status >= 100 && status < 200 && status != 101) {
                continue;
            }
            byte[] body;
            if (method.equals("HEAD") || status == 204 || status == 304 || status == 101) {
                body = new byte[0];
            } else if (head.isChunked()) {
                body = HttpMessage.readChunked(in, null);
            } else if (head.header("Content-Length") != null) {
                int n = Integer.parseInt(head.header("Content-Length").strip());
                body = in.readNBytes(n);
                if (body.length < n) {
                    throw new IOException("Body ended after " + body.length + " of " + n + " bytes");
                }
            } else {
                body = in.readAllBytes();
            }
            return new HttpMessage(head.startLine(), head.headers(), body);
        }
    }
}
