package io.auditalert.ingest;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** Byte sources for the framer: stdin (socket or pipe/file), a file, a channel. */
public final class Inputs {
    private Inputs() {}

    /**
     * Standard input. Under auditd it is one end of a socketpair, which {@link
     * System#inheritedChannel()} returns as a channel; a pipe or a file gives null there and is read
     * as a plain stream.
     */
    public static LineFramer.ByteSource stdin() throws IOException {
        Channel inherited = System.inheritedChannel();
        if (inherited instanceof ReadableByteChannel) {
            return channel((ReadableByteChannel) inherited);
        }
        return stream(new FileInputStream(FileDescriptor.in));
    }

    public static LineFramer.ByteSource file(Path path) throws IOException {
        return stream(Files.newInputStream(path));
    }

    public static LineFramer.ByteSource stream(InputStream in) {
        return in::read;
    }

    public static LineFramer.ByteSource channel(ReadableByteChannel ch) {
        return new LineFramer.ByteSource() {
            private ByteBuffer view;
            private byte[] array;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (array != buf) {
                    array = buf;
                    view = ByteBuffer.wrap(buf);
                }
                view.limit(off + len).position(off);
                return ch.read(view);
            }
        };
    }
}
