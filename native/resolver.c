/* Name resolution: getaddrinfo and getnameinfo, each callable blocking on
 * the calling thread or as a Promise whose lookup runs on libuv's thread
 * pool. Failures come back as data ({eai, errno, message}, see bsd.h);
 * TypeScript turns them into Python's exceptions. */
#include "bsd.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

static napi_value eai_error(napi_env env, int eai, int err) {
  napi_value o;
  napi_create_object(env, &o);
  napi_set_named_property(env, o, "eai", bsd_int(env, eai));
  napi_set_named_property(env, o, "errno", bsd_int(env, err));
  napi_value msg;
  napi_create_string_utf8(env, gai_strerror(eai), NAPI_AUTO_LENGTH, &msg);
  napi_set_named_property(env, o, "message", msg);
  return o;
}

/* ---- getaddrinfo ---- */

typedef struct {
  bsd_job base;
  char *host, *port;
  struct addrinfo hints;
  struct addrinfo *res;
  int eai, err;
} gai_job;

static void gai_run(bsd_job *j) {
  gai_job *job = (gai_job *)j;
  errno = 0;
  job->eai = getaddrinfo(job->host, job->port, &job->hints, &job->res);
  job->err = errno;
  if (job->eai != 0) job->res = NULL;
}

static napi_value gai_done(napi_env env, bsd_job *j) {
  gai_job *job = (gai_job *)j;
  if (job->eai != 0) return eai_error(env, job->eai, job->err);
  napi_value list;
  napi_create_array(env, &list);
  uint32_t i = 0;
  for (struct addrinfo *ai = job->res; ai != NULL; ai = ai->ai_next) {
    napi_value item, canon;
    napi_create_array_with_length(env, 5, &item);
    napi_set_element(env, item, 0, bsd_int(env, ai->ai_family));
    napi_set_element(env, item, 1, bsd_int(env, ai->ai_socktype));
    napi_set_element(env, item, 2, bsd_int(env, ai->ai_protocol));
    napi_create_string_utf8(env, ai->ai_canonname ? ai->ai_canonname : "", NAPI_AUTO_LENGTH, &canon);
    napi_set_element(env, item, 3, canon);
    napi_value addr = bsd_sockaddr_decode(env, ai->ai_addr, ai->ai_addrlen);
    if (addr == NULL) return NULL;
    napi_set_element(env, item, 4, addr);
    napi_set_element(env, list, i++, item);
  }
  return list;
}

static void gai_release(bsd_job *j) {
  gai_job *job = (gai_job *)j;
  if (job->res != NULL) freeaddrinfo(job->res);
  free(job->host);
  free(job->port);
  free(job);
}

/* Reads (host|null, port|null, family, type, proto, flags); host and port
 * are strings or bytes-like objects. 0 or a negative errno. */
static int gai_args(napi_env env, napi_callback_info info, gai_job **out) {
  ARGS(6);
  int32_t family, type, proto, flags;
  if (bsd_read_int32(env, argv[2], &family) || bsd_read_int32(env, argv[3], &type) ||
      bsd_read_int32(env, argv[4], &proto) || bsd_read_int32(env, argv[5], &flags))
    return -EINVAL;
  gai_job *job = calloc(1, sizeof *job);
  if (job == NULL) return -ENOMEM;
  job->base.run = gai_run;
  job->base.done = gai_done;
  job->base.release = gai_release;
  int e = bsd_read_cstring(env, argv[0], 1, &job->host);
  if (e == 0) e = bsd_read_cstring(env, argv[1], 1, &job->port);
  if (e != 0) {
    gai_release(&job->base);
    return e;
  }
  job->hints.ai_family = family;
  job->hints.ai_socktype = type;
  job->hints.ai_protocol = proto;
  job->hints.ai_flags = flags;
#if defined(__APPLE__) && defined(AI_NUMERICSERV)
  /* Old macOS libcs crash on AI_NUMERICSERV with no service or "0". */
  if ((flags & AI_NUMERICSERV) && (job->port == NULL || strcmp(job->port, "0") == 0)) {
    free(job->port);
    job->port = strdup("00");
  }
#endif
  *out = job;
  return 0;
}

/* getaddrinfo(host|null, port|null, family, type, proto, flags) ->
 * [[family, type, proto, canonname, address], ...], an EAI failure, or
 * -errno. */
static napi_value js_getaddrinfo(napi_env env, napi_callback_info info) {
  gai_job *job = NULL;
  int e = gai_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_sync(env, &job->base);
}

/* The same, as a Promise; the lookup runs on libuv's thread pool. */
static napi_value js_getaddrinfo_async(napi_env env, napi_callback_info info) {
  gai_job *job = NULL;
  int e = gai_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_start(env, &job->base, "bsdsock.getaddrinfo");
}

/* ---- getnameinfo ---- */

typedef struct {
  bsd_job base;
  struct sockaddr_storage ss;
  socklen_t len;
  int flags;
  int eai, err;
  char hbuf[NI_MAXHOST], sbuf[NI_MAXSERV];
} gni_job;

static void gni_run(bsd_job *j) {
  gni_job *job = (gni_job *)j;
  errno = 0;
  job->eai = getnameinfo((struct sockaddr *)&job->ss, job->len, job->hbuf, sizeof job->hbuf, job->sbuf,
                         sizeof job->sbuf, job->flags);
  job->err = errno;
}

static napi_value gni_done(napi_env env, bsd_job *j) {
  gni_job *job = (gni_job *)j;
  if (job->eai != 0) return eai_error(env, job->eai, job->err);
  napi_value pair[2];
  napi_create_string_utf8(env, job->hbuf, NAPI_AUTO_LENGTH, &pair[0]);
  napi_create_string_utf8(env, job->sbuf, NAPI_AUTO_LENGTH, &pair[1]);
  return bsd_array(env, 2, pair);
}

static void gni_release(bsd_job *j) { free(j); }

/* Reads (family, address, flags): the address is a numeric one that
 * TypeScript got from getaddrinfo (AI_NUMERICHOST) and checked. 0 or a
 * negative errno. */
static int gni_args(napi_env env, napi_callback_info info, gni_job **out) {
  ARGS(3);
  int32_t family, flags;
  if (bsd_read_int32(env, argv[0], &family) || bsd_read_int32(env, argv[2], &flags)) return -EINVAL;
  gni_job *job = calloc(1, sizeof *job);
  if (job == NULL) return -ENOMEM;
  int e = bsd_sockaddr_encode(env, family, argv[1], &job->ss, &job->len);
  if (e != 0) {
    free(job);
    return e;
  }
  job->base.run = gni_run;
  job->base.done = gni_done;
  job->base.release = gni_release;
  job->flags = flags;
  *out = job;
  return 0;
}

/* getnameinfo(family, address, flags) -> [host, service], an EAI failure,
 * or -errno. */
static napi_value js_getnameinfo(napi_env env, napi_callback_info info) {
  gni_job *job = NULL;
  int e = gni_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_sync(env, &job->base);
}

static napi_value js_getnameinfo_async(napi_env env, napi_callback_info info) {
  gni_job *job = NULL;
  int e = gni_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_start(env, &job->base, "bsdsock.getnameinfo");
}

void bsd_init_resolver(napi_env env, napi_value exports) {
  bsd_export(env, exports, "getaddrinfo", js_getaddrinfo);
  bsd_export(env, exports, "getaddrinfo_async", js_getaddrinfo_async);
  bsd_export(env, exports, "getnameinfo", js_getnameinfo);
  bsd_export(env, exports, "getnameinfo_async", js_getnameinfo_async);
}
