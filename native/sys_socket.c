/* Socket system calls. Each returns -errno as a number on failure and
 * retries EINTR itself (except connect, whose EINTR the caller must see). */
#include "bsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on every socket instead */
#endif

#define INT_ARG(i, var)                                          \
  int32_t var;                                                   \
  if (bsd_read_int32(env, argv[i], &var)) return BSD_REFUSE(env)

#define RETRY(expr) \
  do { r = (expr); } while (r < 0 && errno == EINTR)

/* The data calls as plain system calls on Linux. glibc's send()/recv()
 * are pthread cancellation points: in a multi-threaded process (Node
 * always is) each call switches asynchronous cancellation on and off
 * around the system call, which costs about as much as the rest of the
 * binding. Nothing cancels the JS thread, so the plain system call is
 * the same call, cheaper. */
#ifdef __linux__
#include <sys/syscall.h>
#endif
#if defined(__linux__) && defined(SYS_sendto) && defined(SYS_recvfrom)
#define sys_sendto(fd, buf, len, flags, addr, alen) \
  ((ssize_t)syscall(SYS_sendto, (long)(fd), (buf), (size_t)(len), (long)(flags), (addr), (long)(alen)))
#define sys_recvfrom(fd, buf, len, flags, addr, alen) \
  ((ssize_t)syscall(SYS_recvfrom, (long)(fd), (buf), (size_t)(len), (long)(flags), (addr), (alen)))
#else
#define sys_sendto(fd, buf, len, flags, addr, alen) sendto((fd), (buf), (len), (flags), (addr), (alen))
#define sys_recvfrom(fd, buf, len, flags, addr, alen) recvfrom((fd), (buf), (len), (flags), (addr), (alen))
#endif

/* Close-on-exec (and on macOS, no SIGPIPE) for a descriptor we created
 * without SOCK_CLOEXEC. */
static int prepare_fd(int fd) {
#ifndef SOCK_CLOEXEC
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return -1;
#endif
#ifdef SO_NOSIGPIPE
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
  return 0;
}

static int cloexec_type(int type) {
#ifdef SOCK_CLOEXEC
  return type | SOCK_CLOEXEC;
#else
  return type;
#endif
}

static napi_value js_socket(napi_env env, napi_callback_info info) {
  ARGS(3);
  INT_ARG(0, family);
  INT_ARG(1, type);
  INT_ARG(2, proto);
  int fd = socket(family, cloexec_type(type), proto);
  if (fd < 0) return bsd_errno(env, errno);
  if (prepare_fd(fd) < 0) {
    int e = errno;
    close(fd);
    return bsd_errno(env, e);
  }
  return bsd_int(env, fd);
}

static napi_value js_socketpair(napi_env env, napi_callback_info info) {
  ARGS(3);
  INT_ARG(0, family);
  INT_ARG(1, type);
  INT_ARG(2, proto);
  int sv[2];
  if (socketpair(family, cloexec_type(type), proto, sv) < 0) return bsd_errno(env, errno);
  if (prepare_fd(sv[0]) < 0 || prepare_fd(sv[1]) < 0) {
    int e = errno;
    close(sv[0]);
    close(sv[1]);
    return bsd_errno(env, e);
  }
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, bsd_int(env, sv[0]));
  napi_set_element(env, arr, 1, bsd_int(env, sv[1]));
  return arr;
}

/* bind(fd, family, address) / connect(fd, family, address) */
static napi_value addr_call(napi_env env, napi_callback_info info, int is_connect) {
  ARGS(3);
  INT_ARG(0, fd);
  INT_ARG(1, family);
  struct sockaddr_storage ss;
  socklen_t len;
  int e = bsd_sockaddr_encode(env, family, argv[2], &ss, &len);
  if (e < 0) return bsd_int(env, e);
  int r;
  if (is_connect) {
    r = connect(fd, (struct sockaddr *)&ss, len);
  } else {
    RETRY(bind(fd, (struct sockaddr *)&ss, len));
  }
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, 0);
}

static napi_value js_bind(napi_env env, napi_callback_info info) { return addr_call(env, info, 0); }
static napi_value js_connect(napi_env env, napi_callback_info info) { return addr_call(env, info, 1); }

static napi_value js_listen(napi_env env, napi_callback_info info) {
  ARGS(2);
  INT_ARG(0, fd);
  INT_ARG(1, backlog);
  return listen(fd, backlog) < 0 ? bsd_errno(env, errno) : bsd_int(env, 0);
}

/* Puts an IP peer's address in out[1..] for TypeScript to make its Python
 * form (see recvfrom): out[1] is 4 or 6; IPv4: out[2] the address in host
 * order, out[3] the port; IPv6: out[2..5] the 16 address bytes as they
 * are, out[6] the port, out[7] the flow info, out[8] the scope id. 1 if
 * the address was put there, 0 for any other family. */
static int put_ip_peer(int32_t *out, const struct sockaddr_storage *ss, socklen_t len) {
  if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
    out[1] = 4;
    out[2] = (int32_t)ntohl(sin->sin_addr.s_addr);
    out[3] = ntohs(sin->sin_port);
    return 1;
  }
  if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    out[1] = 6;
    memcpy(out + 2, &sin6->sin6_addr, 16);
    out[6] = ntohs(sin6->sin6_port);
    out[7] = (int32_t)ntohl(sin6->sin6_flowinfo);
    out[8] = (int32_t)sin6->sin6_scope_id;
    return 1;
  }
  return 0;
}

/* The length of the out array of recvfrom and accept. */
#define PEER_OUT 9

/* accept(fd, out) -> -errno, or the peer's address with the new
 * descriptor (close-on-exec) in out[0]; an IP peer is undefined with its
 * address in out[1..], as recvfrom's sender. out[0] is -1 unless a
 * connection was accepted. */
static napi_value js_accept(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t *out;
  if (bsd_read_int32s(env, argv[1], PEER_OUT, &out)) return BSD_REFUSE(env);
  out[0] = -1;
  INT_ARG(0, fd);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  int r;
  memset(&ss, 0, sizeof ss);
#if defined(__linux__) && defined(SOCK_CLOEXEC)
  RETRY(accept4(fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC));
#else
  RETRY(accept(fd, (struct sockaddr *)&ss, &len));
  if (r >= 0 && prepare_fd(r) < 0) {
    int e = errno;
    close(r);
    return bsd_errno(env, e);
  }
#endif
  if (r < 0) return bsd_errno(env, errno);
  if (put_ip_peer(out, &ss, len)) {
    out[0] = r;
    return bsd_undefined(env);
  }
  napi_value addr = bsd_sockaddr_decode(env, (struct sockaddr *)&ss, len);
  if (addr == NULL) {
    close(r);
    return NULL;
  }
  out[0] = r;
  return addr;
}

/* send(fd, buf, offset, length, flags) -> bytes sent or -errno */
static napi_value js_send(napi_env env, napi_callback_info info) {
  ARGS(5);
  INT_ARG(0, fd);
  char *data;
  size_t len;
  if (bsd_read_span(env, argv + 1, &data, &len)) return BSD_REFUSE(env);
  INT_ARG(4, flags);
  ssize_t r;
  RETRY(sys_sendto(fd, data, len, flags | MSG_NOSIGNAL, NULL, 0));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* sendbuf(fd, buf, flags): send() of the whole buffer, without the offset
 * and length arguments to read (the common case). */
static napi_value js_sendbuf(napi_env env, napi_callback_info info) {
  ARGS(3);
  INT_ARG(0, fd);
  void *data;
  size_t len;
  if (bsd_read_bytes(env, argv[1], &data, &len)) return BSD_REFUSE(env);
  INT_ARG(2, flags);
  ssize_t r;
  RETRY(sys_sendto(fd, data, len, flags | MSG_NOSIGNAL, NULL, 0));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* sendto(fd, buf, offset, length, flags, family, address) */
static napi_value js_sendto(napi_env env, napi_callback_info info) {
  ARGS(7);
  INT_ARG(0, fd);
  char *data;
  size_t len;
  if (bsd_read_span(env, argv + 1, &data, &len)) return BSD_REFUSE(env);
  INT_ARG(4, flags);
  INT_ARG(5, family);
  struct sockaddr_storage ss;
  socklen_t alen;
  int e = bsd_sockaddr_encode(env, family, argv[6], &ss, &alen);
  if (e < 0) return bsd_int(env, e);
  ssize_t r;
  RETRY(sys_sendto(fd, data, len, flags | MSG_NOSIGNAL, (struct sockaddr *)&ss, alen));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* sendto_sockaddr(fd, buf, offset, length, flags, sockaddr) -> bytes sent or
 * -errno: sendto() to a struct sockaddr already encoded (sockaddr_encode's
 * Buffer), so a destination used again is not converted again. */
static napi_value js_sendto_sockaddr(napi_env env, napi_callback_info info) {
  ARGS(6);
  INT_ARG(0, fd);
  char *data;
  size_t len;
  if (bsd_read_span(env, argv + 1, &data, &len)) return BSD_REFUSE(env);
  INT_ARG(4, flags);
  void *sa;
  size_t salen;
  if (bsd_read_bytes(env, argv[5], &sa, &salen) || salen == 0 || salen > sizeof(struct sockaddr_storage))
    return BSD_REFUSE(env);
  ssize_t r;
  RETRY(sys_sendto(fd, data, len, flags | MSG_NOSIGNAL, (const struct sockaddr *)sa, (socklen_t)salen));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* recv(fd, buf, offset, length, flags) -> bytes received or -errno */
static napi_value js_recv(napi_env env, napi_callback_info info) {
  ARGS(5);
  INT_ARG(0, fd);
  char *data;
  size_t len;
  if (bsd_read_span(env, argv + 1, &data, &len)) return BSD_REFUSE(env);
  INT_ARG(4, flags);
  ssize_t r;
  RETRY(sys_recvfrom(fd, data, len, flags, NULL, NULL));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* recvbuf(fd, buf, flags): recv() into the whole buffer. */
static napi_value js_recvbuf(napi_env env, napi_callback_info info) {
  ARGS(3);
  INT_ARG(0, fd);
  void *data;
  size_t len;
  if (bsd_read_bytes(env, argv[1], &data, &len)) return BSD_REFUSE(env);
  INT_ARG(2, flags);
  ssize_t r;
  RETRY(sys_recvfrom(fd, data, len, flags, NULL, NULL));
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
}

/* recvfrom(fd, buf, offset, length, flags, out) -> -errno, or the sender's
 * address with the byte count in out[0]. An IP sender is returned as
 * undefined with its address in out[1..] (put_ip_peer): TypeScript builds
 * the Python form, which costs far less there than arrays and a string
 * made through Node-API (two thirds of the call).
 * Any other address is the codec's value (or its negative errno). out[0]
 * is -1 unless the call succeeded, so a negative errno and a codec's are
 * told apart. */
static napi_value js_recvfrom(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t *out;
  if (bsd_read_int32s(env, argv[5], PEER_OUT, &out)) return BSD_REFUSE(env);
  out[0] = -1;
  INT_ARG(0, fd);
  char *data;
  size_t len;
  if (bsd_read_span(env, argv + 1, &data, &len)) return BSD_REFUSE(env);
  INT_ARG(4, flags);
  struct sockaddr_storage ss;
  socklen_t alen = sizeof ss;
  ssize_t r;
  RETRY(sys_recvfrom(fd, data, len, flags, (struct sockaddr *)&ss, &alen));
  if (r < 0) return bsd_errno(env, errno);
  out[0] = r > INT32_MAX ? INT32_MAX : (int32_t)r;
  if (put_ip_peer(out, &ss, alen)) return bsd_undefined(env);
  return bsd_sockaddr_decode(env, (struct sockaddr *)&ss, alen);
}

static napi_value js_shutdown(napi_env env, napi_callback_info info) {
  ARGS(2);
  INT_ARG(0, fd);
  INT_ARG(1, how);
  return shutdown(fd, how) < 0 ? bsd_errno(env, errno) : bsd_int(env, 0);
}

static napi_value name_call(napi_env env, napi_callback_info info, int peer) {
  ARGS(1);
  INT_ARG(0, fd);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  memset(&ss, 0, sizeof ss);
  int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len)
               : getsockname(fd, (struct sockaddr *)&ss, &len);
  if (r < 0) return bsd_errno(env, errno);
  return bsd_sockaddr_decode(env, (struct sockaddr *)&ss, len);
}

static napi_value js_getsockname(napi_env env, napi_callback_info info) { return name_call(env, info, 0); }
static napi_value js_getpeername(napi_env env, napi_callback_info info) { return name_call(env, info, 1); }

/* setsockopt(fd, level, option, value, optlen): value is a number (an int
 * option), a bytes-like object, or null (a NULL pointer with optlen). */
static napi_value js_setsockopt(napi_env env, napi_callback_info info) {
  ARGS(5);
  INT_ARG(0, fd);
  INT_ARG(1, level);
  INT_ARG(2, opt);
  napi_valuetype t;
  napi_typeof(env, argv[3], &t);
  int r;
  if (t == napi_number) {
    int32_t v;
    if (bsd_read_int32(env, argv[3], &v)) return BSD_REFUSE(env);
    int iv = v;
    r = setsockopt(fd, level, opt, &iv, sizeof iv);
  } else if (t == napi_null) {
    uint32_t optlen;
    if (bsd_read_uint32(env, argv[4], &optlen)) return BSD_REFUSE(env);
    r = setsockopt(fd, level, opt, NULL, optlen);
  } else {
    void *data;
    size_t len;
    if (bsd_read_bytes(env, argv[3], &data, &len)) return BSD_REFUSE(env);
    r = setsockopt(fd, level, opt, data, (socklen_t)len);
  }
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, 0);
}

/* getsockopt(fd, level, option, buffer) -> the option's length, written
 * into buffer, or -errno. */
static napi_value js_getsockopt(napi_env env, napi_callback_info info) {
  ARGS(4);
  INT_ARG(0, fd);
  INT_ARG(1, level);
  INT_ARG(2, opt);
  void *data;
  size_t len;
  if (bsd_read_bytes(env, argv[3], &data, &len)) return BSD_REFUSE(env);
  socklen_t olen = (socklen_t)len;
  if (getsockopt(fd, level, opt, data, &olen) < 0) return bsd_errno(env, errno);
  return bsd_int(env, olen);
}

/* sockinfo(fd) -> [family, type, proto] read from the kernel, or -errno. */
static napi_value js_sockinfo(napi_env env, napi_callback_info info) {
  ARGS(1);
  INT_ARG(0, fd);
  int family = 0, type = 0, proto = 0;
  socklen_t l = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0) return bsd_errno(env, errno);
#ifdef SO_DOMAIN
  l = sizeof family;
  if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &l) < 0) return bsd_errno(env, errno);
#else
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  memset(&ss, 0, sizeof ss);
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) return bsd_errno(env, errno);
  family = ss.ss_family;
#endif
#ifdef SO_PROTOCOL
  l = sizeof proto;
  if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &l) < 0) return bsd_errno(env, errno);
#endif
  napi_value arr;
  napi_create_array_with_length(env, 3, &arr);
  napi_set_element(env, arr, 0, bsd_int(env, family));
  napi_set_element(env, arr, 1, bsd_int(env, type));
  napi_set_element(env, arr, 2, bsd_int(env, proto));
  return arr;
}

void bsd_init_socket(napi_env env, napi_value exports) {
  bsd_export(env, exports, "socket", js_socket);
  bsd_export(env, exports, "socketpair", js_socketpair);
  bsd_export(env, exports, "bind", js_bind);
  bsd_export(env, exports, "connect", js_connect);
  bsd_export(env, exports, "listen", js_listen);
  bsd_export(env, exports, "accept", js_accept);
  bsd_export(env, exports, "send", js_send);
  bsd_export(env, exports, "sendbuf", js_sendbuf);
  bsd_export(env, exports, "sendto", js_sendto);
  bsd_export(env, exports, "sendto_sockaddr", js_sendto_sockaddr);
  bsd_export(env, exports, "recv", js_recv);
  bsd_export(env, exports, "recvbuf", js_recvbuf);
  bsd_export(env, exports, "recvfrom", js_recvfrom);
  bsd_export(env, exports, "shutdown", js_shutdown);
  bsd_export(env, exports, "getsockname", js_getsockname);
  bsd_export(env, exports, "getpeername", js_getpeername);
  bsd_export(env, exports, "setsockopt", js_setsockopt);
  bsd_export(env, exports, "getsockopt", js_getsockopt);
  bsd_export(env, exports, "sockinfo", js_sockinfo);
}
