package dev.portway.desktop.engine.share;

import dev.portway.shared.protocol.Header;

import java.nio.file.Path;
import java.util.List;

/**
 * What the folder answers one request: a head and either a small body in memory (pages, listings) or a byte range
 * of a file, streamed when it is sent.
 *
 * @param bytes the body when it is in memory, else null
 * @param file  the file to stream from when {@code bytes} is null, or null for no body
 * @param range the bytes of {@code file} to send
 */
record Answer(int status, String reason, List<Header> headers, byte[] bytes, Path file, ByteRange range) {
    long bodyLength() {
        return bytes != null ? bytes.length : file != null ? range.length() : 0;
    }
}
