/* AF_INET and AF_INET6 addresses. TypeScript hands over numeric hosts only
 * (names are resolved there, as Python's setipaddr does). */
#include "bsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>

static int get_host(napi_env env, napi_value arr, int af, void *dst) {
  napi_value v;
  char host[INET6_ADDRSTRLEN + 1];
  size_t n;
  int e = bsd_addr_elem(env, arr, 0, &v);
  if (e) return e;
  if (napi_get_value_string_utf8(env, v, host, sizeof host, &n) != napi_ok) return -EINVAL;
  if (n >= sizeof host - 1 || inet_pton(af, host, dst) != 1) return -EINVAL;
  return 0;
}

static int get_u32(napi_env env, napi_value arr, uint32_t i, uint32_t *out) {
  napi_value v;
  int e = bsd_addr_elem(env, arr, i, &v);
  if (e) return e;
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_undefined) {
    *out = 0;
    return 0;
  }
  return bsd_read_uint32(env, v, out);
}

static int encode_inet(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_in *sin = (struct sockaddr_in *)ss;
  uint32_t port;
  int e = get_host(env, addr, AF_INET, &sin->sin_addr);
  if (e) return e;
  if ((e = get_u32(env, addr, 1, &port))) return e;
  if (port > 0xffff) return -EINVAL;
  sin->sin_family = AF_INET;
  sin->sin_port = htons((uint16_t)port);
#ifdef __APPLE__
  sin->sin_len = sizeof *sin;
#endif
  *len = sizeof *sin;
  return 0;
}

static napi_value decode_inet(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
  char host[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
  napi_value arr, h;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_string_latin1(env, host, NAPI_AUTO_LENGTH, &h);
  napi_set_element(env, arr, 0, h);
  napi_set_element(env, arr, 1, bsd_int(env, ntohs(sin->sin_port)));
  return arr;
}

const bsd_family_codec bsd_codec_inet = {AF_INET, encode_inet, decode_inet};

static int encode_inet6(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
  uint32_t port, flowinfo, scope_id;
  int e = get_host(env, addr, AF_INET6, &sin6->sin6_addr);
  if (e) return e;
  if ((e = get_u32(env, addr, 1, &port))) return e;
  if ((e = get_u32(env, addr, 2, &flowinfo))) return e;
  if ((e = get_u32(env, addr, 3, &scope_id))) return e;
  if (port > 0xffff) return -EINVAL;
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons((uint16_t)port);
  sin6->sin6_flowinfo = htonl(flowinfo);
  sin6->sin6_scope_id = scope_id;
#ifdef __APPLE__
  sin6->sin6_len = sizeof *sin6;
#endif
  *len = sizeof *sin6;
  return 0;
}

/* The host is plain inet_ntop text, as CPython gives it: a link-local
 * address's zone is in scope_id, not appended to the host. */
static napi_value decode_inet6(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
  char host[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
  napi_value arr, h;
  napi_create_array_with_length(env, 4, &arr);
  napi_create_string_utf8(env, host, NAPI_AUTO_LENGTH, &h);
  napi_set_element(env, arr, 0, h);
  napi_set_element(env, arr, 1, bsd_int(env, ntohs(sin6->sin6_port)));
  napi_set_element(env, arr, 2, bsd_int(env, ntohl(sin6->sin6_flowinfo)));
  napi_set_element(env, arr, 3, bsd_int(env, sin6->sin6_scope_id));
  return arr;
}

const bsd_family_codec bsd_codec_inet6 = {AF_INET6, encode_inet6, decode_inet6};
