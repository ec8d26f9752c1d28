/* Name resolution: getaddrinfo and getnameinfo, each callable blocking on
 * the calling thread or as a Promise whose lookup runs on libuv's thread
 * pool. Failures come back as data ({eai, errno, message}); TypeScript
 * turns them into Python's exceptions. */
#include "bsd.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
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
 * are strings or bytes-like objects. NULL with an exception pending. */
static gai_job *gai_args(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    bsd_throw_type(env, "ERR_MISSING_ARGS", "getaddrinfo takes 6 arguments");
    return NULL;
  }
  int32_t family, type, proto, flags;
  if (bsd_arg_int32(env, argv[2], "family", &family) || bsd_arg_int32(env, argv[3], "type", &type) ||
      bsd_arg_int32(env, argv[4], "proto", &proto) || bsd_arg_int32(env, argv[5], "flags", &flags))
    return NULL;
  gai_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return NULL;
  }
  job->base.run = gai_run;
  job->base.done = gai_done;
  job->base.release = gai_release;
  if (bsd_arg_cstring(env, argv[0], "host", 1, &job->host) ||
      bsd_arg_cstring(env, argv[1], "port", 1, &job->port)) {
    gai_release(&job->base);
    return NULL;
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
  return job;
}

/* getaddrinfo(host|null, port|null, family, type, proto, flags) ->
 * [[family, type, proto, canonname, address], ...] or {eai, errno, message}. */
static napi_value js_getaddrinfo(napi_env env, napi_callback_info info) {
  gai_job *job = gai_args(env, info);
  return job == NULL ? NULL : bsd_job_sync(env, &job->base);
}

/* The same, as a Promise; the lookup runs on libuv's thread pool. */
static napi_value js_getaddrinfo_async(napi_env env, napi_callback_info info) {
  gai_job *job = gai_args(env, info);
  return job == NULL ? NULL : bsd_job_start(env, &job->base, "bsdsock.getaddrinfo");
}

/* ---- getnameinfo ---- */

enum { GNI_OK, GNI_EAI, GNI_MULTIPLE, GNI_NOT_PAIR };

typedef struct {
  bsd_job base;
  char *host;
  char port[16];
  uint32_t flowinfo, scope_id;
  int flags, is_pair;
  int outcome, eai, err;
  char hbuf[NI_MAXHOST], sbuf[NI_MAXSERV];
} gni_job;

/* CPython's recipe: the numeric host and port go through getaddrinfo
 * (AI_NUMERICHOST, so never a lookup), which must give one address; that
 * address, with flowinfo and scope_id set, goes to getnameinfo. */
static void gni_run(bsd_job *j) {
  gni_job *job = (gni_job *)j;
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICHOST;
  errno = 0;
  int eai = getaddrinfo(job->host, job->port, &hints, &res);
  if (eai != 0) {
    job->outcome = GNI_EAI;
    job->eai = eai;
    job->err = errno;
    return;
  }
  if (res->ai_next != NULL) {
    job->outcome = GNI_MULTIPLE;
    freeaddrinfo(res);
    return;
  }
  if (res->ai_family == AF_INET && !job->is_pair) {
    job->outcome = GNI_NOT_PAIR;
    freeaddrinfo(res);
    return;
  }
  if (res->ai_family == AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)res->ai_addr;
    sin6->sin6_flowinfo = htonl(job->flowinfo);
    sin6->sin6_scope_id = job->scope_id;
  }
  errno = 0;
  eai = getnameinfo(res->ai_addr, (socklen_t)res->ai_addrlen, job->hbuf, sizeof job->hbuf, job->sbuf,
                    sizeof job->sbuf, job->flags);
  job->err = errno;
  freeaddrinfo(res);
  if (eai != 0) {
    job->outcome = GNI_EAI;
    job->eai = eai;
    return;
  }
  job->outcome = GNI_OK;
}

static napi_value gni_done(napi_env env, bsd_job *j) {
  gni_job *job = (gni_job *)j;
  napi_value v;
  switch (job->outcome) {
    case GNI_EAI:
      return eai_error(env, job->eai, job->err);
    case GNI_MULTIPLE:
      napi_create_string_utf8(env, "sockaddr resolved to multiple addresses", NAPI_AUTO_LENGTH, &v);
      return v;
    case GNI_NOT_PAIR:
      napi_create_string_utf8(env, "IPv4 sockaddr must be 2 tuple", NAPI_AUTO_LENGTH, &v);
      return v;
    default: {
      napi_value arr, h, s;
      napi_create_array_with_length(env, 2, &arr);
      napi_create_string_utf8(env, job->hbuf, NAPI_AUTO_LENGTH, &h);
      napi_create_string_utf8(env, job->sbuf, NAPI_AUTO_LENGTH, &s);
      napi_set_element(env, arr, 0, h);
      napi_set_element(env, arr, 1, s);
      return arr;
    }
  }
}

static void gni_release(bsd_job *j) {
  gni_job *job = (gni_job *)j;
  free(job->host);
  free(job);
}

static gni_job *gni_args(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 6) {
    bsd_throw_type(env, "ERR_MISSING_ARGS", "getnameinfo takes 6 arguments");
    return NULL;
  }
  int32_t port, flags;
  uint32_t flowinfo, scope_id;
  bool is_pair;
  if (bsd_arg_int32(env, argv[1], "port", &port) || bsd_arg_uint32(env, argv[2], "flowinfo", &flowinfo) ||
      bsd_arg_uint32(env, argv[3], "scope_id", &scope_id) || bsd_arg_int32(env, argv[4], "flags", &flags))
    return NULL;
  if (napi_get_value_bool(env, argv[5], &is_pair) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"pair\" argument must be of type boolean");
    return NULL;
  }
  gni_job *job = calloc(1, sizeof *job);
  if (job == NULL) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return NULL;
  }
  job->base.run = gni_run;
  job->base.done = gni_done;
  job->base.release = gni_release;
  if (bsd_arg_cstring(env, argv[0], "host", 0, &job->host)) {
    gni_release(&job->base);
    return NULL;
  }
  snprintf(job->port, sizeof job->port, "%d", (int)port);
  job->flowinfo = flowinfo;
  job->scope_id = scope_id;
  job->flags = flags;
  job->is_pair = is_pair;
  return job;
}

/* getnameinfo(host, port, flowinfo, scope_id, flags, isPair) -> [host, service],
 * {eai, errno, message}, or a string: the message of a plain OSError. */
static napi_value js_getnameinfo(napi_env env, napi_callback_info info) {
  gni_job *job = gni_args(env, info);
  return job == NULL ? NULL : bsd_job_sync(env, &job->base);
}

static napi_value js_getnameinfo_async(napi_env env, napi_callback_info info) {
  gni_job *job = gni_args(env, info);
  return job == NULL ? NULL : bsd_job_start(env, &job->base, "bsdsock.getnameinfo");
}

void bsd_init_resolver(napi_env env, napi_value exports) {
  bsd_export(env, exports, "getaddrinfo", js_getaddrinfo);
  bsd_export(env, exports, "getaddrinfo_async", js_getaddrinfo_async);
  bsd_export(env, exports, "getnameinfo", js_getnameinfo);
  bsd_export(env, exports, "getnameinfo_async", js_getnameinfo_async);
}
