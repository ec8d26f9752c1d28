/* Readiness: which sockets may be read or written now, on whatever loop
 * the JavaScript runtime has.
 *
 * One poll set (epoll; kqueue on macOS) per environment. A socket that waits is an entry
 * in a table indexed by its descriptor, not a handle of the runtime's
 * loop: what the loop sees is one descriptor, the poll set itself. A
 * backend tells the JavaScript thread when the poll set is readable; the
 * core (readiness.c) then collects the ready sockets and hands them to
 * JavaScript in one call.
 *
 * Semantics, the same with every backend:
 *  - one-shot: events delivered for a descriptor are no longer wanted
 *    until bsd_readiness_watch asks again;
 *  - a descriptor whose wait is referenced keeps the loop alive while it
 *    waits (bsd_readiness_ref: the socket's ref()/unref());
 *  - an error or hang-up is delivered as every event that is waited for,
 *    so that the calls themselves report it;
 *  - bsd_readiness_forget before a descriptor is closed or handed away.
 */
#ifndef BSD_READINESS_H
#define BSD_READINESS_H

#include <node_api.h>

typedef struct bsd_readiness bsd_readiness;

#define BSD_READABLE 1
#define BSD_WRITABLE 2
/* In a bsd_ready_event only: an error or a hang-up. */
#define BSD_FAILED 4

/* What the poll set reports for one descriptor. */
typedef struct {
  int fd;
  int events;
} bsd_ready_event;

/* --- the poll set (pollset.c: epoll on Linux, kqueue elsewhere) ------------ */

/* The most events one bsd_pollset_wait returns. */
#define BSD_POLLSET_MAX 256
/* A new poll set's descriptor (close-on-exec), or -errno. */
int bsd_pollset_open(void);
/* Changes what fd is polled for, from `before` to `after` (READABLE |
 * WRITABLE; 0: not in the set); 0 or -errno. */
int bsd_pollset_change(int ps, int fd, int before, int after, int edge_triggered);
/* Waits up to timeout_ms (-1: no limit) for events; their count, or -errno. */
int bsd_pollset_wait(int ps, bsd_ready_event *out, int max, int timeout_ms);

/* --- the environment's side (env.c) ------------------------------------ */

/* The state of one environment; nothing is opened until JS starts it. */
bsd_readiness *bsd_readiness_create(napi_env env);
/* Exports the JS bindings (readiness_start, readiness_watch,
 * readiness_ref) bound to this environment's state. */
void bsd_readiness_export(napi_env env, napi_value exports, bsd_readiness *r);
/* The descriptor is being closed or detached: stop watching it. */
void bsd_readiness_forget(bsd_readiness *r, int fd);
/* The environment goes away (JS may not run): stops the backend and frees
 * everything; done(arg) runs once the runtime's loop holds nothing of
 * ours any more, possibly later (a loop handle closes asynchronously). */
void bsd_readiness_teardown(bsd_readiness *r, void (*done)(void *arg), void *arg);

/* --- the watcher calls ---------------------------------------------------- */

/* Wait for `events` (BSD_READABLE | BSD_WRITABLE; 0: nothing waits) on fd.
 * 0 or -errno. */
int bsd_readiness_watch(bsd_readiness *r, int fd, int events);
/* Whether a wait on fd keeps the loop alive (the default) or not. */
int bsd_readiness_ref(bsd_readiness *r, int fd, int on);

/* --- a backend ------------------------------------------------------------ */

typedef struct bsd_backend {
  const char *name;
  /* Whether the poll set's entries are edge-triggered: a backend that
   * waits on another thread collects the events there, and level-triggered
   * entries would report the same events until JS has handled them. */
  int edge_triggered;
  /* Starts telling the JS thread when epfd is readable, by
   * bsd_readiness_dispatch(r), or hands it the events the backend
   * collected, by bsd_readiness_deliver. The loop is not kept alive until keep_alive(1). Returns
   * the backend's state, or NULL with *err set to a positive errno. */
  void *(*start)(bsd_readiness *r, napi_env env, int epfd, int *err);
  /* on: some referenced wait is pending; off: none is. JS thread only. */
  void (*keep_alive)(void *state, napi_env env, int on);
  /* Stops for good (the environment's teardown, JS thread); done(arg)
   * once nothing of the backend is left in the runtime's loop. After
   * stop returns the backend never calls bsd_readiness_dispatch again and
   * epfd may be closed. */
  void (*stop)(void *state, void (*done)(void *arg), void *arg);
} bsd_backend;

/* libuv's uv_poll_t on the poll set (Node, Deno). */
extern const bsd_backend bsd_backend_uv;
/* A thread waiting on the poll set, waking JS through a threadsafe
 * function (runtimes without uv_poll: Bun). */
extern const bsd_backend bsd_backend_thread;

/* Called by a backend on the JS thread when the poll set may be readable:
 * collects what is ready and delivers it to JS. */
void bsd_readiness_dispatch(bsd_readiness *r);
/* Delivers events a backend collected from the poll set (JS thread). */
void bsd_readiness_deliver(bsd_readiness *r, const bsd_ready_event *evs, int n);

#endif
