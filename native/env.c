/* Per-environment state (the main thread and each worker have their own):
 * the descriptors owned by live Socket objects and the readiness state.
 * When an environment goes away (a worker is terminated, the process
 * exits) readiness stops and its sockets' descriptors are released, as
 * Node does for its own handles. */
#include "bsd.h"

#include "readiness.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void release(bsd_env *e);

static void on_readiness_closed(void *arg) {
  bsd_env *e = arg;
  e->readiness_closing = 0;
  release(e);
}

static void on_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  bsd_env *e = (bsd_env *)arg;
  e->tearing_down = 1;
  e->hook = hook;
  for (size_t i = 0; i < e->nfds; i++) {
    if (e->fds[i] >= 0) close(e->fds[i]);
  }
  free(e->fds);
  e->fds = NULL;
  e->nfds = e->capfds = 0;
  free(e->mmsg_scratch);
  e->mmsg_scratch = NULL;
  e->mmsg_scratch_len = 0;
  /* Last: once it is done (now or when the loop has closed its handle),
   * on_readiness_closed releases e. */
  bsd_readiness *r = e->readiness;
  e->readiness = NULL;
  e->readiness_closing = 1;
  bsd_readiness_teardown(r, on_readiness_closed, e);
}

/* Deno frees an async cleanup hook's handle itself once the hook has
 * returned, so removing it (Node-API's way to say the cleanup is done)
 * frees it twice and aborts the process at exit ("free(): double free").
 * Deno's napi_add_async_cleanup_hook runs the hook synchronously from its
 * own cleanup and never waits for the removal: there, the removal is
 * skipped. (Deno's ext/napi async_cleanup_handler; no upstream issue
 * found as of Deno 2.9.6.) */
static int runtime_frees_hook_handle(napi_env env) {
  const napi_node_version *v = NULL;
  return napi_get_node_version(env, &v) == napi_ok && v != NULL && v->release != NULL &&
         strcmp(v->release, "Deno") == 0;
}

/* Once readiness has stopped, the environment's state goes. */
static void release(bsd_env *e) {
  if (e->tearing_down && !e->readiness_closing && e->hook != NULL) {
    napi_async_cleanup_hook_handle hook = e->hook;
    e->hook = NULL;
    if (!e->hook_freed_by_runtime) napi_remove_async_cleanup_hook(hook);
    free(e);
  }
}

bsd_env *bsd_env_get(napi_env env) {
  void *data = NULL;
  napi_get_instance_data(env, &data);
  return (bsd_env *)data;
}

/* own(fd): the descriptor belongs to a live Socket of this environment. */
static napi_value js_own(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  bsd_env *e = bsd_env_get(env);
  if (e == NULL || fd < 0) return bsd_undefined(env);
  if (e->nfds == e->capfds) {
    size_t cap = e->capfds ? e->capfds * 2 : 64;
    int *n = realloc(e->fds, cap * sizeof *n);
    if (n == NULL) return bsd_undefined(env);
    e->fds = n;
    e->capfds = cap;
  }
  e->fds[e->nfds++] = fd;
  return bsd_undefined(env);
}

/* disown(fd): the Socket closed or detached it. Recent descriptors are
 * looked for first: sockets tend to be closed in reverse order. */
static napi_value js_disown(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  if (bsd_read_int32(env, argv[0], &fd)) return BSD_REFUSE(env);
  bsd_env *e = bsd_env_get(env);
  if (e == NULL) return bsd_undefined(env);
  /* Whatever the reason (close, detach, garbage collection), readiness
   * must not watch it any more. */
  bsd_readiness_forget(e->readiness, fd);
  for (size_t i = e->nfds; i-- > 0;) {
    if (e->fds[i] == fd) {
      e->fds[i] = e->fds[--e->nfds];
      break;
    }
  }
  return bsd_undefined(env);
}

static void no_finalize(napi_env env, void *data, void *hint) {
  /* Freed once on_teardown has stopped readiness. */
}

void bsd_init_env(napi_env env, napi_value exports) {
  bsd_env *e = bsd_env_get(env);
  if (e == NULL) {
    e = calloc(1, sizeof *e);
    if (e != NULL) {
      e->readiness = bsd_readiness_create(env);
      e->hook_freed_by_runtime = runtime_frees_hook_handle(env);
      napi_set_instance_data(env, e, no_finalize, NULL);
      napi_add_async_cleanup_hook(env, on_teardown, e, &e->hook);
    }
  }
  bsd_export(env, exports, "own", js_own);
  bsd_export(env, exports, "disown", js_disown);
  if (e != NULL) bsd_readiness_export(env, exports, e->readiness);
}
