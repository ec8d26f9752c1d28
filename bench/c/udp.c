/* W3 C reference: 64-byte UDP datagrams over 127.0.0.1, plain blocking
 * sendto/recvfrom. The parent measures as receiver; a forked child sends
 * for BENCH_DURATION seconds, reports its count through a pipe, then sends
 * 1-byte end markers every 2 ms (at most 500). */
#include "common.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#define SIZE 64
#define MAX 50000000L

int main(void) {
  double duration = env_seconds("BENCH_DURATION", 1.5);
  int r = socket(AF_INET, SOCK_DGRAM, 0);
  if (r < 0) die("socket");
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof sin);
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(r, (struct sockaddr *)&sin, sizeof sin) < 0) die("bind");
  socklen_t len = sizeof sin;
  if (getsockname(r, (struct sockaddr *)&sin, &len) < 0) die("getsockname");
  int p[2];
  if (pipe(p) < 0) die("pipe");
  pid_t pid = fork();
  if (pid < 0) die("fork");
  if (pid == 0) {
    die_with_parent();
    close(r);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    char msg[SIZE];
    memset(msg, 'c', sizeof msg);
    double t0 = now_ms(), end = t0 + duration * 1000;
    long sent = 0;
    while (sent < MAX) {
      if (sendto(s, msg, SIZE, 0, (struct sockaddr *)&sin, sizeof sin) < 0 && errno != EINTR) die("sendto");
      sent++;
      if ((sent & 255) == 0 && now_ms() >= end) break;
    }
    double ms = now_ms() - t0;
    char line[128];
    int n = snprintf(line, sizeof line, "%ld %.3f\n", sent, ms);
    if (write(p[1], line, (size_t)n) < 0) die("write");
    for (int i = 0; i < 500; i++) {
      sendto(s, msg, 1, 0, (struct sockaddr *)&sin, sizeof sin);
      usleep(2000);
    }
    _exit(0);
  }
  close(p[1]);
  char buf[2048];
  long received = 0;
  double t0 = 0;
  for (;;) {
    ssize_t n = recvfrom(r, buf, sizeof buf, 0, NULL, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      die("recvfrom");
    }
    if (n == SIZE) {
      if (received++ == 0) t0 = now_ms();
    } else break;
  }
  double ms = now_ms() - t0;
  char line[128] = {0};
  size_t got = 0;
  while (got < sizeof line - 1) {
    ssize_t n = read(p[0], line + got, sizeof line - 1 - got);
    if (n <= 0) break;
    got += (size_t)n;
    if (memchr(line, '\n', got)) break;
  }
  long sent = 0;
  double sms = 1;
  sscanf(line, "%ld %lf", &sent, &sms);
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  printf("{\"value\":%.3f,\"unit\":\"dgram/s\",\"received\":%ld,\"sent\":%ld,\"loss_pct\":%.3f,\"sent_per_s\":%.3f,\"ms\":%.0f}\n",
         received / ms * 1000, received, sent, sent > 0 ? 100.0 * (sent - received) / sent : 0.0, sent / sms * 1000, ms);
  return 0;
}
