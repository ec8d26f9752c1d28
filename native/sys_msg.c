/* sendmsg/recvmsg and the control-message (cmsg) layout. Mechanism only:
 * TypeScript validates the arguments and decides what the results mean;
 * this file maps JS buffers onto iovecs (no copies), lays out and walks
 * cmsg blocks with the platform's CMSG_* macros, and returns -errno on
 * failure. Received descriptors are made close-on-exec here, and closed
 * again if the result cannot be handed to JS. */
#include "bsd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on every socket instead */
#endif

/* MSG_CMSG_CLOEXEC is Linux (and some BSDs) only; elsewhere received
 * descriptors are marked FD_CLOEXEC right after the call. Where it exists
 * it is added only when there is room for control messages (no descriptor
 * is installed without it), and dropped again for the families that
 * reject it with EINVAL (see js_recvmsg). */
#ifdef MSG_CMSG_CLOEXEC
#define RECV_CLOEXEC MSG_CMSG_CLOEXEC
#define HAVE_RECV_CLOEXEC 1
#else
#define RECV_CLOEXEC 0
#define HAVE_RECV_CLOEXEC 0
#endif

/* The largest control buffer, in bytes, as CPython bounds it. */
#define CONTROL_LIMIT ((size_t)INT_MAX)

/* iovec arrays of up to this many entries live on the stack. */
#define IOV_ON_STACK 16
/* Control buffers of up to this many bytes live on the stack. */
#define CONTROL_ON_STACK 512

typedef struct {
  struct iovec *v;
  size_t n;
  struct iovec stack[IOV_ON_STACK];
} iov_list;

static void iov_free(iov_list *l) {
  if (l->v != NULL && l->v != l->stack) free(l->v);
  l->v = NULL;
}

/* Shared with sys_mmsg.c (bsd.h). */
int bsd_is_nullish(napi_env env, napi_value v) {
  napi_valuetype t;
  if (napi_typeof(env, v, &t) != napi_ok) return 0;
  return t == napi_null || t == napi_undefined;
}

/* `buffers` is one bytes-like object or an array of them that TypeScript
 * built (bsd.h: no caller code runs while the iovecs are taken): one iovec
 * each, pointing straight at the buffers' memory. 0, -ENOMEM or -EINVAL. */
static int iov_from_js(napi_env env, napi_value buffers, iov_list *l) {
  bool is_array = false;
  l->v = l->stack;
  l->n = 0;
  napi_is_array(env, buffers, &is_array);
  if (!is_array) {
    void *data;
    size_t len;
    if (bsd_read_bytes(env, buffers, &data, &len)) return -EINVAL;
    l->stack[0].iov_base = data;
    l->stack[0].iov_len = len;
    l->n = 1;
    return 0;
  }
  uint32_t n = 0;
  napi_get_array_length(env, buffers, &n);
  if (n > IOV_ON_STACK) {
    l->v = malloc(sizeof(struct iovec) * n);
    if (l->v == NULL) return -ENOMEM;
  }
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    void *data;
    size_t len;
    if (napi_get_element(env, buffers, i, &item) != napi_ok ||
        bsd_read_bytes(env, item, &data, &len)) {
      iov_free(l);
      return -EINVAL;
    }
    l->v[i].iov_base = data;
    l->v[i].iov_len = len;
  }
  l->n = n;
  return 0;
}

/* CPython's bounds for CMSG_LEN()/CMSG_SPACE(): the result and the
 * arithmetic must stay within CONTROL_LIMIT. */
static int cmsg_len_of(size_t length, size_t *out) {
  if (length > CONTROL_LIMIT - CMSG_LEN(0)) return 0;
  size_t r = CMSG_LEN(length);
  if (r > CONTROL_LIMIT || r < length) return 0;
  *out = r;
  return 1;
}

static int cmsg_space_of(size_t length, size_t *out) {
  if (length > CONTROL_LIMIT - CMSG_SPACE(1)) return 0;
  size_t r = CMSG_SPACE(length);
  if (r > CONTROL_LIMIT || r < length) return 0;
  *out = r;
  return 1;
}

/* Does the control block hold `need` bytes from `c` on (at least through
 * the cmsg_len field)? */
static int cmsg_room(const struct msghdr *m, const struct cmsghdr *c, size_t need) {
  const size_t len_end = offsetof(struct cmsghdr, cmsg_len) + sizeof c->cmsg_len;
  if (c == NULL || m->msg_control == NULL) return 0;
  if (need < len_end) need = len_end;
  size_t off = (size_t)((const char *)c - (const char *)m->msg_control);
  return off <= (size_t)-1 - need && off + need <= (size_t)m->msg_controllen;
}

/* The data length of a received control message as far as the block
 * holds it: -1 when the header itself is unusable, 0 when the data is
 * whole, 1 when it was cut short (then *len is what is there). */
static int cmsg_data_len(const struct msghdr *m, struct cmsghdr *c, size_t *len) {
  if (!cmsg_room(m, c, CMSG_LEN(0)) || (size_t)c->cmsg_len < CMSG_LEN(0)) return -1;
  size_t want = (size_t)c->cmsg_len - CMSG_LEN(0);
  const char *data = (const char *)CMSG_DATA(c);
  if (data == NULL) return -1;
  size_t data_off = (size_t)(data - (const char *)m->msg_control);
  if (data_off > (size_t)m->msg_controllen) return -1;
  size_t have = (size_t)m->msg_controllen - data_off;
  if (have >= want) {
    *len = want;
    return 0;
  }
  *len = have;
  return 1;
}

#define FOR_EACH_CMSG(m, c) \
  for (c = ((m)->msg_controllen > 0 ? CMSG_FIRSTHDR(m) : NULL); c != NULL; c = CMSG_NXTHDR(m, c))

/* Applies fn to every descriptor the block carries in SCM_RIGHTS. */
static void for_each_received_fd(struct msghdr *m, void (*fn)(int)) {
#ifdef SCM_RIGHTS
  struct cmsghdr *c;
  FOR_EACH_CMSG(m, c) {
    size_t len;
    int st = cmsg_data_len(m, c, &len);
    if (st < 0) break;
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      const unsigned char *p = CMSG_DATA(c);
      for (size_t i = 0; i + sizeof(int) <= len; i += sizeof(int)) {
        int fd;
        memcpy(&fd, p + i, sizeof fd);
        fn(fd);
      }
    }
    if (st != 0) break;
  }
#endif
}

static void close_fd(int fd) { close(fd); }

static void set_cloexec(int fd) {
  int fl = fcntl(fd, F_GETFD);
  if (fl >= 0 && !(fl & FD_CLOEXEC)) fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* The internal-error path (bsd.h): makes sure an exception is pending
 * after a failed napi call (shared with sys_mmsg.c); returns NULL. */
napi_value bsd_fail(napi_env env, const char *what) {
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) napi_throw_error(env, "ERR_BSDSOCK_INTERNAL", what);
  return NULL;
}

static napi_value fail(napi_env env) { return bsd_fail(env, "recvmsg: could not build the result"); }

/* sendmsg(fd, buffers, control, flags, family, address) -> bytes sent or
 * -errno. control: a bytes-like block from cmsg_encode, or null; address:
 * a validated address of `family`, or null/undefined for none. */
static napi_value js_sendmsg(napi_env env, napi_callback_info info) {
  ARGS(6);
  int32_t fd, flags, family;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[3], &flags)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[4], &family)) return BSD_REFUSE(env);
  void *control = NULL;
  size_t controllen = 0;
  if (!bsd_is_nullish(env, argv[2]) && bsd_read_bytes(env, argv[2], &control, &controllen)) return BSD_REFUSE(env);
  struct sockaddr_storage ss;
  socklen_t alen = 0;
  int has_addr = !bsd_is_nullish(env, argv[5]);
  if (has_addr) {
    int e = bsd_sockaddr_encode(env, family, argv[5], &ss, &alen);
    if (e < 0) return bsd_int(env, e);
  }
  iov_list iov;
  int e = iov_from_js(env, argv[1], &iov);
  if (e < 0) return bsd_int(env, e);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = has_addr ? (void *)&ss : NULL;
  msg.msg_namelen = has_addr ? alen : 0;
  msg.msg_iov = iov.v;
  msg.msg_iovlen = iov.n;
  msg.msg_control = controllen > 0 ? control : NULL;
  msg.msg_controllen = controllen;
  ssize_t r;
  do {
    r = sendmsg(fd, &msg, flags | MSG_NOSIGNAL);
  } while (r < 0 && errno == EINTR);
  int err = errno;
  iov_free(&iov);
  return r < 0 ? bsd_errno(env, err) : bsd_int(env, r);
}

/* recvmsg(fd, buffers, ancbufsize, flags) ->
 *   [nbytes, ancdata, msg_flags, address, malformed] or -errno.
 * ancdata is an array of [level, type, Buffer]; malformed is 1 when the
 * walk stopped at a cut-short or unusable control message (CPython warns
 * then). Received descriptors are close-on-exec; MSG_CMSG_CLOEXEC shows in
 * msg_flags only when the caller asked for it. */
static napi_value js_recvmsg(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t fd, flags;
  int64_t anc;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  if (bsd_read_int64(env, argv[2], &anc)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[3], &flags)) return BSD_REFUSE(env);
  if (anc < 0 || (uint64_t)anc > CONTROL_LIMIT) return BSD_REFUSE(env);

  iov_list iov;
  int e = iov_from_js(env, argv[1], &iov);
  if (e < 0) return bsd_int(env, e);

  union {
    struct cmsghdr align;
    char bytes[CONTROL_ON_STACK];
  } stack_control;
  void *control = NULL;
  if (anc > 0) {
    control = anc <= CONTROL_ON_STACK ? (void *)stack_control.bytes : malloc((size_t)anc);
    if (control == NULL) {
      iov_free(&iov);
      return bsd_errno(env, ENOMEM);
    }
  }

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  ss.ss_family = AF_UNSPEC;
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_name = &ss;
  msg.msg_namelen = sizeof ss;
  msg.msg_iov = iov.v;
  msg.msg_iovlen = iov.n;
  msg.msg_control = control;
  msg.msg_controllen = (size_t)anc;

  /* Descriptors (SCM_RIGHTS) are installed only with room for a control
   * message, so MSG_CMSG_CLOEXEC goes in only then: a plain recvmsg on any
   * family stays one untouched system call. AF_PACKET (packet_recvmsg),
   * CAN ISO-TP and J1939 reject any flag outside their own few with
   * EINVAL before consuming anything; those families never carry
   * descriptors (only AF_UNIX does), so the call is made again without the
   * flag (unless the caller asked for it, as Python passes it through),
   * and anything received is still marked close-on-exec below. The fd's
   * family is not known here, and SO_DOMAIN would cost a system call on
   * every receive; the retry costs one on those families only. */
  int cloexec = anc > 0 ? RECV_CLOEXEC : 0;
  ssize_t r;
  for (;;) {
    r = recvmsg(fd, &msg, flags | cloexec);
    if (r >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EINVAL && cloexec != 0 && !(flags & RECV_CLOEXEC)) {
      cloexec = 0;
      msg.msg_namelen = sizeof ss;
      msg.msg_controllen = (size_t)anc;
      msg.msg_flags = 0;
      continue;
    }
    break;
  }
  int err = errno;
  iov_free(&iov);
  napi_value result = NULL;
  if (r < 0) {
    result = bsd_errno(env, err);
    goto done;
  }
  /* Without MSG_CMSG_CLOEXEC (none on this system, or dropped above). */
  if (!HAVE_RECV_CLOEXEC || !((flags | cloexec) & RECV_CLOEXEC)) for_each_received_fd(&msg, set_cloexec);

  int out_flags = msg.msg_flags;
#ifdef MSG_CMSG_CLOEXEC
  if (!(flags & MSG_CMSG_CLOEXEC)) out_flags &= ~MSG_CMSG_CLOEXEC;
#endif

  napi_value list;
  int malformed = 0;
  uint32_t count = 0;
  if (napi_create_array(env, &list) != napi_ok) goto failed;
  struct cmsghdr *c;
  FOR_EACH_CMSG(&msg, c) {
    size_t len = 0;
    int st = cmsg_data_len(&msg, c, &len);
    if (st != 0) malformed = 1;
    if (st < 0) break;
    napi_value item, data;
    if (napi_create_array_with_length(env, 3, &item) != napi_ok) goto failed;
    data = bsd_copy_buffer(env, CMSG_DATA(c), len);
    if (data == NULL) goto failed;
    if (napi_set_element(env, item, 0, bsd_int(env, c->cmsg_level)) != napi_ok ||
        napi_set_element(env, item, 1, bsd_int(env, c->cmsg_type)) != napi_ok ||
        napi_set_element(env, item, 2, data) != napi_ok ||
        napi_set_element(env, list, count++, item) != napi_ok)
      goto failed;
    if (st != 0) break;
  }

  socklen_t alen = msg.msg_namelen > sizeof ss ? (socklen_t)sizeof ss : msg.msg_namelen;
  napi_value addr = bsd_sockaddr_decode(env, (struct sockaddr *)&ss, alen);
  if (addr == NULL) goto failed;

  napi_value out;
  if (napi_create_array_with_length(env, 5, &out) != napi_ok ||
      napi_set_element(env, out, 0, bsd_int(env, r)) != napi_ok ||
      napi_set_element(env, out, 1, list) != napi_ok ||
      napi_set_element(env, out, 2, bsd_int(env, out_flags)) != napi_ok ||
      napi_set_element(env, out, 3, addr) != napi_ok ||
      napi_set_element(env, out, 4, bsd_int(env, malformed)) != napi_ok)
    goto failed;
  result = out;
  goto done;

failed:
  /* The caller never sees these descriptors: close them. */
  for_each_received_fd(&msg, close_fd);
  result = fail(env);
done:
  if (control != NULL && control != (void *)stack_control.bytes) free(control);
  return result;
}

/* cmsg_encode(items) -> Buffer: the control block for sendmsg, laid out
 * with CMSG_FIRSTHDR/CMSG_NXTHDR. items: array of [level, type, bytes],
 * already validated (sizes included) by TypeScript. Its result has no
 * room for an errno, so items TypeScript would never pass take the
 * internal-error path. */
static napi_value refused(napi_env env) { return bsd_fail(env, "cmsg_encode: items TypeScript would not pass"); }

static napi_value js_cmsg_encode(napi_env env, napi_callback_info info) {
  ARGS(1);
  bool is_array = false;
  napi_is_array(env, argv[0], &is_array);
  if (!is_array) return refused(env);
  uint32_t n = 0;
  napi_get_array_length(env, argv[0], &n);
  size_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item, data;
    void *p;
    size_t len, space;
    bool item_array = false;
    if (napi_get_element(env, argv[0], i, &item) != napi_ok) return fail(env);
    napi_is_array(env, item, &item_array);
    if (!item_array) return refused(env);
    if (napi_get_element(env, item, 2, &data) != napi_ok) return fail(env);
    if (bsd_read_bytes(env, data, &p, &len)) return refused(env);
    if (!cmsg_space_of(len, &space) || total + space > CONTROL_LIMIT) return refused(env);
    total += space;
  }
  napi_value buf;
  void *block;
  if (napi_create_buffer(env, total, &block, &buf) != napi_ok) return fail(env);
  if (total == 0) return buf;
  /* Zeroed first: glibc's CMSG_NXTHDR reads the next header's cmsg_len. */
  memset(block, 0, total);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_control = block;
  msg.msg_controllen = total;
  struct cmsghdr *c = NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item, v;
    int32_t level, type;
    void *p;
    size_t len, clen;
    napi_get_element(env, argv[0], i, &item);
    if (napi_get_element(env, item, 0, &v) != napi_ok || bsd_read_int32(env, v, &level)) return refused(env);
    if (napi_get_element(env, item, 1, &v) != napi_ok || bsd_read_int32(env, v, &type)) return refused(env);
    if (napi_get_element(env, item, 2, &v) != napi_ok || bsd_read_bytes(env, v, &p, &len)) return refused(env);
    c = i == 0 ? CMSG_FIRSTHDR(&msg) : CMSG_NXTHDR(&msg, c);
    if (c == NULL || !cmsg_len_of(len, &clen) || !cmsg_room(&msg, c, clen)) return refused(env);
    c->cmsg_len = clen;
    c->cmsg_level = level;
    c->cmsg_type = type;
    if (len > 0) memcpy(CMSG_DATA(c), p, len);
  }
  return buf;
}

void bsd_init_msg(napi_env env, napi_value exports) {
  bsd_export(env, exports, "sendmsg", js_sendmsg);
  bsd_export(env, exports, "recvmsg", js_recvmsg);
  bsd_export(env, exports, "cmsg_encode", js_cmsg_encode);
}
