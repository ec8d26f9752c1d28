/* W6 C reference: 1-byte send + recv on an AF_UNIX stream socketpair in one
 * thread; ns per pair. */
#include "common.h"

#include <sys/socket.h>

static long loop(int a, int b, double ms, double *elapsed) {
  char one = 'x', in;
  double t0 = now_ms(), end = t0 + ms;
  long n = 0;
  for (;;) {
    if (send(a, &one, 1, 0) != 1) die("send");
    if (recv(b, &in, 1, 0) != 1) die("recv");
    n++;
    if ((n & 1023) == 0 && now_ms() >= end) break;
  }
  *elapsed = now_ms() - t0;
  return n;
}

int main(void) {
  double duration = env_seconds("BENCH_DURATION", 1.5), warmup = env_seconds("BENCH_WARMUP", 0.25);
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
  double ms;
  loop(sv[0], sv[1], warmup * 1000, &ms);
  long n = loop(sv[0], sv[1], duration * 1000, &ms);
  printf("{\"value\":%.3f,\"unit\":\"ns/pair\",\"pairs\":%ld,\"ms\":%.0f}\n", ms * 1e6 / n, n, ms);
  return 0;
}
