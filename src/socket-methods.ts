// The Socket class, whole: socket.ts defines the class with its sync calls;
// the modules below add the rest of its methods (declared here, with their
// documentation, and installed on Socket.prototype here, in one place).
// index.ts imports this module, so every Socket has all of them.
//
//   src/async.ts     the Promise twins of the calls that can wait, ref/unref
//   src/message.ts   sendmsg/recvmsg/recvmsg_into with ancillary data, their twins
//   src/mmsg.ts      recvmmsg/sendmmsg batches and their twins
//   src/sendfile.ts  sendfile and its twin
//   src/makefile.ts  makefile() file objects
//   src/streams.ts   Duplex and web streams, async iteration
//   src/interop.ts   toNetSocket
import type * as net from 'node:net';
import type { ReadableStream, WritableStream } from 'node:stream/web';
import { asyncMethods, type AsyncOptions } from './async';
import type { BufferedReader, BufferedRWPair, BufferedWriter } from './io/buffered';
import type { SocketIO } from './io/raw';
import type { TextIOWrapper } from './io/text';
import { interopMethods, type ToNetSocketOptions } from './interop';
import { makefileMethods, type BinaryMode, type MakefileOptions, type SocketFile } from './makefile';
import { messageMethods, type AfalgOptions, type AncillaryInput, type RecvmsgIntoResult, type RecvmsgResult } from './message';
import { mmsgMethods, type MmsgMessage, type RecvmmsgEntry, type RecvmmsgIntoEntry } from './mmsg';
import type { Bytes } from './native';
import { sendfileMethods, type SendfileSource } from './sendfile';
import { Socket, type Address, type AddressArg } from './socket';
import { streamMethods, type ReadableWebStreamOptions, type SocketDuplex, type SocketDuplexOptions, type WritableWebStreamOptions } from './streams';

declare module './socket' {
  interface Socket {
    // --- The async twins (src/async.ts).
    /** Promise twin of {@link Socket.accept}: resolves `[conn, address]`. */
    acceptAsync(options?: AsyncOptions): Promise<[Socket, Address]>;
    /** Promise twin of {@link Socket.connect}; host names are resolved without blocking the loop. */
    connectAsync(address: AddressArg, options?: AsyncOptions): Promise<void>;
    /** Promise twin of {@link Socket.connect_ex}: resolves 0 or an errno. */
    connect_exAsync(address: AddressArg, options?: AsyncOptions): Promise<number>;
    /**
     * Promise twin of {@link Socket.recv}; a `bufsize` of 0 resolves an empty Buffer at once, as recv(0) returns.
     * A twin waits for data, then makes one non-blocking receive: with `MSG_WAITALL` it resolves what that
     * receive brings, as Python's recv does on a socket with a timeout, not necessarily `bufsize` bytes.
     */
    recvAsync(bufsize: number, flags?: number, options?: AsyncOptions): Promise<Buffer>;
    /** {@link Socket.recvAsync} called as `recvAsync(bufsize, options?)`. */
    recvAsync(bufsize: number, options?: AsyncOptions): Promise<Buffer>;
    /**
     * Promise twin of {@link Socket.recv_into}; an empty `buffer` resolves 0 at once (`nbytes` 0 means all of `buffer`).
     * With `MSG_WAITALL`, as {@link Socket.recvAsync}: one receive once data is there.
     */
    recv_intoAsync(buffer: Bytes, nbytes?: number, flags?: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.recv_intoAsync} called as `recv_intoAsync(buffer, options?)`. */
    recv_intoAsync(buffer: Bytes, options?: AsyncOptions): Promise<number>;
    /** Promise twin of {@link Socket.recvfrom}. */
    recvfromAsync(bufsize: number, flags?: number, options?: AsyncOptions): Promise<[Buffer, Address]>;
    /** {@link Socket.recvfromAsync} called as `recvfromAsync(bufsize, options?)`. */
    recvfromAsync(bufsize: number, options?: AsyncOptions): Promise<[Buffer, Address]>;
    /** Promise twin of {@link Socket.recvfrom_into}. */
    recvfrom_intoAsync(buffer: Bytes, nbytes?: number, flags?: number, options?: AsyncOptions): Promise<[number, Address]>;
    /** {@link Socket.recvfrom_intoAsync} called as `recvfrom_intoAsync(buffer, options?)`. */
    recvfrom_intoAsync(buffer: Bytes, options?: AsyncOptions): Promise<[number, Address]>;
    /** Promise twin of {@link Socket.send}. */
    sendAsync(data: Bytes, flags?: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendAsync} called as `sendAsync(data, options?)`. */
    sendAsync(data: Bytes, options?: AsyncOptions): Promise<number>;
    /** Promise twin of {@link Socket.sendall}; the timeout bounds the whole call. */
    sendallAsync(data: Bytes, flags?: number, options?: AsyncOptions): Promise<void>;
    /** {@link Socket.sendallAsync} called as `sendallAsync(data, options?)`. */
    sendallAsync(data: Bytes, options?: AsyncOptions): Promise<void>;
    /** Promise twin of {@link Socket.sendto}. */
    sendtoAsync(data: Bytes, address: AddressArg, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendtoAsync} called as `sendtoAsync(data, flags, address, options?)`. */
    sendtoAsync(data: Bytes, flags: number, address: AddressArg, options?: AsyncOptions): Promise<number>;
    /** Lets a waiting async call keep the process alive (the default), as `net.Socket.ref()`. */
    ref(): this;
    /** Lets the process exit even while an async call waits, as `net.Socket.unref()`. */
    unref(): this;
    // --- Messages with ancillary data (src/message.ts).
    /**
     * Sends one message gathered from `buffers` (one iovec per buffer, no
     * copy), with control messages `ancdata` (`[cmsg_level, cmsg_type,
     * data]` items: SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO...), `flags`,
     * and for an unconnected socket a destination `address`. Returns the
     * number of data bytes sent.
     */
    sendmsg(buffers: Iterable<Bytes>, ancdata?: Iterable<AncillaryInput>, flags?: number, address?: AddressArg | null): number;
    /**
     * Receives at most `bufsize` bytes and up to `ancbufsize` bytes of
     * control messages (size it with CMSG_SPACE/CMSG_LEN; 0 receives none).
     * Returns `[data, ancdata, msg_flags, address]`; MSG_TRUNC and
     * MSG_CTRUNC in msg_flags tell that data or control messages did not
     * fit. Descriptors received through SCM_RIGHTS are close-on-exec.
     */
    recvmsg(bufsize: number, ancbufsize?: number, flags?: number): RecvmsgResult;
    /**
     * Like recvmsg, but scatters the data straight into `buffers`, filling
     * each in turn. Returns `[nbytes, ancdata, msg_flags, address]`.
     */
    recvmsg_into(buffers: Iterable<Bytes>, ancbufsize?: number, flags?: number): RecvmsgIntoResult;
    /**
     * For an AF_ALG operation socket: sends `msg` with the control messages
     * that set the operation, the IV and the AEAD associated-data length.
     */
    sendmsg_afalg(msg: Iterable<Bytes> | undefined | null, options: AfalgOptions): number;
    /** {@link Socket.sendmsg_afalg} called as `sendmsg_afalg(options)`. */
    sendmsg_afalg(options: AfalgOptions): number;
    /** Promise twin of {@link Socket.sendmsg}. */
    sendmsgAsync(
      buffers: Iterable<Bytes>,
      ancdata?: Iterable<AncillaryInput>,
      flags?: number,
      address?: AddressArg | null,
      options?: AsyncOptions,
    ): Promise<number>;
    /** {@link Socket.sendmsgAsync} called as `sendmsgAsync(buffers, ancdata, flags, options?)`. */
    sendmsgAsync(buffers: Iterable<Bytes>, ancdata: Iterable<AncillaryInput>, flags: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendmsgAsync} called as `sendmsgAsync(buffers, ancdata, options?)`. */
    sendmsgAsync(buffers: Iterable<Bytes>, ancdata: Iterable<AncillaryInput>, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendmsgAsync} called as `sendmsgAsync(buffers, options?)`. */
    sendmsgAsync(buffers: Iterable<Bytes>, options?: AsyncOptions): Promise<number>;
    /**
     * Promise twin of {@link Socket.recvmsg}. Aborting it or timing out
     * consumes nothing: the message and the descriptors it carries stay
     * queued for the next call.
     */
    recvmsgAsync(bufsize: number, ancbufsize?: number, flags?: number, options?: AsyncOptions): Promise<RecvmsgResult>;
    /** {@link Socket.recvmsgAsync} called as `recvmsgAsync(bufsize, ancbufsize, options?)`. */
    recvmsgAsync(bufsize: number, ancbufsize: number, options?: AsyncOptions): Promise<RecvmsgResult>;
    /** {@link Socket.recvmsgAsync} called as `recvmsgAsync(bufsize, options?)`. */
    recvmsgAsync(bufsize: number, options?: AsyncOptions): Promise<RecvmsgResult>;
    /** Promise twin of {@link Socket.recvmsg_into}. */
    recvmsg_intoAsync(buffers: Iterable<Bytes>, ancbufsize?: number, flags?: number, options?: AsyncOptions): Promise<RecvmsgIntoResult>;
    /** {@link Socket.recvmsg_intoAsync} called as `recvmsg_intoAsync(buffers, ancbufsize, options?)`. */
    recvmsg_intoAsync(buffers: Iterable<Bytes>, ancbufsize: number, options?: AsyncOptions): Promise<RecvmsgIntoResult>;
    /** {@link Socket.recvmsg_intoAsync} called as `recvmsg_intoAsync(buffers, options?)`. */
    recvmsg_intoAsync(buffers: Iterable<Bytes>, options?: AsyncOptions): Promise<RecvmsgIntoResult>;
    // --- Batch datagram calls (src/mmsg.ts).
    /**
     * Receives up to `vlen` datagrams (1 to 1024) of at most `bufsize` bytes
     * each, in one system call (recvmmsg(2) with MSG_WAITFORONE on Linux).
     * Waits as `recvfrom` does for the first datagram only (blocking mode:
     * until one arrives; timeout mode: at most the timeout, then
     * TimeoutError; non-blocking: BlockingIOError when none is queued), then
     * returns it with every datagram already queued behind it, in order:
     * an array of `[data, address, msg_flags]`, never empty. A datagram
     * longer than `bufsize` is cut to `bufsize` bytes and has MSG_TRUNC in
     * its msg_flags (the rest is discarded, as with recvfrom). With
     * MSG_PEEK in `flags` the kernel returns the first datagram `vlen`
     * times: peek with vlen 1.
     *
     * `const batch = sock.recvmmsg(64, 2048); for (const [data, addr] of batch) ...`
     */
    recvmmsg(vlen: number, bufsize: number, flags?: number): RecvmmsgEntry[];
    /**
     * Like {@link Socket.recvmmsg}, but each datagram lands straight in one
     * of `buffers` (1 to 1024 bytes-like objects, one datagram each, in
     * order): no data is copied or allocated. Returns an array of
     * `[nbytes, address, msg_flags]`, one per buffer filled (never empty):
     * datagram i is in `buffers[i].subarray(0, nbytes)`. With MSG_TRUNC
     * in `flags`, nbytes is the datagram's real length (Linux).
     */
    recvmmsg_into(buffers: Iterable<Bytes>, flags?: number): RecvmmsgIntoEntry[];
    /**
     * Sends up to 1024 datagrams in one system call (sendmmsg(2)), each
     * `[data, address]`, or `[data]` / `data` alone on a connected socket.
     * Returns how many were sent, in order from the first: the kernel may
     * stop early (a full send buffer on a non-blocking socket, an error
     * after the first datagram, whose error is then not reported), so send
     * the rest with another call. An empty list sends nothing and returns 0.
     * Waits as `sendto` does when not even the first datagram can go.
     */
    sendmmsg(messages: Iterable<MmsgMessage>, flags?: number): number;
    /**
     * Promise twin of {@link Socket.recvmmsg}: one system call per wake-up,
     * resolving with every datagram that is ready (up to `vlen`). Aborting it
     * or timing out consumes nothing.
     */
    recvmmsgAsync(vlen: number, bufsize: number, flags?: number, options?: AsyncOptions): Promise<RecvmmsgEntry[]>;
    /** {@link Socket.recvmmsgAsync} called as `recvmmsgAsync(vlen, bufsize, options?)`. */
    recvmmsgAsync(vlen: number, bufsize: number, options?: AsyncOptions): Promise<RecvmmsgEntry[]>;
    /**
     * Promise twin of {@link Socket.recvmmsg_into}. The buffers are written
     * only when the Promise resolves; aborting it consumes nothing.
     */
    recvmmsg_intoAsync(buffers: Iterable<Bytes>, flags?: number, options?: AsyncOptions): Promise<RecvmmsgIntoEntry[]>;
    /** {@link Socket.recvmmsg_intoAsync} called as `recvmmsg_intoAsync(buffers, options?)`. */
    recvmmsg_intoAsync(buffers: Iterable<Bytes>, options?: AsyncOptions): Promise<RecvmmsgIntoEntry[]>;
    /**
     * Promise twin of {@link Socket.sendmmsg}: resolves with how many
     * datagrams one sendmmsg sent (all of them unless the send buffer
     * filled up or an error stopped the batch).
     */
    sendmmsgAsync(messages: Iterable<MmsgMessage>, flags?: number, options?: AsyncOptions): Promise<number>;
    /** {@link Socket.sendmmsgAsync} called as `sendmmsgAsync(messages, options?)`. */
    sendmmsgAsync(messages: Iterable<MmsgMessage>, options?: AsyncOptions): Promise<number>;
    // --- sendfile (src/sendfile.ts).
    /**
     * Sends a file until EOF (or `count` bytes from `offset`) with the
     * kernel's zero-copy sendfile(2), falling back to read + send where the
     * kernel call does not apply, as Python does. Returns the bytes sent and
     * leaves the file position after the last byte sent. Stream sockets in
     * blocking or timeout mode only.
     */
    sendfile(file: SendfileSource, offset?: number, count?: number | null): number;
    /** Promise twin of {@link Socket.sendfile}; never blocks the event loop. */
    sendfileAsync(file: SendfileSource, offset?: number, count?: number | null, options?: AsyncOptions): Promise<number>;
    // --- File objects (src/makefile.ts).
    /**
     * A file object on the socket, as Python's `socket.makefile()`:
     * `mode` is made of `r`, `w` and `b` (default `'r'`). Binary modes give
     * a {@link BufferedReader} (`'rb'`), {@link BufferedWriter} (`'wb'`) or
     * {@link BufferedRWPair} (`'rwb'`), or with `buffering` 0 the unbuffered
     * {@link SocketIO}; text modes give a {@link TextIOWrapper} over one of
     * those. `buffering` is the buffer size (default 8192). The socket's
     * descriptor stays open while the file is, even after `close()` of the
     * socket. The socket should be in blocking mode or have a timeout;
     * after a timeout the file refuses to read.
     */
    makefile(mode: BinaryMode, buffering: 0, options?: MakefileOptions): SocketIO;
    /** `makefile(mode, buffering?, options?)` with `mode` 'rb' or 'br' or 'b': returns a {@link BufferedReader}. */
    makefile(mode: 'rb' | 'br' | 'b', buffering?: number | null, options?: MakefileOptions): BufferedReader;
    /** `makefile(mode, buffering?, options?)` with `mode` 'wb' or 'bw': returns a {@link BufferedWriter}. */
    makefile(mode: 'wb' | 'bw', buffering?: number | null, options?: MakefileOptions): BufferedWriter;
    /** `makefile(mode, buffering?, options?)` with `mode` 'rwb' or 'rbw' or 'wrb' or 'wbr' or 'brw' or 'bwr': returns a {@link BufferedRWPair}. */
    makefile(mode: 'rwb' | 'rbw' | 'wrb' | 'wbr' | 'brw' | 'bwr', buffering?: number | null, options?: MakefileOptions): BufferedRWPair;
    /** `makefile(mode?, buffering?, options?)` with `mode` 'r' or 'w' or 'rw' or 'wr' or '': returns a {@link TextIOWrapper}. */
    makefile(mode?: 'r' | 'w' | 'rw' | 'wr' | '', buffering?: number | null, options?: MakefileOptions): TextIOWrapper;
    /** `makefile(mode, options)` with `mode` 'r' or 'w' or 'rw' or 'wr' or '': returns a {@link TextIOWrapper}. */
    makefile(mode: 'r' | 'w' | 'rw' | 'wr' | '', options: MakefileOptions): TextIOWrapper;
    /** `makefile(mode?, buffering?, options?)` with any `mode` string: returns one of the {@link SocketFile} kinds. */
    makefile(mode?: string, buffering?: number | null | MakefileOptions, options?: MakefileOptions): SocketFile;
    // --- Streams (src/streams.ts).
    /**
     * A Node `stream.Duplex` ({@link SocketDuplex}) over this connected
     * SOCK_STREAM socket (TCP, AF_UNIX, a socketpair), with backpressure:
     * it receives only while its readable buffer is below the high-water
     * mark, and a write's callback waits until the kernel took the data.
     * `end()` sends FIN (`shutdown(SHUT_WR)`); the stream ends at the
     * peer's EOF; errors are `'error'` events with the `OSError`. As a
     * net.Socket, by default (`allowHalfOpen: false`) it ends its writing
     * side once the peer's ends, and `destroy()` closes the socket (keep
     * it open with `close: false`). While the stream is in use, do not
     * read from the socket directly. The socket's timeout, if any, bounds
     * every wait: an idle stream then errors with `TimeoutError`.
     */
    toDuplex(options?: SocketDuplexOptions): SocketDuplex;
    /**
     * A WHATWG `ReadableStream` of bytes (`type: 'bytes'`, so BYOB readers
     * work) over this connected SOCK_STREAM socket. It is pull-based with a
     * high-water mark of 0: it receives only for a pending `read()`, straight
     * into the reader's buffer, so cancelling loses nothing the reader has
     * not been given; what the kernel holds stays there for the socket's
     * next reader. It closes at the peer's EOF. The socket stays open
     * unless `close: true`.
     */
    readableWebStream(options?: ReadableWebStreamOptions): ReadableStream<Uint8Array>;
    /**
     * A WHATWG `WritableStream` of bytes (any `ArrayBufferView` or
     * `ArrayBuffer`; a string is a TypeError, pipe text through
     * `TextEncoderStream`) over this connected SOCK_STREAM socket. Each
     * chunk is sent with `sendallAsync`; `writer.ready` waits while more
     * than `highWaterMark` bytes are queued. `close()` sends FIN
     * (`shutdown(SHUT_WR)`); `abort()` cancels the send under way (part of
     * that chunk may have gone out). The socket stays open unless `close: true`.
     */
    writableWebStream(options?: WritableWebStreamOptions): WritableStream<ArrayBufferView | ArrayBuffer>;
    /**
     * `for await (const chunk of sock)`: Buffers of at most 64 KiB, as
     * they arrive, until the peer's EOF. Receives only when the loop asks
     * for the next chunk, so `break` leaves unread data in the kernel; the
     * socket stays open (close it, or declare it with `using`). Stream
     * sockets only (SOCK_STREAM, SOCK_SEQPACKET).
     */
    [Symbol.asyncIterator](): AsyncGenerator<Buffer, void, undefined>;
    // --- Node's net.Socket (src/interop.ts).
    /**
     * Hands this connected SOCK_STREAM socket (AF_INET, AF_INET6 or AF_UNIX)
     * over to a new `net.Socket`, which can then go to `tls.connect({ socket })`,
     * an `http` server's `'connection'` event, or anything else that takes a
     * net.Socket. The descriptor is moved, not duplicated: this Socket is
     * detached (closed, `fileno()` -1, its pending async calls rejected with
     * EBADF) and the net.Socket owns the descriptor and closes it when it is
     * destroyed. Keep a second handle first with `sock.dup()` if you need one.
     * The net.Socket is readable and writable (pass `readable: false` or
     * `writable: false` to change that) and, as net's default, not
     * half-open. A socket that is not connected raises OSError ENOTCONN
     * and stays as it was.
     */
    toNetSocket(options?: ToNetSocketOptions): net.Socket;
  }
}

Object.assign(Socket.prototype, asyncMethods, messageMethods, mmsgMethods, sendfileMethods, makefileMethods, streamMethods, interopMethods);
