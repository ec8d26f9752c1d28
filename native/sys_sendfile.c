/* Zero-copy file-to-socket transfer, and lseek for the file position rules
 * of socket.sendfile(). */
#include "bsd.h"

#include <errno.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__linux__)
#include <signal.h>
#include <sys/sendfile.h>
#include <time.h>
#elif defined(__APPLE__)
#include <sys/socket.h>
#include <sys/uio.h>
#endif

#if defined(__linux__)
/* sendfile(2) has no MSG_NOSIGNAL: writing to a socket whose peer has gone
 * raises SIGPIPE at the calling thread, which a process that handles the
 * signal (a Node process with a 'SIGPIPE' listener) would see, where every
 * other write path of bsdsock only fails with EPIPE. So SIGPIPE is blocked
 * around the call, and a SIGPIPE that the call raised is taken back out of
 * the pending set before unblocking (one that was already pending is left
 * alone: it was not ours). */
static ssize_t sendfile_nosignal(int out_fd, int in_fd, off_t *off, size_t count) {
  sigset_t pipe_only, saved, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  if (pthread_sigmask(SIG_BLOCK, &pipe_only, &saved) != 0) return -1;
  int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
  ssize_t r;
  do {
    r = sendfile(out_fd, in_fd, off, count);
  } while (r < 0 && errno == EINTR);
  int err = errno;
  if (r < 0 && err == EPIPE && !was_pending) {
    const struct timespec now = {0, 0};
    while (sigtimedwait(&pipe_only, NULL, &now) < 0 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &saved, NULL);
  errno = err;
  return r;
}
#endif

/* sendfile(sock_fd, file_fd, offset, count) -> bytes sent or -errno.
 * Reads the file at `offset` without moving its position. */
static napi_value js_sendfile(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t out_fd, in_fd;
  int64_t offset, count;
  if (bsd_read_int32(env, argv[0], &out_fd) || bsd_read_int32(env, argv[1], &in_fd) ||
      bsd_read_int64(env, argv[2], &offset) || bsd_read_int64(env, argv[3], &count))
    return BSD_REFUSE(env);
  if (count < 0) return bsd_errno(env, EINVAL);
#if defined(__linux__)
  off_t off = (off_t)offset;
  ssize_t r = sendfile_nosignal(out_fd, in_fd, &off, (size_t)count);
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, r);
#elif defined(__APPLE__)
  off_t len = (off_t)count;
  int r = sendfile(in_fd, out_fd, (off_t)offset, &len, NULL, 0);
  /* macOS reports partial progress together with EAGAIN/EINTR. */
  if (r < 0 && len == 0) return bsd_errno(env, errno);
  return bsd_int(env, len);
#else
  return bsd_errno(env, ENOSYS);
#endif
}

/* lseek(fd, offset, whence) -> the new position or -errno. */
static napi_value js_lseek(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd, whence;
  int64_t offset;
  if (bsd_read_int32(env, argv[0], &fd) || bsd_read_int64(env, argv[1], &offset) ||
      bsd_read_int32(env, argv[2], &whence))
    return BSD_REFUSE(env);
  off_t r = lseek(fd, (off_t)offset, whence);
  return r < 0 ? bsd_errno(env, errno) : bsd_int(env, (int64_t)r);
}

void bsd_init_sendfile(napi_env env, napi_value exports) {
  bsd_export(env, exports, "sendfile", js_sendfile);
  bsd_export(env, exports, "lseek", js_lseek);
}
