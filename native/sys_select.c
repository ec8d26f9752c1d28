/* Waiting on many descriptors: select(2), poll(2) and Linux's epoll, for
 * bsdsock/select. Each binding makes one system call over descriptors
 * handed in as typed arrays and returns a count or a negative errno:
 * timeouts, EINTR retries and Python's rules live in TypeScript
 * (src/select/). */
#include "bsd.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/select.h>
#include <sys/time.h>
#ifdef __linux__
#include <sys/epoll.h>
#endif

#define BSD_CONST_HEADERS
#include "bsd_select_constants_gen.h"
#undef BSD_CONST_HEADERS

/* Up to this many entries live on the stack; more are malloc'd. */
#define STACK_ENTRIES 64

/* A typed array argument of the given element type: its data and length;
 * -EINVAL for anything else (a caller bug: TypeScript passes the right kind). */
static int arg_array(napi_env env, napi_value v, napi_typedarray_type want, void **data, size_t *length) {
  bool is = false;
  napi_typedarray_type type;
  if (napi_is_typedarray(env, v, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, v, &type, length, data, NULL, NULL) != napi_ok || type != want)
    return -EINVAL;
  if (*length == 0) *data = NULL;
  return 0;
}

/* Adds every descriptor of fds to set; -EINVAL for one that an fd_set
 * cannot hold (FD_SET beyond FD_SETSIZE would write past the set). */
static int fill_set(const int32_t *fds, size_t n, fd_set *set, int *maxfd) {
  FD_ZERO(set);
  for (size_t i = 0; i < n; i++) {
    if (fds[i] < 0 || fds[i] >= FD_SETSIZE) return -EINVAL;
    FD_SET(fds[i], set);
    if (fds[i] > *maxfd) *maxfd = fds[i];
  }
  return 0;
}

/* Replaces each descriptor that is not in set with -1. */
static void keep_ready(int32_t *fds, size_t n, const fd_set *set) {
  for (size_t i = 0; i < n; i++)
    if (!FD_ISSET(fds[i], set)) fds[i] = -1;
}

/* select_fds(readFds, writeFds, exceptFds, timeoutUs) -> count or -errno.
 * Int32Arrays in; on return each entry that is not ready is -1. A negative
 * timeout waits without limit. */
static napi_value js_select_fds(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t *fds[3];
  size_t n[3];
  for (int k = 0; k < 3; k++)
    if (arg_array(env, argv[k], napi_int32_array, (void **)&fds[k], &n[k])) return BSD_REFUSE(env);
  int64_t timeout_us;
  if (bsd_read_int64(env, argv[3], &timeout_us)) return BSD_REFUSE(env);
  fd_set sets[3];
  int maxfd = -1;
  for (int k = 0; k < 3; k++)
    if (fill_set(fds[k], n[k], &sets[k], &maxfd) < 0) return bsd_errno(env, EINVAL);
  struct timeval tv, *tvp = NULL;
  if (timeout_us >= 0) {
    tv.tv_sec = (time_t)(timeout_us / 1000000);
    tv.tv_usec = (suseconds_t)(timeout_us % 1000000);
    tvp = &tv;
  }
  int r = select(maxfd + 1, &sets[0], &sets[1], &sets[2], tvp);
  if (r < 0) return bsd_errno(env, errno);
  for (int k = 0; k < 3; k++) keep_ready(fds[k], n[k], &sets[k]);
  return bsd_int(env, r);
}

/* poll_fds(fds, events, revents, timeoutMs) -> count or -errno. Int32Arrays
 * of one length: descriptors and event masks in, returned events out. */
static napi_value js_poll_fds(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t *fds, *events, *revents;
  size_t n, n_events, n_revents;
  if (arg_array(env, argv[0], napi_int32_array, (void **)&fds, &n)) return BSD_REFUSE(env);
  if (arg_array(env, argv[1], napi_int32_array, (void **)&events, &n_events)) return BSD_REFUSE(env);
  if (arg_array(env, argv[2], napi_int32_array, (void **)&revents, &n_revents)) return BSD_REFUSE(env);
  int32_t timeout;
  if (bsd_read_int32(env, argv[3], &timeout)) return BSD_REFUSE(env);
  if (n_events != n || n_revents != n) return BSD_REFUSE(env);
  struct pollfd stack[STACK_ENTRIES];
  struct pollfd *p = n <= STACK_ENTRIES ? stack : malloc(n * sizeof *p);
  if (p == NULL) return bsd_errno(env, ENOMEM);
  for (size_t i = 0; i < n; i++) {
    p[i].fd = fds[i];
    p[i].events = (short)events[i];
    p[i].revents = 0;
  }
  int r = poll(p, (nfds_t)n, timeout);
  int err = errno;
  if (r >= 0)
    for (size_t i = 0; i < n; i++) revents[i] = (unsigned short)p[i].revents;
  if (p != stack) free(p);
  return r < 0 ? bsd_errno(env, err) : bsd_int(env, r);
}

#ifdef __linux__
/* epoll_create(flags) -> descriptor or -errno. */
static napi_value js_epoll_create(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t flags;
  if (bsd_read_int32(env, argv[0], &flags)) return BSD_REFUSE(env);
  int fd = epoll_create1(flags);
  return fd < 0 ? bsd_errno(env, errno) : bsd_int(env, fd);
}

static napi_value epoll_control(napi_env env, napi_callback_info info, int op) {
  ARGS(3);
  int32_t epfd, fd;
  uint32_t events;
  if (bsd_read_int32(env, argv[0], &epfd)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[1], &fd)) return BSD_REFUSE(env);
  if (bsd_read_uint32(env, argv[2], &events)) return BSD_REFUSE(env);
  /* The descriptor is the event's data: what epoll_wait reports back. */
  struct epoll_event ev = {.events = events, .data = {.u64 = 0}};
  ev.data.fd = fd;
  if (epoll_ctl(epfd, op, fd, &ev) < 0) return bsd_errno(env, errno);
  return bsd_int(env, 0);
}

/* epoll_add/epoll_modify/epoll_delete(epfd, fd, events) -> 0 or -errno. */
static napi_value js_epoll_add(napi_env env, napi_callback_info info) {
  return epoll_control(env, info, EPOLL_CTL_ADD);
}
static napi_value js_epoll_modify(napi_env env, napi_callback_info info) {
  return epoll_control(env, info, EPOLL_CTL_MOD);
}
static napi_value js_epoll_delete(napi_env env, napi_callback_info info) {
  return epoll_control(env, info, EPOLL_CTL_DEL);
}

/* epoll_wait(epfd, out, maxevents, timeoutMs) -> count or -errno: the
 * ready (fd, events) pairs written to the Uint32Array out, which holds at
 * least 2 * maxevents entries. */
static napi_value js_epoll_wait(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t epfd, maxevents, timeout;
  uint32_t *out;
  size_t n_out;
  if (bsd_read_int32(env, argv[0], &epfd)) return BSD_REFUSE(env);
  if (arg_array(env, argv[1], napi_uint32_array, (void **)&out, &n_out)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[2], &maxevents)) return BSD_REFUSE(env);
  if (bsd_read_int32(env, argv[3], &timeout)) return BSD_REFUSE(env);
  if (maxevents <= 0 || (size_t)maxevents > n_out / 2) return BSD_REFUSE(env);
  struct epoll_event stack[STACK_ENTRIES];
  struct epoll_event *evs = maxevents <= STACK_ENTRIES ? stack : malloc((size_t)maxevents * sizeof *evs);
  if (evs == NULL) return bsd_errno(env, ENOMEM);
  int r = epoll_wait(epfd, evs, maxevents, timeout);
  int err = errno;
  for (int i = 0; i < r; i++) {
    out[2 * i] = (uint32_t)evs[i].data.fd;
    out[2 * i + 1] = evs[i].events;
  }
  if (evs != stack) free(evs);
  return r < 0 ? bsd_errno(env, err) : bsd_int(env, r);
}
#else
static napi_value js_unsupported(napi_env env, napi_callback_info info) {
  return bsd_errno(env, ENOSYS);
}
#define js_epoll_create js_unsupported
#define js_epoll_add js_unsupported
#define js_epoll_modify js_unsupported
#define js_epoll_delete js_unsupported
#define js_epoll_wait js_unsupported
#endif

typedef struct {
  const char *name;
  long long value;
} select_constant;

#define BSD_CONST(name) {#name, (long long)(name)},
static const select_constant table[] = {
#include "bsd_select_constants_gen.h"
    {NULL, 0},
};
#undef BSD_CONST

void bsd_init_select(napi_env env, napi_value exports) {
  bsd_export(env, exports, "select_fds", js_select_fds);
  bsd_export(env, exports, "poll_fds", js_poll_fds);
  bsd_export(env, exports, "epoll_create", js_epoll_create);
  bsd_export(env, exports, "epoll_add", js_epoll_add);
  bsd_export(env, exports, "epoll_modify", js_epoll_modify);
  bsd_export(env, exports, "epoll_delete", js_epoll_delete);
  bsd_export(env, exports, "epoll_wait", js_epoll_wait);

  napi_value obj, v;
  napi_create_object(env, &obj);
  for (size_t i = 0; table[i].name != NULL; i++) {
    napi_create_int64(env, table[i].value, &v);
    napi_set_named_property(env, obj, table[i].name, v);
  }
  napi_set_named_property(env, exports, "select_constants", obj);
  napi_value limits;
  napi_create_object(env, &limits);
  napi_set_named_property(env, limits, "FD_SETSIZE", bsd_int(env, FD_SETSIZE));
#ifdef __linux__
  napi_set_named_property(env, limits, "epoll", bsd_int(env, 1));
#else
  napi_set_named_property(env, limits, "epoll", bsd_int(env, 0));
#endif
  napi_set_named_property(env, exports, "select_limits", limits);
}
