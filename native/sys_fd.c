/* File-descriptor calls: close, dup, O_NONBLOCK, FD_CLOEXEC, poll. */
#include "bsd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define FD_ARG(i, var)                                           \
  int32_t var;                                                   \
  if (bsd_read_int32(env, argv[i], &var)) return BSD_REFUSE(env)

static napi_value js_close(napi_env env, napi_callback_info info) {
  ARGS(1);
  FD_ARG(0, fd);
  /* Never retry close() on EINTR: on Linux the fd is gone either way. */
  if (close(fd) < 0 && errno != EINTR) return bsd_errno(env, errno);
  return bsd_int(env, 0);
}

static napi_value js_dup(napi_env env, napi_callback_info info) {
  ARGS(1);
  FD_ARG(0, fd);
  int r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (r < 0) return bsd_errno(env, errno);
  return bsd_int(env, r);
}

/* getflags(fd) -> bit 0: O_NONBLOCK set, bit 1: FD_CLOEXEC set, or -errno. */
static napi_value js_getflags(napi_env env, napi_callback_info info) {
  ARGS(1);
  FD_ARG(0, fd);
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return bsd_errno(env, errno);
  int fdfl = fcntl(fd, F_GETFD);
  if (fdfl < 0) return bsd_errno(env, errno);
  return bsd_int(env, ((fl & O_NONBLOCK) ? 1 : 0) | ((fdfl & FD_CLOEXEC) ? 2 : 0));
}

static napi_value js_setnonblocking(napi_env env, napi_callback_info info) {
  ARGS(2);
  FD_ARG(0, fd);
  int on;
  if (bsd_read_bool(env, argv[1], &on)) return BSD_REFUSE(env);
#ifdef FIONBIO
  /* One system call where fcntl needs two (F_GETFL, F_SETFL): the async
   * accept and connect of a blocking-mode socket switch it around every
   * attempt. */
  if (ioctl(fd, FIONBIO, &on) < 0) return bsd_errno(env, errno);
#else
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0) return bsd_errno(env, errno);
  int nfl = on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK);
  if (nfl != fl && fcntl(fd, F_SETFL, nfl) < 0) return bsd_errno(env, errno);
#endif
  return bsd_int(env, 0);
}

static napi_value js_setcloexec(napi_env env, napi_callback_info info) {
  ARGS(2);
  FD_ARG(0, fd);
  int on;
  if (bsd_read_bool(env, argv[1], &on)) return BSD_REFUSE(env);
  int fl = fcntl(fd, F_GETFD);
  if (fl < 0) return bsd_errno(env, errno);
  int nfl = on ? (fl | FD_CLOEXEC) : (fl & ~FD_CLOEXEC);
  if (nfl != fl && fcntl(fd, F_SETFD, nfl) < 0) return bsd_errno(env, errno);
  return bsd_int(env, 0);
}

/* poll(fd, events, timeout_ms) -> revents (0 on timeout) or -errno (-EINTR
 * when a signal came first). A negative timeout waits forever. */
static napi_value js_poll(napi_env env, napi_callback_info info) {
  ARGS(3);
  FD_ARG(0, fd);
  int32_t events;
  int64_t timeout;
  if (bsd_read_int32(env, argv[1], &events)) return BSD_REFUSE(env);
  if (bsd_read_int64(env, argv[2], &timeout)) return BSD_REFUSE(env);
  if (timeout > INT32_MAX) timeout = INT32_MAX;
  /* One poll: an EINTR goes back to TypeScript, which waits again for
   * what is left of its deadline. */
  struct pollfd p = {.fd = fd, .events = (short)events, .revents = 0};
  int r = poll(&p, 1, timeout < 0 ? -1 : (int)timeout);
  if (r < 0) return bsd_errno(env, errno);
  return bsd_int(env, r == 0 ? 0 : p.revents);
}

void bsd_init_fd(napi_env env, napi_value exports) {
  bsd_export(env, exports, "close", js_close);
  bsd_export(env, exports, "dup", js_dup);
  bsd_export(env, exports, "getflags", js_getflags);
  bsd_export(env, exports, "setnonblocking", js_setnonblocking);
  bsd_export(env, exports, "setcloexec", js_setcloexec);
  bsd_export(env, exports, "poll", js_poll);
}
