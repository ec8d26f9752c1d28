/* W1 C reference: a TCP stream over 127.0.0.1, 64 KiB blocking send()s.
 * The parent measures as sender; a forked child receives, counts the bytes
 * and, at end of file, answers with the count (8 bytes), as the Node.js
 * receivers do. GB/s from the first timed send to the count's arrival.
 * (BENCH_DURATION, BENCH_WARMUP) */
#include "common.h"

#include <stdint.h>
#include <sys/wait.h>

#define CHUNK (64 * 1024)
#define MAX_BYTES (64LL << 30) /* count bound: 64 GiB */

static void receive(int lfd) {
  int c = accept(lfd, NULL, NULL);
  if (c < 0) die("accept");
  static char buf[CHUNK];
  uint64_t total = 0;
  for (;;) {
    ssize_t r = recv(c, buf, sizeof buf, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) die("recv");
    if (r == 0) break;
    total += (uint64_t)r;
  }
  if (send_all(c, (const char *)&total, sizeof total) < 0) die("send");
  close(c);
}

int main(void) {
  double duration = env_seconds("BENCH_DURATION", 1.5), warmup = env_seconds("BENCH_WARMUP", 0.25);
  struct sockaddr_in sin;
  int lfd = loopback_listener(0, 16, &sin);
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    die_with_parent();
    receive(lfd);
    _exit(0);
  }
  close(lfd);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) die("socket");
  if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) die("connect");
  static char chunk[CHUNK];
  memset(chunk, 'b', sizeof chunk);
  double end = now_ms() + warmup * 1000;
  while (now_ms() < end)
    if (send_all(fd, chunk, CHUNK) < 0) die("send");
  double t0 = now_ms();
  end = t0 + duration * 1000;
  long long sent = 0;
  while (sent < MAX_BYTES && now_ms() < end) {
    if (send_all(fd, chunk, CHUNK) < 0) die("send");
    sent += CHUNK;
  }
  if (shutdown(fd, SHUT_WR) < 0) die("shutdown");
  uint64_t count;
  size_t got = 0;
  while (got < sizeof count) {
    ssize_t r = recv(fd, (char *)&count + got, sizeof count - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) die("recv");
    got += (size_t)r;
  }
  double ms = now_ms() - t0;
  close(fd);
  waitpid(pid, NULL, 0);
  printf("{\"value\":%.6f,\"unit\":\"GB/s\",\"bytes\":%lld,\"ms\":%.0f}\n", sent / (ms / 1000) / 1e9, sent, ms);
  return 0;
}
