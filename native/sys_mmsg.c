/* Batch datagram I/O: recvmmsg(2)/sendmmsg(2), many datagrams per system
 * call. Mechanism only, as sys_msg.c: TypeScript validates the arguments
 * and shapes the results; this file points one iovec per message at the
 * caller's memory (no copies), makes the call, decodes the senders'
 * addresses and returns -errno on failure.
 *
 * Where the batch calls do not exist (macOS), a loop of recvmsg/sendmsg
 * stands in: the first recvmsg may wait as the socket's mode says, the
 * others add MSG_DONTWAIT, so the loop returns what is ready as recvmmsg
 * with MSG_WAITFORONE does. An error after the first message ends the
 * loop and is dropped, as sendmmsg drops it. The loop can be forced on
 * Linux (mmsg_loop) so the tests cover it. */
#include "bsd.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on every socket instead */
#endif
#ifndef MSG_DONTWAIT
#define MSG_DONTWAIT 0
#endif

#if defined(MSG_WAITFORONE) && (defined(__linux__) || defined(__FreeBSD__) || defined(__NetBSD__))
#define HAVE_MMSG 1
#else
#define HAVE_MMSG 0
struct mmsghdr {
  struct msghdr msg_hdr;
  unsigned int msg_len;
};
#endif

/* Linux's UIO_MAXIOV: the most messages one call takes (TypeScript
 * enforces the same bound). */
#define MMSG_MAX 1024
/* Batches of up to this many messages keep their headers on the stack. */
#define MMSG_ON_STACK 32

/* Set by mmsg_loop(true): use the recvmsg/sendmsg loop even where the
 * batch calls exist (a test seam). */
static int force_loop = 0;

/* The per-call arrays: message headers, one iovec and one address slot
 * per message: on the stack for small batches, else in the environment's
 * scratch block, grown as needed and kept, so a batch costs no malloc. */
typedef struct {
  struct mmsghdr *msgs;
  struct iovec *iov;
  struct sockaddr_storage *names;
  struct mmsghdr stack_msgs[MMSG_ON_STACK];
  struct iovec stack_iov[MMSG_ON_STACK];
  struct sockaddr_storage stack_names[MMSG_ON_STACK];
} mmsg_block;

static int block_init(napi_env env, mmsg_block *b, uint32_t n) {
  if (n <= MMSG_ON_STACK) {
    b->msgs = b->stack_msgs;
    b->iov = b->stack_iov;
    b->names = b->stack_names;
    return 0;
  }
  bsd_env *e = bsd_env_get(env);
  if (e == NULL) return -ENOMEM;
  /* One block, widest alignment first. */
  size_t need = (size_t)n * (sizeof(struct sockaddr_storage) + sizeof(struct mmsghdr) + sizeof(struct iovec));
  if (e->mmsg_scratch_len < need) {
    void *p = realloc(e->mmsg_scratch, need);
    if (p == NULL) return -ENOMEM;
    e->mmsg_scratch = p;
    e->mmsg_scratch_len = need;
  }
  char *p = e->mmsg_scratch;
  b->names = (struct sockaddr_storage *)p;
  b->msgs = (struct mmsghdr *)(p + (size_t)n * sizeof(struct sockaddr_storage));
  b->iov = (struct iovec *)((char *)b->msgs + (size_t)n * sizeof(struct mmsghdr));
  return 0;
}

/* Receives up to n messages, waiting (as the descriptor and flags say)
 * only for the first: the count, or -errno when none came. */
static int recv_batch(int fd, struct mmsghdr *m, uint32_t n, int flags) {
#if HAVE_MMSG
  if (!force_loop) {
    int r;
    do {
      r = recvmmsg(fd, m, n, flags | MSG_WAITFORONE, NULL);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
  }
#endif
  uint32_t i;
  for (i = 0; i < n; i++) {
    ssize_t r;
    int f = i == 0 ? flags : flags | MSG_DONTWAIT;
    do {
      r = recvmsg(fd, &m[i].msg_hdr, f);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (i == 0) return -errno;
      break;
    }
    m[i].msg_len = (unsigned int)r;
  }
  return (int)i;
}

/* Sends the n messages in order: how many went, or -errno when the first
 * failed (a later error stops the batch and is dropped, as in sendmmsg). */
static int send_batch(int fd, struct mmsghdr *m, uint32_t n, int flags) {
  flags |= MSG_NOSIGNAL;
#if HAVE_MMSG
  if (!force_loop) {
    int r;
    do {
      r = sendmmsg(fd, m, n, flags);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
  }
#endif
  uint32_t i;
  for (i = 0; i < n; i++) {
    ssize_t r;
    do {
      r = sendmsg(fd, &m[i].msg_hdr, flags);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
      if (i == 0) return -errno;
      break;
    }
    m[i].msg_len = (unsigned int)r;
  }
  return (int)i;
}

/* mmsg_recv(fd, target, bufsize, vlen, flags, meta) -> addresses or -errno.
 * target is either an array of bytes-like objects, one message each (then
 * bufsize and vlen are ignored), or one bytes-like slab cut into vlen
 * slots of bufsize bytes. On success meta holds msg_len and msg_flags of
 * each message received, and the result is the array of their senders'
 * addresses (one per message; a message from the same address as the one
 * before it gets the same JS value, which TypeScript copies). */
static napi_value js_mmsg_recv(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t fd, flags;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[4], &flags)) return BSD_REFUSE(env);
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  uint32_t n = 0;
  void *slab = NULL;
  size_t slab_len = 0;
  int64_t bufsize = 0;
  if (is_array) {
    napi_get_array_length(env, argv[1], &n);
    if (n < 1 || n > MMSG_MAX) return BSD_REFUSE(env);
  } else {
    if (bsd_read_bytes(env, argv[1], &slab, &slab_len)) return BSD_REFUSE(env);
    if (bsd_read_int64(env, argv[2], &bufsize)) return BSD_REFUSE(env);
    if (bsd_read_uint32(env, argv[3], &n)) return BSD_REFUSE(env);
    if (n < 1 || n > MMSG_MAX || bufsize < 0 || (uint64_t)bufsize > slab_len / n) return BSD_REFUSE(env);
  }
  int32_t *meta;
  if (bsd_read_int32s(env, argv[5], 2 * (size_t)n, &meta)) return BSD_REFUSE(env);

  mmsg_block b;
  int e = block_init(env, &b, n);
  if (e < 0) return bsd_errno(env, -e);
  for (uint32_t i = 0; i < n; i++) {
    if (is_array) {
      napi_value item;
      void *data;
      size_t len;
      if (napi_get_element(env, argv[1], i, &item) != napi_ok) return bsd_fail(env, "recvmmsg: bad buffer");
      if (bsd_read_bytes(env, item, &data, &len)) return BSD_REFUSE(env);
      b.iov[i].iov_base = data;
      b.iov[i].iov_len = len;
    } else {
      b.iov[i].iov_base = (char *)slab + (size_t)i * (size_t)bufsize;
      b.iov[i].iov_len = (size_t)bufsize;
    }
    /* Every field the kernel reads, and nothing more: a batch of 256 of
     * which one datagram arrives costs no clearing of the other slots'
     * names (the kernel writes a name and its length for what it fills). */
    struct msghdr *h = &b.msgs[i].msg_hdr;
    h->msg_name = &b.names[i];
    h->msg_namelen = sizeof b.names[i];
    h->msg_iov = &b.iov[i];
    h->msg_iovlen = 1;
    h->msg_control = NULL;
    h->msg_controllen = 0;
    h->msg_flags = 0;
    b.msgs[i].msg_len = 0;
  }

  int r = recv_batch(fd, b.msgs, n, flags);
  if (r < 0) return bsd_errno(env, -r);
  napi_value out, prev = NULL;
  socklen_t prev_len = 0;
  if (napi_create_array_with_length(env, (size_t)r, &out) != napi_ok) goto failed;
  for (int i = 0; i < r; i++) {
    struct msghdr *h = &b.msgs[i].msg_hdr;
    unsigned int len = b.msgs[i].msg_len;
    meta[2 * i] = len > INT32_MAX ? INT32_MAX : (int32_t)len;
    meta[2 * i + 1] = h->msg_flags;
    socklen_t alen = h->msg_namelen > sizeof b.names[i] ? (socklen_t)sizeof b.names[i] : h->msg_namelen;
    napi_value addr;
    if (prev != NULL && alen == prev_len && memcmp(&b.names[i], &b.names[i - 1], alen) == 0) {
      addr = prev;
    } else {
      addr = bsd_sockaddr_decode(env, (struct sockaddr *)&b.names[i], alen);
      if (addr == NULL) goto failed;
    }
    if (napi_set_element(env, out, (uint32_t)i, addr) != napi_ok) goto failed;
    prev = addr;
    prev_len = alen;
  }
  return out;

failed:
  return bsd_fail(env, "recvmmsg: could not build the result");
}

/* mmsg_send(fd, datas, addresses, family, flags) -> messages sent or
 * -errno. datas: array of bytes-like objects, one datagram each;
 * addresses: null (none), or an array as long as datas of validated
 * addresses of `family` or null. An address that is the same JS value as
 * the one before it is encoded once. */
static napi_value js_mmsg_send(napi_env env, napi_callback_info info) {
  ARGS(5);
  int32_t fd, family, flags;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[3], &family)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[4], &flags)) return BSD_REFUSE(env);
  bool is_array = false;
  napi_is_array(env, argv[1], &is_array);
  if (!is_array) return BSD_REFUSE(env);
  uint32_t n = 0;
  napi_get_array_length(env, argv[1], &n);
  if (n > MMSG_MAX) return BSD_REFUSE(env);
  if (n == 0) return bsd_int(env, 0);
  int has_addrs = !bsd_is_nullish(env, argv[2]);
  if (has_addrs) {
    bool addrs_array = false;
    uint32_t an = 0;
    napi_is_array(env, argv[2], &addrs_array);
    if (!addrs_array) return BSD_REFUSE(env);
    napi_get_array_length(env, argv[2], &an);
    if (an != n) return BSD_REFUSE(env);
  }

  mmsg_block b;
  int e = block_init(env, &b, n);
  if (e < 0) return bsd_errno(env, -e);
  memset(b.msgs, 0, (size_t)n * sizeof(struct mmsghdr));
  napi_value prev = NULL;
  struct sockaddr_storage *prev_name = NULL;
  socklen_t prev_len = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    void *data;
    size_t len;
    if (napi_get_element(env, argv[1], i, &item) != napi_ok) return bsd_fail(env, "sendmmsg: bad message");
    if (bsd_read_bytes(env, item, &data, &len)) return BSD_REFUSE(env);
    b.iov[i].iov_base = data;
    b.iov[i].iov_len = len;
    struct msghdr *h = &b.msgs[i].msg_hdr;
    h->msg_iov = &b.iov[i];
    h->msg_iovlen = 1;
    if (!has_addrs) continue;
    napi_value a;
    if (napi_get_element(env, argv[2], i, &a) != napi_ok) {
      return bsd_fail(env, "sendmmsg: bad address");
    }
    if (bsd_is_nullish(env, a)) continue;
    bool same = false;
    if (prev != NULL && napi_strict_equals(env, a, prev, &same) != napi_ok) same = false;
    if (!same) {
      socklen_t alen = 0;
      e = bsd_sockaddr_encode(env, family, a, &b.names[i], &alen);
      if (e < 0) return bsd_int(env, e);
      prev = a;
      prev_name = &b.names[i];
      prev_len = alen;
    }
    h->msg_name = prev_name;
    h->msg_namelen = prev_len;
  }

  int r = send_batch(fd, b.msgs, n, flags);
  return r < 0 ? bsd_errno(env, -r) : bsd_int(env, r);
}

/* mmsg_loop(on?) -> 1 when recvmmsg/sendmmsg themselves are in use, 0 when
 * the recvmsg/sendmsg loop is. A boolean argument forces the loop (true)
 * or lifts that (false): for tests. */
static napi_value js_mmsg_loop(napi_env env, napi_callback_info info) {
  ARGS(1);
  napi_valuetype t = napi_undefined;
  if (argc >= 1) napi_typeof(env, argv[0], &t);
  if (t == napi_boolean) {
    bool on = false;
    napi_get_value_bool(env, argv[0], &on);
    force_loop = on ? 1 : 0;
  }
  return bsd_int(env, HAVE_MMSG && !force_loop);
}

void bsd_init_mmsg(napi_env env, napi_value exports) {
  bsd_export(env, exports, "mmsg_recv", js_mmsg_recv);
  bsd_export(env, exports, "mmsg_send", js_mmsg_send);
  bsd_export(env, exports, "mmsg_loop", js_mmsg_loop);
}
