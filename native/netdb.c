/* The netdb databases: hosts (gethostbyname_ex, gethostbyaddr, blocking or
 * on libuv's thread pool), protocols, services, and the host name. Lookups
 * that find nothing return null or {herrno, message} (bsd.h); TypeScript
 * raises Python's exceptions. */
#include "bsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* glibc has reentrant variants of every lookup used here. Elsewhere (macOS,
 * musl) one lock serialises the non-reentrant calls, and their static
 * results are copied out before it is released. */
#if defined(__GLIBC__)
#define BSD_NETDB_R 1
#else
#include <pthread.h>
static pthread_mutex_t netdb_lock = PTHREAD_MUTEX_INITIALIZER;
#endif

/* ---- hosts ---- */

/* A hostent copied into memory the job owns. */
typedef struct {
  char *name;
  char **aliases;
  size_t naliases;
  int addrtype, length;
  unsigned char *addrs;
  size_t naddrs;
} host_copy;

static void host_copy_free(host_copy *h) {
  free(h->name);
  for (size_t i = 0; i < h->naliases; i++) free(h->aliases[i]);
  free(h->aliases);
  free(h->addrs);
  memset(h, 0, sizeof *h);
}

/* 0, or -1 when out of memory. */
static int host_copy_from(host_copy *dst, const struct hostent *he) {
  memset(dst, 0, sizeof *dst);
  dst->name = strdup(he->h_name ? he->h_name : "");
  if (dst->name == NULL) return -1;
  dst->addrtype = he->h_addrtype;
  dst->length = he->h_length;
  size_t n = 0;
  if (he->h_aliases != NULL) {
    while (he->h_aliases[n] != NULL) n++;
  }
  dst->aliases = calloc(n + 1, sizeof *dst->aliases);
  if (dst->aliases == NULL) return -1;
  for (size_t i = 0; i < n; i++) {
    dst->aliases[i] = strdup(he->h_aliases[i]);
    if (dst->aliases[i] == NULL) return -1;
    dst->naliases++;
  }
  n = 0;
  if (he->h_addr_list != NULL) {
    while (he->h_addr_list[n] != NULL) n++;
  }
  if (he->h_length < 0 || he->h_length > 64) n = 0;
  dst->addrs = malloc(n * (size_t)(he->h_length > 0 ? he->h_length : 1) + 1);
  if (dst->addrs == NULL) return -1;
  for (size_t i = 0; i < n; i++) memcpy(dst->addrs + i * (size_t)he->h_length, he->h_addr_list[i], (size_t)he->h_length);
  dst->naddrs = n;
  return 0;
}

typedef struct {
  bsd_job base;
  int by_addr;
  char *name;                  /* gethostbyname_ex */
  unsigned char addr[16];      /* gethostbyaddr */
  int addrlen, af;
  int found, herr, nomem;
  host_copy host;
} host_job;

static void host_run(bsd_job *j) {
  host_job *job = (host_job *)j;
#ifdef BSD_NETDB_R
  struct hostent he, *res = NULL;
  size_t buflen = 16384;
  char *buf = NULL;
  int rc, herr = 0;
  for (;;) {
    char *nb = realloc(buf, buflen);
    if (nb == NULL) {
      job->nomem = 1;
      break;
    }
    buf = nb;
    res = NULL;
    if (job->by_addr)
      rc = gethostbyaddr_r(job->addr, (socklen_t)job->addrlen, job->af, &he, buf, buflen, &res, &herr);
    else
      rc = gethostbyname_r(job->name, &he, buf, buflen, &res, &herr);
    if (rc == ERANGE && buflen < (1u << 22)) {
      buflen *= 2;
      continue;
    }
    break;
  }
  if (!job->nomem) {
    if (res != NULL) {
      job->found = 1;
      if (host_copy_from(&job->host, res) < 0) job->nomem = 1;
    } else {
      job->herr = herr;
    }
  }
  free(buf);
#else
  pthread_mutex_lock(&netdb_lock);
  struct hostent *res = job->by_addr ? gethostbyaddr((const void *)job->addr, (socklen_t)job->addrlen, job->af)
                                     : gethostbyname(job->name);
  if (res != NULL) {
    job->found = 1;
    if (host_copy_from(&job->host, res) < 0) job->nomem = 1;
  } else {
    job->herr = h_errno;
  }
  pthread_mutex_unlock(&netdb_lock);
#endif
}

static napi_value str(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

/* [name, [aliases], addrtype, [addresses]], {herrno, message}, or -ENOMEM. */
static napi_value host_done(napi_env env, bsd_job *j) {
  host_job *job = (host_job *)j;
  if (job->nomem) return bsd_errno(env, ENOMEM);
  if (!job->found) {
    napi_value o;
    napi_create_object(env, &o);
    napi_set_named_property(env, o, "herrno", bsd_int(env, job->herr));
    napi_set_named_property(env, o, "message", str(env, hstrerror(job->herr)));
    return o;
  }
  host_copy *h = &job->host;
  napi_value arr, aliases, addrs;
  napi_create_array_with_length(env, 4, &arr);
  napi_create_array_with_length(env, h->naliases, &aliases);
  for (size_t i = 0; i < h->naliases; i++) napi_set_element(env, aliases, (uint32_t)i, str(env, h->aliases[i]));
  napi_create_array(env, &addrs);
  uint32_t k = 0;
  for (size_t i = 0; i < h->naddrs; i++) {
    char text[INET6_ADDRSTRLEN];
    const unsigned char *a = h->addrs + i * (size_t)h->length;
    if ((h->addrtype == AF_INET && h->length == 4) || (h->addrtype == AF_INET6 && h->length == 16)) {
      if (inet_ntop(h->addrtype, a, text, sizeof text) != NULL) napi_set_element(env, addrs, k++, str(env, text));
    }
  }
  napi_set_element(env, arr, 0, str(env, h->name));
  napi_set_element(env, arr, 1, aliases);
  napi_set_element(env, arr, 2, bsd_int(env, h->addrtype));
  napi_set_element(env, arr, 3, addrs);
  return arr;
}

static void host_release(bsd_job *j) {
  host_job *job = (host_job *)j;
  host_copy_free(&job->host);
  free(job->name);
  free(job);
}

static host_job *host_job_new(void) {
  host_job *job = calloc(1, sizeof *job);
  if (job == NULL) return NULL;
  job->base.run = host_run;
  job->base.done = host_done;
  job->base.release = host_release;
  return job;
}

/* gethostbyname_ex(name: string | bytes): 0 or a negative errno. */
static int byname_args(napi_env env, napi_callback_info info, host_job **out) {
  ARGS(1);
  host_job *job = host_job_new();
  if (job == NULL) return -ENOMEM;
  int e = bsd_read_cstring(env, argv[0], 0, &job->name);
  if (e != 0) {
    host_release(&job->base);
    return e;
  }
  *out = job;
  return 0;
}

/* gethostbyaddr(packed: 4 bytes for AF_INET or 16 for AF_INET6, family):
 * 0 or a negative errno. */
static int byaddr_args(napi_env env, napi_callback_info info, host_job **out) {
  ARGS(2);
  void *data;
  size_t len;
  int32_t af;
  if (bsd_read_bytes(env, argv[0], &data, &len) || bsd_read_int32(env, argv[1], &af)) return -EINVAL;
  if (!((af == AF_INET && len == 4) || (af == AF_INET6 && len == 16))) return -EINVAL;
  host_job *job = host_job_new();
  if (job == NULL) return -ENOMEM;
  job->by_addr = 1;
  memcpy(job->addr, data, len);
  job->addrlen = (int)len;
  job->af = af;
  *out = job;
  return 0;
}

/* Each returns the job's result (see host_done), or -errno when the
 * arguments are refused; the _async ones a Promise of the result. */
static napi_value js_gethostbyname_ex(napi_env env, napi_callback_info info) {
  host_job *job = NULL;
  int e = byname_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_sync(env, &job->base);
}
static napi_value js_gethostbyname_ex_async(napi_env env, napi_callback_info info) {
  host_job *job = NULL;
  int e = byname_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_start(env, &job->base, "bsdsock.gethostbyname_ex");
}
static napi_value js_gethostbyaddr(napi_env env, napi_callback_info info) {
  host_job *job = NULL;
  int e = byaddr_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_sync(env, &job->base);
}
static napi_value js_gethostbyaddr_async(napi_env env, napi_callback_info info) {
  host_job *job = NULL;
  int e = byaddr_args(env, info, &job);
  return e < 0 ? bsd_int(env, e) : bsd_job_start(env, &job->base, "bsdsock.gethostbyaddr");
}

/* ---- protocols and services ---- */

/* getprotobyname(name) -> number, null when not found, or -errno. */
static napi_value js_getprotobyname(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *name;
  int e = bsd_read_cstring(env, argv[0], 0, &name);
  if (e != 0) return bsd_int(env, e);
  int found = 0, proto = 0;
#ifdef BSD_NETDB_R
  struct protoent pe, *res = NULL;
  char buf[4096];
  if (getprotobyname_r(name, &pe, buf, sizeof buf, &res) == 0 && res != NULL) {
    found = 1;
    proto = res->p_proto;
  }
#else
  pthread_mutex_lock(&netdb_lock);
  struct protoent *res = getprotobyname(name);
  if (res != NULL) {
    found = 1;
    proto = res->p_proto;
  }
  pthread_mutex_unlock(&netdb_lock);
#endif
  free(name);
  return found ? bsd_int(env, proto) : bsd_null(env);
}

/* Shared by getservbyname and getservbyport: proto is a string or null. */
static int serv_lookup(const char *name, int port, const char *proto, int *port_out, char *name_out, size_t name_size) {
  int found = 0;
#ifdef BSD_NETDB_R
  struct servent se, *res = NULL;
  char buf[4096];
  int rc = name != NULL ? getservbyname_r(name, proto, &se, buf, sizeof buf, &res)
                        : getservbyport_r(htons((uint16_t)port), proto, &se, buf, sizeof buf, &res);
  if (rc == 0 && res != NULL) {
    found = 1;
    *port_out = ntohs((uint16_t)res->s_port);
    snprintf(name_out, name_size, "%s", res->s_name);
  }
#else
  pthread_mutex_lock(&netdb_lock);
  struct servent *res = name != NULL ? getservbyname(name, proto) : getservbyport(htons((uint16_t)port), proto);
  if (res != NULL) {
    found = 1;
    *port_out = ntohs((uint16_t)res->s_port);
    snprintf(name_out, name_size, "%s", res->s_name);
  }
  pthread_mutex_unlock(&netdb_lock);
#endif
  return found;
}

/* getservbyname(name, proto|null) -> port number, null, or -errno. */
static napi_value js_getservbyname(napi_env env, napi_callback_info info) {
  ARGS(2);
  char *name, *proto;
  int e = bsd_read_cstring(env, argv[0], 0, &name);
  if (e != 0) return bsd_int(env, e);
  e = bsd_read_cstring(env, argv[1], 1, &proto);
  if (e != 0) {
    free(name);
    return bsd_int(env, e);
  }
  int port = 0;
  char sname[256];
  int found = serv_lookup(name, 0, proto, &port, sname, sizeof sname);
  free(name);
  free(proto);
  return found ? bsd_int(env, port) : bsd_null(env);
}

/* getservbyport(port 0-65535, proto|null) -> service name, null, or -errno. */
static napi_value js_getservbyport(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t port;
  char *proto;
  if (bsd_read_int32(env, argv[0], &port) || port < 0 || port > 0xffff) return BSD_REFUSE(env);
  int e = bsd_read_cstring(env, argv[1], 1, &proto);
  if (e != 0) return bsd_int(env, e);
  int out = 0;
  char sname[256];
  int found = serv_lookup(NULL, port, proto, &out, sname, sizeof sname);
  free(proto);
  return found ? str(env, sname) : bsd_null(env);
}

/* ---- the host name ---- */

/* gethostname() -> string, or -errno. */
static napi_value js_gethostname(napi_env env, napi_callback_info info) {
  char buf[1024];
  if (gethostname(buf, sizeof buf - 1) < 0) return bsd_errno(env, errno);
  buf[sizeof buf - 1] = '\0';
  return str(env, buf);
}

/* sethostname(bytes) -> 0, or -errno. */
static napi_value js_sethostname(napi_env env, napi_callback_info info) {
  ARGS(1);
  void *data;
  size_t len;
  if (bsd_read_bytes(env, argv[0], &data, &len)) return BSD_REFUSE(env);
  if (len > 4096) return bsd_errno(env, EINVAL);
  char buf[4097];
  memcpy(buf, data, len);
  buf[len] = '\0';
#ifdef __APPLE__
  int r = sethostname(buf, (int)len);
#else
  int r = sethostname(buf, len);
#endif
  return bsd_int(env, r < 0 ? -errno : 0);
}

void bsd_init_netdb(napi_env env, napi_value exports) {
  bsd_export(env, exports, "gethostbyname_ex", js_gethostbyname_ex);
  bsd_export(env, exports, "gethostbyname_ex_async", js_gethostbyname_ex_async);
  bsd_export(env, exports, "gethostbyaddr", js_gethostbyaddr);
  bsd_export(env, exports, "gethostbyaddr_async", js_gethostbyaddr_async);
  bsd_export(env, exports, "getprotobyname", js_getprotobyname);
  bsd_export(env, exports, "getservbyname", js_getservbyname);
  bsd_export(env, exports, "getservbyport", js_getservbyport);
  bsd_export(env, exports, "gethostname", js_gethostname);
  bsd_export(env, exports, "sethostname", js_sethostname);
}
