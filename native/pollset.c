/* The poll set under readiness.c and the thread backend: epoll on Linux,
 * kqueue elsewhere (macOS). Events come back as bsd_ready_event: a
 * descriptor and BSD_READABLE / BSD_WRITABLE, or BSD_FAILED for an error
 * or a hang-up (the calls then report it themselves). */
#include "readiness.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__

#include <sys/epoll.h>

int bsd_pollset_open(void) {
  int ps = epoll_create1(EPOLL_CLOEXEC);
  return ps < 0 ? -errno : ps;
}

/* A descriptor closed behind our back has left the set by itself, so the
 * caller's idea of what the set holds can be stale: ADD and MOD fall back
 * on each other. */
int bsd_pollset_change(int ps, int fd, int before, int after, int edge_triggered) {
  if (after == before) return 0;
  if (after == 0) {
    epoll_ctl(ps, EPOLL_CTL_DEL, fd, NULL);
    return 0;
  }
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = ((after & BSD_READABLE) ? EPOLLIN : 0) | ((after & BSD_WRITABLE) ? EPOLLOUT : 0) |
              (edge_triggered ? EPOLLET : 0);
  ev.data.fd = fd;
  int op = before ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  int rc = epoll_ctl(ps, op, fd, &ev);
  if (rc < 0 && errno == ENOENT && op == EPOLL_CTL_MOD) rc = epoll_ctl(ps, EPOLL_CTL_ADD, fd, &ev);
  else if (rc < 0 && errno == EEXIST) rc = epoll_ctl(ps, EPOLL_CTL_MOD, fd, &ev);
  return rc < 0 ? -errno : 0;
}

int bsd_pollset_wait(int ps, bsd_ready_event *out, int max, int timeout_ms) {
  struct epoll_event evs[BSD_POLLSET_MAX];
  if (max > BSD_POLLSET_MAX) max = BSD_POLLSET_MAX;
  int n = epoll_wait(ps, evs, max, timeout_ms);
  if (n < 0) return -errno;
  for (int i = 0; i < n; i++) {
    uint32_t got = evs[i].events;
    out[i].fd = evs[i].data.fd;
    out[i].events = (got & (EPOLLERR | EPOLLHUP)) ? BSD_FAILED
                                                  : ((got & EPOLLIN) ? BSD_READABLE : 0) | ((got & EPOLLOUT) ? BSD_WRITABLE : 0);
  }
  return n;
}

#else /* kqueue */

#include <fcntl.h>
#include <sys/event.h>
#include <sys/time.h>
#include <sys/types.h>

int bsd_pollset_open(void) {
  int ps = kqueue();
  if (ps < 0) return -errno;
  fcntl(ps, F_SETFD, FD_CLOEXEC);
  return ps;
}

/* One filter per direction. Deleting a filter that is not there (its
 * descriptor was closed, which removes its filters) is not an error. */
int bsd_pollset_change(int ps, int fd, int before, int after, int edge_triggered) {
  static const int dirs[2] = {BSD_READABLE, BSD_WRITABLE};
  for (int i = 0; i < 2; i++) {
    int dir = dirs[i];
    int filter = dir == BSD_READABLE ? EVFILT_READ : EVFILT_WRITE;
    struct kevent change;
    if ((after & dir) && !(before & dir)) {
      EV_SET(&change, fd, filter, EV_ADD | EV_ENABLE | (edge_triggered ? EV_CLEAR : 0), 0, 0, NULL);
      if (kevent(ps, &change, 1, NULL, 0, NULL) < 0) return -errno;
    } else if (!(after & dir) && (before & dir)) {
      EV_SET(&change, fd, filter, EV_DELETE, 0, 0, NULL);
      kevent(ps, &change, 1, NULL, 0, NULL);
    }
  }
  return 0;
}

int bsd_pollset_wait(int ps, bsd_ready_event *out, int max, int timeout_ms) {
  struct kevent evs[BSD_POLLSET_MAX];
  if (max > BSD_POLLSET_MAX) max = BSD_POLLSET_MAX;
  struct timespec ts, *tp = NULL;
  if (timeout_ms >= 0) {
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
    tp = &ts;
  }
  int n = kevent(ps, NULL, 0, evs, max, tp);
  if (n < 0) return -errno;
  for (int i = 0; i < n; i++) {
    out[i].fd = (int)evs[i].ident;
    /* EV_EOF: the peer is gone; the direction is still "ready" (a read
     * returns 0, a write fails): the calls say which. */
    if (evs[i].flags & EV_ERROR) out[i].events = BSD_FAILED;
    else out[i].events = evs[i].filter == EVFILT_READ ? BSD_READABLE : BSD_WRITABLE;
  }
  return n;
}

#endif
