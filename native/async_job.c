/* Blocking library calls run on libuv's thread pool: a job's `run` step
 * executes on a pool thread and never touches JavaScript; its `done` step
 * runs back on the JS thread and builds the value the Promise resolves
 * with. The same `run` and `done` steps serve the synchronous bindings,
 * which simply call them one after the other. */
#include "bsd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void job_execute(napi_env env, void *data) {
  (void)env; /* must not be used: this runs off the JS thread */
  bsd_job *job = data;
  job->run(job);
}

static void job_complete(napi_env env, napi_status status, void *data) {
  bsd_job *job = data;
  napi_value value = NULL;
  if (status == napi_ok) {
    value = job->done(env, job);
    if (value == NULL) {
      /* done threw: hand the pending exception to the Promise instead. */
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (pending) {
        napi_value err;
        napi_get_and_clear_last_exception(env, &err);
        napi_reject_deferred(env, job->deferred, err);
      } else {
        napi_value msg, err;
        napi_create_string_utf8(env, "bsdsock: resolver job failed", NAPI_AUTO_LENGTH, &msg);
        napi_create_error(env, NULL, msg, &err);
        napi_reject_deferred(env, job->deferred, err);
      }
    } else {
      napi_resolve_deferred(env, job->deferred, value);
    }
  } else {
    /* Cancelled (the environment is shutting down) or failed to run. */
    napi_value msg, err;
    napi_create_string_utf8(env, "bsdsock: resolver job was cancelled", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, job->deferred, err);
  }
  napi_delete_async_work(env, job->work);
  job->release(job);
}

napi_value bsd_job_start(napi_env env, bsd_job *job, const char *name) {
  napi_value promise, resource_name;
  if (napi_create_promise(env, &job->deferred, &promise) != napi_ok) {
    job->release(job);
    return NULL;
  }
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource_name);
  if (napi_create_async_work(env, NULL, resource_name, job_execute, job_complete, job, &job->work) != napi_ok) {
    napi_value msg, err;
    napi_create_string_utf8(env, "bsdsock: cannot create async work", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, job->deferred, err);
    job->release(job);
    return promise;
  }
  if (napi_queue_async_work(env, job->work) != napi_ok) {
    napi_value msg, err;
    napi_create_string_utf8(env, "bsdsock: cannot queue async work", NAPI_AUTO_LENGTH, &msg);
    napi_create_error(env, NULL, msg, &err);
    napi_reject_deferred(env, job->deferred, err);
    napi_delete_async_work(env, job->work);
    job->release(job);
  }
  return promise;
}

napi_value bsd_job_sync(napi_env env, bsd_job *job) {
  job->run(job);
  napi_value v = job->done(env, job);
  job->release(job);
  return v;
}

/* Reads a string or a bytes-like object into a fresh NUL-terminated
 * buffer; null/undefined gives NULL when `optional`. Bytes are copied as
 * they are, so a NUL inside them ends the C string, as in C. */
int bsd_read_cstring(napi_env env, napi_value v, int optional, char **out) {
  napi_valuetype t;
  *out = NULL;
  if (napi_typeof(env, v, &t) != napi_ok) return -EINVAL;
  if (optional && (t == napi_null || t == napi_undefined)) return 0;
  if (t == napi_string) {
    size_t n;
    napi_get_value_string_utf8(env, v, NULL, 0, &n);
    *out = malloc(n + 1);
    if (*out == NULL) return -ENOMEM;
    napi_get_value_string_utf8(env, v, *out, n + 1, &n);
    return 0;
  }
  void *data;
  size_t len;
  if (t != napi_object || bsd_read_bytes(env, v, &data, &len)) return -EINVAL;
  *out = malloc(len + 1);
  if (*out == NULL) return -ENOMEM;
  if (len > 0) memcpy(*out, data, len);
  (*out)[len] = '\0';
  return 0;
}
