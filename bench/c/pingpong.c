/* W2 / W4 C reference: 64-byte ping-pong over TCP (127.0.0.1, TCP_NODELAY)
 * or an AF_UNIX stream path. The parent measures as client; a forked child
 * is the echo server. Plain blocking calls by default; with `epoll`, both
 * ends are non-blocking and wait in epoll as an event loop does (send,
 * wait, receive: the fewest system calls an event-loop library can make),
 * which is the ceiling for any async implementation.
 * usage: pingpong tcp|unix [epoll]   (BENCH_DURATION, BENCH_WARMUP, BENCH_TMP) */
#include "common.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MSG 64

static int use_epoll;
static int ep = -1;

/* In epoll mode: the socket's entry (level-triggered, readable) is added
 * once; a wait is one epoll_wait, as in an event loop's turn. */
static void watch(int fd) {
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};
  if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0) die("epoll_create1");
  if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
}

/* One receive: in epoll mode, waits for readiness first (the socket is
 * non-blocking), so that every receive finds data. */
static ssize_t receive(int fd, char *buf, size_t n) {
  if (use_epoll) {
    struct epoll_event ev;
    while (epoll_wait(ep, &ev, 1, -1) < 0)
      if (errno != EINTR) die("epoll_wait");
  }
  return recv(fd, buf, n, 0);
}

static void nodelay(int fd, int tcp) {
  int one = 1;
  if (tcp && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) die("setsockopt");
}

static long loop(int fd, double ms, double *elapsed) {
  char msg[MSG], buf[MSG];
  memset(msg, 'a', sizeof msg);
  double t0 = now_ms(), end = t0 + ms;
  long n = 0;
  for (;;) {
    if (send_all(fd, msg, MSG) < 0) die("send");
    size_t got = 0;
    while (got < MSG) {
      ssize_t r = receive(fd, buf, MSG - got);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) die("recv");
      got += (size_t)r;
    }
    n++;
    if ((n & 63) == 0 && now_ms() >= end) break;
  }
  *elapsed = now_ms() - t0;
  return n;
}

int main(int argc, char **argv) {
  int tcp = !(argc > 1 && strcmp(argv[1], "unix") == 0);
  use_epoll = argc > 2 && strcmp(argv[2], "epoll") == 0;
  double duration = env_seconds("BENCH_DURATION", 1.5), warmup = env_seconds("BENCH_WARMUP", 0.25);
  const char *tmp = getenv("BENCH_TMP") ? getenv("BENCH_TMP") : "/tmp";
  struct sockaddr_storage ss;
  socklen_t len;
  memset(&ss, 0, sizeof ss);
  int lfd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (lfd < 0) die("socket");
  if (tcp) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *sin;
  } else {
    struct sockaddr_un *sun = (struct sockaddr_un *)&ss;
    sun->sun_family = AF_UNIX;
    snprintf(sun->sun_path, sizeof sun->sun_path, "%s/c-pp-%d.sock", tmp, (int)getpid());
    unlink(sun->sun_path);
    len = sizeof *sun;
  }
  if (bind(lfd, (struct sockaddr *)&ss, len) < 0) die("bind");
  if (listen(lfd, 16) < 0) die("listen");
  len = sizeof ss;
  if (getsockname(lfd, (struct sockaddr *)&ss, &len) < 0) die("getsockname");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    die_with_parent();
    int c = accept(lfd, NULL, NULL);
    if (c < 0) die("accept");
    nodelay(c, tcp);
    if (use_epoll) {
      if (fcntl(c, F_SETFL, O_NONBLOCK) < 0) die("fcntl");
      watch(c);
    }
    char buf[4096];
    for (;;) {
      ssize_t r = receive(c, buf, sizeof buf);
      if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (r <= 0) break;
      if (send_all(c, buf, (size_t)r) < 0) break;
    }
    _exit(0);
  }
  close(lfd);
  int fd = socket(tcp ? AF_INET : AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&ss, len) < 0) die("connect");
  nodelay(fd, tcp);
  if (use_epoll) {
    if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0) die("fcntl");
    watch(fd);
  }
  double ms;
  loop(fd, warmup * 1000, &ms);
  long n = loop(fd, duration * 1000, &ms);
  close(fd);
  waitpid(pid, NULL, 0);
  if (!tcp) unlink(((struct sockaddr_un *)&ss)->sun_path);
  printf("{\"value\":%.3f,\"unit\":\"rt/s\",\"roundtrips\":%ld,\"ms\":%.0f}\n", n / ms * 1000, n, ms);
  return 0;
}
