/* Name resolution: getaddrinfo. */
#include "bsd.h"

#include <errno.h>
#include <netdb.h>
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

/* Reads an optional string argument: null/undefined gives NULL. */
static int opt_string(napi_env env, napi_value v, const char *name, char **out) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  *out = NULL;
  if (t == napi_null || t == napi_undefined) return 0;
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) {
    bsd_throw_type(env, "ERR_INVALID_ARG_TYPE", "The \"%s\" argument must be of type string", name);
    return BSD_THROWN;
  }
  *out = malloc(n + 1);
  if (*out == NULL) {
    napi_throw_error(env, "ERR_MEMORY", "out of memory");
    return BSD_THROWN;
  }
  napi_get_value_string_utf8(env, v, *out, n + 1, &n);
  return 0;
}

/* getaddrinfo(host|null, port|null, family, type, proto, flags) ->
 * [[family, type, proto, canonname, address], ...] or {eai, errno, message}. */
static napi_value js_getaddrinfo(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t family, type, proto, flags;
  if (bsd_arg_int32(env, argv[2], "family", &family) || bsd_arg_int32(env, argv[3], "type", &type) ||
      bsd_arg_int32(env, argv[4], "proto", &proto) || bsd_arg_int32(env, argv[5], "flags", &flags))
    return NULL;
  char *host = NULL, *port = NULL;
  if (opt_string(env, argv[0], "host", &host)) return NULL;
  if (opt_string(env, argv[1], "port", &port)) {
    free(host);
    return NULL;
  }
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_family = family;
  hints.ai_socktype = type;
  hints.ai_protocol = proto;
  hints.ai_flags = flags;
  errno = 0;
  int eai = getaddrinfo(host, port, &hints, &res);
  int err = errno;
  free(host);
  free(port);
  if (eai != 0) return eai_error(env, eai, err);
  napi_value list;
  napi_create_array(env, &list);
  uint32_t i = 0;
  for (struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
    napi_value item, canon;
    napi_create_array_with_length(env, 5, &item);
    napi_set_element(env, item, 0, bsd_int(env, ai->ai_family));
    napi_set_element(env, item, 1, bsd_int(env, ai->ai_socktype));
    napi_set_element(env, item, 2, bsd_int(env, ai->ai_protocol));
    napi_create_string_utf8(env, ai->ai_canonname ? ai->ai_canonname : "", NAPI_AUTO_LENGTH, &canon);
    napi_set_element(env, item, 3, canon);
    napi_value addr = bsd_sockaddr_decode(env, ai->ai_addr, ai->ai_addrlen);
    if (addr == NULL) {
      freeaddrinfo(res);
      return NULL;
    }
    napi_set_element(env, item, 4, addr);
    napi_set_element(env, list, i++, item);
  }
  freeaddrinfo(res);
  return list;
}

void bsd_init_resolver(napi_env env, napi_value exports) {
  bsd_export(env, exports, "getaddrinfo", js_getaddrinfo);
}
