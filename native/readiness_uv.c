/* Readiness backend on libuv (Node, Deno): one uv_poll_t watches the
 * environment's poll set, so the runtime's loop wakes when any waiting
 * socket is ready. */
#include "readiness.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

typedef struct {
  uv_poll_t poll;
  bsd_readiness *r;
  void (*done)(void *arg);
  void *arg;
  int rearm; /* see poll_start */
} uv_backend;

static void on_poll(uv_poll_t *h, int status, int events) {
  uv_backend *b = h->data;
  /* libuv stops the handle when it reports an error; a poll set itself
   * reports none, but if it ever did, polling must go on. */
  if (status < 0 || b->rearm) uv_poll_start(&b->poll, UV_READABLE, on_poll);
  bsd_readiness_dispatch(b->r);
}

static void *poll_start(bsd_readiness *r, napi_env env, int epfd, int *err) {
  uv_loop_t *loop = NULL;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == NULL) {
    *err = ENOSYS;
    return NULL;
  }
  uv_backend *b = calloc(1, sizeof *b);
  if (b == NULL) {
    *err = ENOMEM;
    return NULL;
  }
  int rc = uv_poll_init(loop, &b->poll, epfd);
  if (rc == 0) {
    b->poll.data = b;
    b->r = r;
    rc = uv_poll_start(&b->poll, UV_READABLE, on_poll);
    if (rc < 0) {
      /* Initialised: only uv_close may release it. */
      uv_close((uv_handle_t *)&b->poll, (uv_close_cb)free);
      *err = -rc;
      return NULL;
    }
    uv_unref((uv_handle_t *)&b->poll);
    /* Deno's uv_poll reports one event per uv_poll_start, where libuv's
     * goes on until stopped (denoland/deno#36317): there it is started
     * again after each event. Not on libuv, where a restart costs two
     * epoll_ctl calls. */
    const napi_node_version *v = NULL;
    b->rearm = napi_get_node_version(env, &v) == napi_ok && v != NULL && v->release != NULL &&
               strcmp(v->release, "Deno") == 0;
    return b;
  }
  free(b);
  *err = -rc; /* libuv errors are -errno on Unix */
  return NULL;
}

static void poll_keep_alive(void *state, napi_env env, int on) {
  uv_backend *b = state;
  if (on) uv_ref((uv_handle_t *)&b->poll);
  else uv_unref((uv_handle_t *)&b->poll);
}

static void on_closed(uv_handle_t *h) {
  uv_backend *b = h->data;
  void (*done)(void *) = b->done;
  void *arg = b->arg;
  free(b);
  done(arg);
}

static void poll_stop(void *state, void (*done)(void *arg), void *arg) {
  uv_backend *b = state;
  b->done = done;
  b->arg = arg;
  b->r = NULL;
  uv_poll_stop(&b->poll);
  uv_close((uv_handle_t *)&b->poll, on_closed);
}

const bsd_backend bsd_backend_uv = {"uv", 0, poll_start, poll_keep_alive, poll_stop};
