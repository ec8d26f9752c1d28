/* W5 C reference: TCP accept rate over 127.0.0.1, one connection at a time.
 * The parent measures as client: socket, connect, recv until the server's
 * close (end of file), close. A forked child accepts and closes at once.
 * Blocking calls, as the fastest a program can go; the workloads'
 * `c-epoll` variant waits in epoll as an event loop would.
 * usage: accept [epoll]   (BENCH_DURATION, BENCH_WARMUP) */
#include "common.h"

#include <sys/epoll.h>
#include <sys/wait.h>

#define MAX 12000

static int use_epoll;
static int ep = -1;

/* Waits until fd is ready for `events`, through epoll (one-shot entry). */
static void await_ready(int fd, unsigned events) {
  struct epoll_event ev = {.events = events | EPOLLONESHOT, .data.fd = fd};
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 && (errno != EEXIST || epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) < 0))
    die("epoll_ctl");
  for (;;) {
    int n = epoll_wait(ep, &ev, 1, -1);
    if (n == 1) return;
    if (n < 0 && errno != EINTR) die("epoll_wait");
  }
}

static void serve(int lfd) {
  for (long i = 0; i < 2L * MAX; i++) {
    int c;
    if (use_epoll) {
      while ((c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) < 0) {
        if (errno != EAGAIN && errno != EINTR) die("accept");
        await_ready(lfd, EPOLLIN);
      }
    } else {
      c = accept(lfd, NULL, NULL);
      if (c < 0) die("accept");
    }
    close(c);
  }
}

static void one_connection(const struct sockaddr_in *sin) {
  char buf[16];
  int fd = socket(AF_INET, SOCK_STREAM | (use_epoll ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) die("socket");
  if (connect(fd, (const struct sockaddr *)sin, sizeof *sin) < 0) {
    if (!use_epoll || errno != EINPROGRESS) die("connect");
    await_ready(fd, EPOLLOUT);
    int err = 0;
    socklen_t el = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0 || err != 0) die("connect");
  }
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r == 0) break;
    if (r > 0) die("expected end of file");
    if (errno == EINTR) continue;
    if (use_epoll && errno == EAGAIN) {
      await_ready(fd, EPOLLIN);
      continue;
    }
    die("recv");
  }
  close(fd);
}

static long loop(const struct sockaddr_in *sin, double ms, long max, double *elapsed) {
  double t0 = now_ms(), end = t0 + ms;
  long n = 0;
  while (n < max) {
    one_connection(sin);
    n++;
    if (now_ms() >= end) break;
  }
  *elapsed = now_ms() - t0;
  return n;
}

int main(int argc, char **argv) {
  use_epoll = argc > 1 && strcmp(argv[1], "epoll") == 0;
  double duration = env_seconds("BENCH_DURATION", 1.5), warmup = env_seconds("BENCH_WARMUP", 0.25);
  struct sockaddr_in sin;
  int lfd = loopback_listener(use_epoll ? SOCK_NONBLOCK : 0, 511, &sin);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    die_with_parent();
    if (use_epoll && (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
    serve(lfd);
    _exit(0);
  }
  close(lfd);
  if (use_epoll && (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  double ms;
  loop(&sin, warmup * 1000, MAX / 4, &ms);
  long n = loop(&sin, duration * 1000, MAX, &ms);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  printf("{\"value\":%.3f,\"unit\":\"conn/s\",\"connections\":%ld,\"ms\":%.0f}\n", n / ms * 1000, n, ms);
  return 0;
}
