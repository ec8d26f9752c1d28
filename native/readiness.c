/* Readiness: watch an fd for read/write on the JS thread's event loop and
 * call back into JS. This is the one backend-specific piece of the async
 * machinery; it runs on libuv's uv_poll_t (Node, Deno). A second backend
 * (an epoll thread waking JS through a threadsafe function, for runtimes
 * without uv_poll) would implement the same five calls:
 *
 *   watcher_open(fd, callback(events)) -> handle, or -errno
 *   watcher_set(handle, events)        -> 0 or -errno  (0: nothing waits)
 *   watcher_ref(handle, bool)          keeps the loop alive or not
 *   watcher_close(handle)              stops for good; call before close(fd)
 *
 * events: 1 readable, 2 writable; the callback gets the ready events, or a
 * negative errno when polling itself failed. Delivery is one-shot: the
 * delivered events are no longer wanted until watcher_set asks again. */
#include "bsd.h"

#include <errno.h>
#include <stdlib.h>
#include <uv.h>

static void on_poll(uv_poll_t *h, int status, int events);

/* The JS handle owns a slot; the slot points at the watcher until the
 * watcher's memory is released by uv_close's callback. The two lifetimes
 * (JS garbage collection, libuv close) are independent. */
typedef struct {
  bsd_watcher *w;
} bsd_slot;

struct bsd_watcher {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context ctx;
  bsd_env *owner;
  bsd_watcher *prev, *next;
  bsd_slot *slot;
  int events;   /* what libuv polls for */
  int want;     /* what JS waits for; a subset of events */
  int user_ref; /* sock.ref()/unref() */
  int strong;
  int closing;
};

static void on_closed(uv_handle_t *h) {
  bsd_watcher *w = (bsd_watcher *)h->data;
  bsd_env *owner = w->owner;
  if (w->slot != NULL) w->slot->w = NULL;
  free(w);
  owner->live_watchers--;
  bsd_env_release(owner);
}

static void close_watcher(bsd_watcher *w) {
  if (w->closing) return;
  w->closing = 1;
  uv_poll_stop(&w->poll);
  if (w->callback != NULL) {
    napi_delete_reference(w->env, w->callback);
    w->callback = NULL;
  }
  if (w->ctx != NULL) {
    napi_async_destroy(w->env, w->ctx);
    w->ctx = NULL;
  }
  if (w->prev) w->prev->next = w->next;
  else w->owner->watchers = w->next;
  if (w->next) w->next->prev = w->prev;
  w->prev = w->next = NULL;
  uv_close((uv_handle_t *)&w->poll, on_closed);
}

/* The environment is going away: JS may not run, so references are left
 * to the environment's own cleanup. */
void bsd_readiness_teardown(bsd_env *e) {
  while (e->watchers != NULL) {
    bsd_watcher *w = e->watchers;
    e->watchers = w->next;
    w->prev = w->next = NULL;
    w->closing = 1;
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, on_closed);
  }
}

/* Polling is stopped lazily: when nothing waits any more the handle keeps
 * polling (unreferenced), so a socket used in a request/response rhythm
 * costs no epoll_ctl per wait; the first event nobody wants stops it. */
static int apply_events(bsd_watcher *w, int events) {
  int r = 0;
  if (events == w->events) return 0;
  if (events == 0) r = uv_poll_stop(&w->poll);
  else r = uv_poll_start(&w->poll, events, on_poll);
  if (r == 0) w->events = events;
  return r;
}

static void on_poll(uv_poll_t *h, int status, int events) {
  bsd_watcher *w = (bsd_watcher *)h->data;
  if (w->closing || w->callback == NULL) return;
  /* libuv stops the handle when it reports an error (an error queued on
   * the socket, EPOLLERR): it no longer polls, so the next watcher_set
   * must start it again. */
  if (status < 0) w->events = 0;
  int ready = status < 0 ? status : (events & w->want & (UV_READABLE | UV_WRITABLE));
  if (status >= 0 && (events & ~w->want & (UV_READABLE | UV_WRITABLE))) apply_events(w, w->want);
  if (ready == 0) return;
  napi_env env = w->env;
  /* One-shot: what is delivered is no longer wanted; JS asks again for
   * what still waits after it has run the ready calls. */
  w->want = status < 0 ? 0 : (w->want & ~ready);
  if (w->want == 0) {
    uv_unref((uv_handle_t *)&w->poll);
    if (w->strong) {
      napi_reference_unref(env, w->callback, NULL);
      w->strong = 0;
    }
  }
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn = NULL, recv, arg;
  napi_get_reference_value(env, w->callback, &fn);
  if (fn != NULL) {
    napi_get_global(env, &recv);
    napi_create_int32(env, ready, &arg);
    napi_status st = napi_make_callback(env, w->ctx, recv, fn, 1, &arg, NULL);
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void slot_finalize(napi_env env, void *data, void *hint) {
  bsd_slot *slot = (bsd_slot *)data;
  if (slot->w != NULL) {
    bsd_watcher *w = slot->w;
    w->slot = NULL;
    slot->w = NULL;
    close_watcher(w);
  }
  free(slot);
}

static bsd_watcher *get_watcher(napi_env env, napi_value v) {
  void *data = NULL;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t != napi_external || napi_get_value_external(env, v, &data) != napi_ok || data == NULL) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"watcher\" argument must be a watcher handle");
    return NULL;
  }
  return ((bsd_slot *)data)->w;
}

static napi_value js_watcher_open(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (bsd_arg_int32(env, argv[0], "fd", &fd)) return NULL;
  napi_valuetype t;
  napi_typeof(env, argv[1], &t);
  if (t != napi_function) return bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"callback\" argument must be a function");
  if (fd < 0) return bsd_errno(env, EBADF);
  bsd_env *owner = bsd_env_get(env);
  if (owner == NULL || owner->tearing_down) return bsd_errno(env, ECANCELED);
  uv_loop_t *loop;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return bsd_errno(env, ENOSYS);

  bsd_watcher *w = calloc(1, sizeof *w);
  bsd_slot *slot = calloc(1, sizeof *slot);
  if (w == NULL || slot == NULL) {
    free(w);
    free(slot);
    return bsd_errno(env, ENOMEM);
  }
  int r = uv_poll_init(loop, &w->poll, fd);
  if (r < 0) {
    free(w);
    free(slot);
    return bsd_int(env, r); /* libuv errors are -errno on Unix */
  }
  w->poll.data = w;
  w->user_ref = 1;
  /* Referenced only while something waits. */
  uv_unref((uv_handle_t *)&w->poll);
  w->env = env;
  w->owner = owner;
  w->slot = slot;
  slot->w = w;
  /* Weak until something waits: an idle socket must stay collectable. */
  napi_create_reference(env, argv[1], 0, &w->callback);
  napi_value name;
  napi_create_string_utf8(env, "bsdsock:readiness", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &w->ctx);
  w->next = owner->watchers;
  if (owner->watchers) owner->watchers->prev = w;
  owner->watchers = w;
  owner->live_watchers++;

  napi_value ext;
  if (napi_create_external(env, slot, slot_finalize, NULL, &ext) != napi_ok) {
    slot->w = NULL;
    w->slot = NULL;
    close_watcher(w);
    free(slot);
    return NULL;
  }
  return ext;
}

static napi_value js_watcher_set(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_value ext = argv[0];
  int32_t events;
  bsd_watcher *w = get_watcher(env, ext);
  if (w == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : bsd_errno(env, EBADF);
  }
  if (bsd_arg_int32(env, argv[1], "events", &events)) return NULL;
  if (w->closing) return bsd_errno(env, EBADF);
  events &= UV_READABLE | UV_WRITABLE;
  /* Start polling what is newly wanted; keep polling the rest for now. */
  if ((events & ~w->events) != 0) {
    int r = apply_events(w, w->events | events);
    if (r < 0) return bsd_int(env, r);
  }
  int was_waiting = w->want != 0;
  w->want = events;
  if (events != 0 && !was_waiting) {
    /* Something waits: keep the loop (if the socket is ref'd) and the
     * callback, and through it the socket, alive. */
    if (w->user_ref) uv_ref((uv_handle_t *)&w->poll);
    if (!w->strong) {
      napi_reference_ref(env, w->callback, NULL);
      w->strong = 1;
    }
  } else if (events == 0 && was_waiting) {
    uv_unref((uv_handle_t *)&w->poll);
    if (w->strong) {
      napi_reference_unref(env, w->callback, NULL);
      w->strong = 0;
    }
  }
  return bsd_int(env, 0);
}

static napi_value js_watcher_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bsd_watcher *w = get_watcher(env, argv[0]);
  if (w == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : bsd_undefined(env);
  }
  bool on;
  if (napi_get_value_bool(env, argv[1], &on) != napi_ok)
    return bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"ref\" argument must be of type boolean");
  w->user_ref = on;
  if (!w->closing) {
    if (on && w->want != 0) uv_ref((uv_handle_t *)&w->poll);
    else uv_unref((uv_handle_t *)&w->poll);
  }
  return bsd_undefined(env);
}

static napi_value js_watcher_close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bsd_watcher *w = get_watcher(env, argv[0]);
  if (w == NULL) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    return pending ? NULL : bsd_undefined(env);
  }
  close_watcher(w);
  return bsd_undefined(env);
}

void bsd_init_readiness(napi_env env, napi_value exports) {
  bsd_export(env, exports, "watcher_open", js_watcher_open);
  bsd_export(env, exports, "watcher_set", js_watcher_set);
  bsd_export(env, exports, "watcher_ref", js_watcher_ref);
  bsd_export(env, exports, "watcher_close", js_watcher_close);
}
