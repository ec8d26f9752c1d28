/* Readiness backend for runtimes without uv_poll (Bun): a thread waits on
 * the environment's poll set, whose entries are edge-triggered, collects
 * the events and wakes JS through a threadsafe function; the JS thread
 * delivers them. The thread never waits for JS: events that arrive
 * meanwhile join the batch that is on its way.
 *
 * The thread is stopped through a descriptor in the poll set (an eventfd on
 * Linux, a pipe elsewhere): teardown sets `stopping`, makes it readable,
 * and joins the thread, which
 * returns normally. (Cancelling it instead left its stack poisoned under
 * AddressSanitizer, which then reported an overflow as the thread ended.) */
#include "readiness.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#define WAIT_EVENTS BSD_POLLSET_MAX

typedef struct {
  bsd_readiness *r;
  int epfd;
  napi_threadsafe_function tsfn;
  pthread_t thread;
  int stop_pipe[2]; /* [0] in the poll set, [1] written at teardown (one eventfd twice on Linux) */
  pthread_mutex_t lock;
  /* Collected and not yet delivered (under lock). */
  bsd_ready_event *queue;
  size_t queued, capacity;
  int woken;    /* a wake is on its way to JS (under lock) */
  volatile int stopping; /* set on the JS thread at teardown */
  /* The JS thread's copy of a batch. */
  bsd_ready_event *batch;
  size_t batch_capacity;
} thread_backend;

/* Appends under lock; the events are dropped when memory runs out (the
 * waits concerned then end by their timeout or abort, if any). */
static void push(thread_backend *b, const bsd_ready_event *evs, int n) {
  if (b->queued + n > b->capacity) {
    size_t cap = b->capacity ? b->capacity : WAIT_EVENTS;
    while (cap < b->queued + n) cap *= 2;
    bsd_ready_event *q = realloc(b->queue, cap * sizeof *q);
    if (q == NULL) return;
    b->queue = q;
    b->capacity = cap;
  }
  memcpy(b->queue + b->queued, evs, n * sizeof *evs);
  b->queued += n;
}

static void *wait_loop(void *arg) {
  thread_backend *b = arg;
  bsd_ready_event evs[WAIT_EVENTS];
  /* Named, so that it can be told apart in ps, gdb and the tests. */
#ifdef __APPLE__
  pthread_setname_np("bsdsock-ready");
#else
  pthread_setname_np(pthread_self(), "bsdsock-ready");
#endif
  for (;;) {
    int n = bsd_pollset_wait(b->epfd, evs, WAIT_EVENTS, -1);
    if (b->stopping) break;
    if (n < 0) {
      if (n == -EINTR) continue;
      break;
    }
    /* The stop pipe is the thread's own: never delivered to JS. */
    int kept = 0;
    for (int i = 0; i < n; i++)
      if (evs[i].fd != b->stop_pipe[0]) evs[kept++] = evs[i];
    n = kept;
    if (n == 0) continue;
    pthread_mutex_lock(&b->lock);
    push(b, evs, n);
    int wake = !b->woken && b->queued > 0;
    if (wake) b->woken = 1;
    pthread_mutex_unlock(&b->lock);
    if (wake && napi_call_threadsafe_function(b->tsfn, NULL, napi_tsfn_nonblocking) != napi_ok) break;
  }
  return NULL;
}

/* On the JS thread. env is NULL when the runtime drops queued calls while
 * tearing the function down. */
static void on_wake(napi_env env, napi_value js_callback, void *context, void *data) {
  thread_backend *b = context;
  if (env == NULL || b->stopping) return;
  pthread_mutex_lock(&b->lock);
  /* Swap the queue for the JS thread's buffer: the thread goes on
   * collecting into the other one. */
  bsd_ready_event *q = b->queue;
  size_t n = b->queued, cap = b->capacity;
  b->queue = b->batch;
  b->capacity = b->batch_capacity;
  b->queued = 0;
  b->woken = 0;
  pthread_mutex_unlock(&b->lock);
  b->batch = q;
  b->batch_capacity = cap;
  bsd_readiness_deliver(b->r, q, (int)n);
}

static int open_stop(thread_backend *b) {
#ifdef __linux__
  int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (fd < 0) return -errno;
  b->stop_pipe[0] = b->stop_pipe[1] = fd;
#else
  if (pipe(b->stop_pipe) != 0) return -errno;
  for (int i = 0; i < 2; i++) fcntl(b->stop_pipe[i], F_SETFD, FD_CLOEXEC);
#endif
  return 0;
}

static void close_stop(thread_backend *b) {
  if (b->stop_pipe[0] >= 0) close(b->stop_pipe[0]);
  if (b->stop_pipe[1] >= 0 && b->stop_pipe[1] != b->stop_pipe[0]) close(b->stop_pipe[1]);
  b->stop_pipe[0] = b->stop_pipe[1] = -1;
}

/* The runtime is done with the function: nothing can use b any more. */
static void on_finalize(napi_env env, void *data, void *hint) {
  thread_backend *b = data;
  close_stop(b);
  pthread_mutex_destroy(&b->lock);
  free(b->queue);
  free(b->batch);
  free(b);
}

static void *thread_start(bsd_readiness *r, napi_env env, int epfd, int *err) {
  thread_backend *b = calloc(1, sizeof *b);
  if (b == NULL) {
    *err = ENOMEM;
    return NULL;
  }
  b->r = r;
  b->epfd = epfd;
  b->stop_pipe[0] = b->stop_pipe[1] = -1;
  int rc = open_stop(b);
  if (rc == 0) rc = bsd_pollset_change(epfd, b->stop_pipe[0], 0, BSD_READABLE, 0);
  if (rc < 0) {
    *err = -rc;
    close_stop(b);
    free(b);
    return NULL;
  }
  pthread_mutex_init(&b->lock, NULL);
  napi_value name;
  napi_create_string_utf8(env, "bsdsock:readiness", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, b, on_finalize, b, on_wake, &b->tsfn) != napi_ok) {
    *err = ENOSYS;
    pthread_mutex_destroy(&b->lock);
    close_stop(b);
    free(b);
    return NULL;
  }
  napi_unref_threadsafe_function(env, b->tsfn);
  rc = pthread_create(&b->thread, NULL, wait_loop, b);
  if (rc != 0) {
    *err = rc;
    b->stopping = 1;
    /* Freed by on_finalize. */
    napi_release_threadsafe_function(b->tsfn, napi_tsfn_abort);
    return NULL;
  }
  return b;
}

static void thread_keep_alive(void *state, napi_env env, int on) {
  thread_backend *b = state;
  if (on) napi_ref_threadsafe_function(env, b->tsfn);
  else napi_unref_threadsafe_function(env, b->tsfn);
}

static void thread_stop(void *state, void (*done)(void *arg), void *arg) {
  thread_backend *b = state;
  b->stopping = 1;
  /* A full pipe already holds a wake-up: the write may fail harmlessly. */
  uint64_t one = 1;
  ssize_t ignored = write(b->stop_pipe[1], &one, sizeof one);
  (void)ignored;
  pthread_join(b->thread, NULL);
  b->r = NULL;
  /* Freed by on_finalize, when the runtime lets the function go. */
  napi_release_threadsafe_function(b->tsfn, napi_tsfn_abort);
  done(arg);
}

const bsd_backend bsd_backend_thread = {"thread", 1, thread_start, thread_keep_alive, thread_stop};
