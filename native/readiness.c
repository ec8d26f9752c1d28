/* Readiness, the core shared by every backend: the environment's poll set,
 * the table of waiting descriptors, and delivery to JS (see readiness.h).
 *
 * Polling is narrowed lazily: once an event is delivered the descriptor
 * stays in the poll set (it is no longer wanted, so it neither wakes JS
 * nor keeps the loop alive), and only an event that nobody wants takes it
 * out. A socket used in a request/response rhythm so costs no epoll_ctl
 * per wait. */
#include "readiness.h"

#include "bsd.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Ready descriptors handed to JS per call, as (fd, events) pairs in a
 * buffer JS reads; more are left for the next wake (the poll set stays
 * readable). */
#define BATCH BSD_POLLSET_MAX

typedef struct {
  uint8_t want;   /* what JS waits for */
  uint8_t polled; /* what the poll set holds; 0: not in it */
  uint8_t unref;  /* the socket's unref(): its wait keeps nothing alive */
} entry;

struct bsd_readiness {
  napi_env env;
  int epfd;              /* the poll set; -1 if it could not be opened */
  entry *table;          /* indexed by descriptor */
  size_t cap;
  size_t refs;           /* referenced waits: the loop is kept alive while > 0 */
  size_t members;        /* descriptors in the poll set */
  unsigned members_xor;  /* their XOR: the descriptor itself when there is one */
  const bsd_backend *backend;
  void *state;           /* the backend's */
  napi_ref callback;     /* JS: (count) => void */
  napi_ref buffer;       /* the ArrayBuffer of the (fd, events) pairs */
  int32_t *pairs;
  napi_async_context ctx;
};

bsd_readiness *bsd_readiness_create(napi_env env) {
  bsd_readiness *r = calloc(1, sizeof *r);
  if (r == NULL) return NULL;
  r->env = env;
  /* Opened now, not at the first wait: an environment's descriptor count
   * does not change when its sockets start to wait. */
  r->epfd = bsd_pollset_open();
  return r;
}

static int grow(bsd_readiness *r, int fd) {
  if ((size_t)fd < r->cap) return 0;
  size_t cap = r->cap ? r->cap : 64;
  while (cap <= (size_t)fd) cap *= 2;
  entry *t = realloc(r->table, cap * sizeof *t);
  if (t == NULL) return -ENOMEM;
  memset(t + r->cap, 0, (cap - r->cap) * sizeof *t);
  r->table = t;
  r->cap = cap;
  return 0;
}

/* Sets what the poll set polls fd for to `events` (0: out of the set). */
static int set_interest(bsd_readiness *r, int fd, entry *e, int events) {
  if (events == e->polled) return 0;
  int rc = bsd_pollset_change(r->epfd, fd, e->polled, events, r->backend->edge_triggered);
  if (rc < 0) return rc;
  if ((e->polled == 0) != (events == 0)) {
    r->members += events ? 1 : -1;
    r->members_xor ^= (unsigned)fd;
  }
  e->polled = (uint8_t)events;
  return 0;
}

/* Keeps the count of referenced waits and tells the backend when it
 * crosses zero. */
static void count_ref(bsd_readiness *r, int before, int after) {
  if (before == after) return;
  if (after) {
    if (r->refs++ == 0 && r->state != NULL) r->backend->keep_alive(r->state, r->env, 1);
  } else {
    if (--r->refs == 0 && r->state != NULL) r->backend->keep_alive(r->state, r->env, 0);
  }
}

static int counts(const entry *e) {
  return e->want != 0 && !e->unref;
}

int bsd_readiness_watch(bsd_readiness *r, int fd, int events) {
  if (fd < 0) return -EBADF;
  if (r->state == NULL) return -EBADF; /* not started */
  events &= BSD_READABLE | BSD_WRITABLE;
  int rc = grow(r, fd);
  if (rc < 0) return rc;
  entry *e = &r->table[fd];
  /* Poll for what is newly wanted; keep polling the rest for now. */
  if (events & ~e->polled) {
    rc = set_interest(r, fd, e, e->polled | events);
    if (rc < 0) return rc;
  }
  int before = counts(e);
  e->want = (uint8_t)events;
  count_ref(r, before, counts(e));
  return 0;
}

int bsd_readiness_ref(bsd_readiness *r, int fd, int on) {
  if (fd < 0) return -EBADF;
  int rc = grow(r, fd);
  if (rc < 0) return rc;
  entry *e = &r->table[fd];
  int before = counts(e);
  e->unref = !on;
  count_ref(r, before, counts(e));
  return 0;
}

void bsd_readiness_forget(bsd_readiness *r, int fd) {
  if (r == NULL || fd < 0 || (size_t)fd >= r->cap) return;
  entry *e = &r->table[fd];
  if (e->polled && r->epfd >= 0) set_interest(r, fd, e, 0);
  count_ref(r, counts(e), 0);
  memset(e, 0, sizeof *e);
}

void bsd_readiness_dispatch(bsd_readiness *r) {
  bsd_ready_event evs[BATCH];
  int n;
  /* One descriptor in the set, polled for exactly the one direction that
   * is waited for: the set is readable only when that descriptor is ready
   * (or in error), so it is delivered without asking epoll_wait, which
   * spares a system call per wake-up for a program with one connection.
   * (Level-triggered entries only: the thread backend never calls this.) */
  if (r->members == 1) {
    int fd = (int)r->members_xor;
    entry *e = (size_t)fd < r->cap ? &r->table[fd] : NULL;
    if (e != NULL && e->polled == e->want && (e->want == BSD_READABLE || e->want == BSD_WRITABLE)) {
      evs[0].fd = fd;
      evs[0].events = e->want;
      bsd_readiness_deliver(r, evs, 1);
      return;
    }
  }
  do n = bsd_pollset_wait(r->epfd, evs, BATCH, 0);
  while (n == -EINTR);
  if (n > 0) bsd_readiness_deliver(r, evs, n);
}

/* Filters the events against what JS waits for and calls JS once with the
 * ready descriptors (at most BATCH of them, from n <= BATCH events). */
static void deliver_batch(bsd_readiness *r, const bsd_ready_event *evs, int n) {
  int count = 0;
  for (int i = 0; i < n; i++) {
    int fd = evs[i].fd;
    if (fd < 0 || (size_t)fd >= r->cap) continue;
    entry *e = &r->table[fd];
    if (e->polled == 0) continue; /* forgotten since it was collected */
    int got = evs[i].events;
    int seen = got & (BSD_READABLE | BSD_WRITABLE);
    int ready;
    if (got & BSD_FAILED) {
      /* The calls report the error (or the end) themselves. */
      ready = e->want;
      seen = BSD_READABLE | BSD_WRITABLE;
    } else {
      ready = seen & e->want;
    }
    /* An event nobody waits for: poll only for what is wanted. */
    if (seen & ~e->want) set_interest(r, fd, e, e->want & e->polled);
    if (ready == 0) continue;
    int before = counts(e);
    e->want &= (uint8_t)~ready; /* one-shot */
    count_ref(r, before, counts(e));
    r->pairs[2 * count] = fd;
    r->pairs[2 * count + 1] = ready;
    count++;
  }
  if (count == 0) return;
  napi_env env = r->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value fn = NULL, recv, arg;
  napi_get_reference_value(env, r->callback, &fn);
  if (fn != NULL) {
    napi_get_global(env, &recv);
    napi_create_int32(env, count, &arg);
    /* Deno writes the result through the pointer without a NULL check
     * (the shape of denoland/deno#36569, in napi_make_callback): always
     * pass one. */
    napi_value ignored;
    napi_status st = napi_make_callback(env, r->ctx, recv, fn, 1, &arg, &ignored);
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);
    }
  }
  napi_close_handle_scope(env, scope);
}

void bsd_readiness_deliver(bsd_readiness *r, const bsd_ready_event *evs, int n) {
  for (int i = 0; i < n && r->state != NULL; i += BATCH) deliver_batch(r, evs + i, n - i < BATCH ? n - i : BATCH);
}

void bsd_readiness_teardown(bsd_readiness *r, void (*done)(void *arg), void *arg) {
  if (r == NULL) {
    done(arg);
    return;
  }
  /* JS may not run: its references are left to the environment. */
  if (r->state != NULL) r->backend->stop(r->state, done, arg);
  else done(arg);
  if (r->epfd >= 0) close(r->epfd);
  free(r->table);
  free(r);
}

/* --- bindings ---------------------------------------------------------------- */

/* readiness_start(callback, backend): opens the poll set and starts the
 * backend ('uv' or 'thread'); returns the ArrayBuffer in which each call
 * of callback(count) finds `count` (fd, events) pairs of int32, or
 * -errno. Starting again returns the same buffer. */
static napi_value js_start(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  bsd_readiness *r = data;
  napi_valuetype t;
  napi_typeof(env, argv[0], &t);
  if (t != napi_function) return BSD_REFUSE(env);
  char name[16];
  size_t len;
  if (napi_get_value_string_utf8(env, argv[1], name, sizeof name, &len) != napi_ok) return BSD_REFUSE(env);
  if (r->state != NULL) {
    napi_value buf;
    napi_get_reference_value(env, r->buffer, &buf);
    return buf;
  }
  const bsd_backend *backend = NULL;
  if (strcmp(name, bsd_backend_uv.name) == 0) backend = &bsd_backend_uv;
  else if (strcmp(name, bsd_backend_thread.name) == 0) backend = &bsd_backend_thread;
  else return bsd_errno(env, EINVAL);

  napi_value buf;
  void *pairs;
  if (napi_create_arraybuffer(env, BATCH * 2 * sizeof(int32_t), &pairs, &buf) != napi_ok) return NULL;
  if (r->epfd < 0) r->epfd = bsd_pollset_open();
  if (r->epfd < 0) return bsd_errno(env, -r->epfd);
  int err = 0;
  r->backend = backend;
  r->state = backend->start(r, env, r->epfd, &err);
  if (r->state == NULL) return bsd_errno(env, err ? err : ENOMEM);
  r->pairs = pairs;
  napi_create_reference(env, buf, 1, &r->buffer);
  napi_create_reference(env, argv[0], 1, &r->callback);
  napi_value resource_name;
  napi_create_string_utf8(env, "bsdsock:readiness", NAPI_AUTO_LENGTH, &resource_name);
  napi_async_init(env, NULL, resource_name, &r->ctx);
  if (r->refs > 0) backend->keep_alive(r->state, env, 1);
  return buf;
}

/* readiness_watch(fd, events) -> 0 or -errno */
static napi_value js_watch(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  int32_t fd, events;
  if (bsd_read_int32(env, argv[0], &fd) || bsd_read_int32(env, argv[1], &events)) return BSD_REFUSE(env);
  return bsd_int(env, bsd_readiness_watch(data, fd, events));
}

/* readiness_ref(fd, on) -> 0 or -errno */
static napi_value js_ref(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  void *data;
  napi_get_cb_info(env, info, &argc, argv, NULL, &data);
  int32_t fd;
  int on;
  if (bsd_read_int32(env, argv[0], &fd) || bsd_read_bool(env, argv[1], &on)) return BSD_REFUSE(env);
  return bsd_int(env, bsd_readiness_ref(data, fd, on));
}

static void export_with(napi_env env, napi_value exports, const char *name, napi_callback cb, void *data) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) == napi_ok)
    napi_set_named_property(env, exports, name, fn);
}

void bsd_readiness_export(napi_env env, napi_value exports, bsd_readiness *r) {
  if (r == NULL) return;
  export_with(env, exports, "readiness_start", js_start, r);
  export_with(env, exports, "readiness_watch", js_watch, r);
  export_with(env, exports, "readiness_ref", js_ref, r);
}
