/* Readiness backend for runtimes without uv_poll (Bun): a thread waits on
 * the environment's poll set and wakes JS through a threadsafe function.
 * The JS thread then collects the ready sockets itself; the thread waits
 * again only once that is done, since the poll set stays readable until
 * then. The thread is stopped by cancellation, which it allows only while
 * it waits in poll(): everywhere else (the runtime's locks, the condition
 * variable) it cannot be cancelled. */
#include "readiness.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct {
  bsd_readiness *r;
  int epfd;
  napi_threadsafe_function tsfn;
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t cond;
  int queued;   /* a wake is on its way to JS: do not poll meanwhile */
  int stopping;
} thread_backend;

static void *wait_loop(void *arg) {
  thread_backend *b = arg;
  int ignored;
  pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
  for (;;) {
    pthread_mutex_lock(&b->lock);
    while (b->queued && !b->stopping) pthread_cond_wait(&b->cond, &b->lock);
    int stopping = b->stopping;
    pthread_mutex_unlock(&b->lock);
    if (stopping) break;
    struct pollfd pfd = {.fd = b->epfd, .events = POLLIN};
    pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &ignored);
    int n = poll(&pfd, 1, -1);
    pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &ignored);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (pfd.revents) {
      pthread_mutex_lock(&b->lock);
      b->queued = 1;
      pthread_mutex_unlock(&b->lock);
      if (napi_call_threadsafe_function(b->tsfn, NULL, napi_tsfn_nonblocking) != napi_ok) break;
    }
  }
  return NULL;
}

/* On the JS thread. env is NULL when the runtime drops queued calls while
 * tearing the function down. */
static void on_wake(napi_env env, napi_value js_callback, void *context, void *data) {
  thread_backend *b = context;
  if (env == NULL || b->stopping) return;
  bsd_readiness_dispatch(b->r);
  pthread_mutex_lock(&b->lock);
  b->queued = 0;
  pthread_cond_signal(&b->cond);
  pthread_mutex_unlock(&b->lock);
}

/* The runtime is done with the function: nothing can use b any more. */
static void on_finalize(napi_env env, void *data, void *hint) {
  thread_backend *b = data;
  pthread_mutex_destroy(&b->lock);
  pthread_cond_destroy(&b->cond);
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
  pthread_mutex_init(&b->lock, NULL);
  pthread_cond_init(&b->cond, NULL);
  napi_value name;
  napi_create_string_utf8(env, "bsdsock:readiness", NAPI_AUTO_LENGTH, &name);
  if (napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, b, on_finalize, b, on_wake, &b->tsfn) != napi_ok) {
    *err = ENOSYS;
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->cond);
    free(b);
    return NULL;
  }
  napi_unref_threadsafe_function(env, b->tsfn);
  int rc = pthread_create(&b->thread, NULL, wait_loop, b);
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
  pthread_mutex_lock(&b->lock);
  b->stopping = 1;
  pthread_cond_signal(&b->cond);
  pthread_mutex_unlock(&b->lock);
  /* Ends a poll() under way; otherwise the thread sees `stopping`. */
  pthread_cancel(b->thread);
  pthread_join(b->thread, NULL);
  b->r = NULL;
  /* Freed by on_finalize, when the runtime lets the function go. */
  napi_release_threadsafe_function(b->tsfn, napi_tsfn_abort);
  done(arg);
}

const bsd_backend bsd_backend_thread = {"thread", thread_start, thread_keep_alive, thread_stop};
