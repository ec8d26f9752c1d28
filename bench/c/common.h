/* Shared by the C references: parameters from the environment (set by
 * bench/run.mjs), a monotonic clock, and death with the parent. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

static double env_seconds(const char *name, double dflt) {
  const char *v = getenv(name);
  return v && *v ? atof(v) : dflt;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

/* A forked helper dies when the measuring process does. */
static void die_with_parent(void) {
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
}

/* Sends all of p (a non-blocking socket's EAGAIN is tried again: the
 * references only send what the peer's buffer takes at once); -1 on error. */
static inline int send_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t r = send(fd, p, n, MSG_NOSIGNAL);
    if (r < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

/* A TCP listener on 127.0.0.1, port chosen by the kernel and written to
 * *sin; extra_type is or-ed into SOCK_STREAM (SOCK_NONBLOCK or 0). */
static inline int loopback_listener(int extra_type, int backlog, struct sockaddr_in *sin) {
  socklen_t len = sizeof *sin;
  memset(sin, 0, sizeof *sin);
  sin->sin_family = AF_INET;
  sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int lfd = socket(AF_INET, SOCK_STREAM | extra_type, 0);
  if (lfd < 0) die("socket");
  if (bind(lfd, (struct sockaddr *)sin, len) < 0) die("bind");
  if (listen(lfd, backlog) < 0) die("listen");
  if (getsockname(lfd, (struct sockaddr *)sin, &len) < 0) die("getsockname");
  return lfd;
}
