/* Address text <-> packed conversions exactly as the C library does them
 * (inet_aton's legacy forms, inet_pton, inet_ntop), and the CMSG_LEN /
 * CMSG_SPACE macros within socklen_t's range. */
#include "bsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

/* inet_aton(text) -> Buffer of 4 bytes, null when the C library rejects
 * it, or -errno. */
static napi_value js_inet_aton(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *text;
  int e = bsd_read_cstring(env, argv[0], 0, &text);
  if (e != 0) return bsd_int(env, e);
  struct in_addr a;
  int ok = inet_aton(text, &a);
  free(text);
  return ok ? bsd_copy_buffer(env, &a, sizeof a) : bsd_null(env);
}

/* inet_pton(af, text) -> Buffer, null (not an address of that family), or
 * -errno (the family is not supported). */
static napi_value js_inet_pton(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t af;
  char *text;
  if (bsd_read_int32(env, argv[0], &af)) return BSD_REFUSE(env);
  int e = bsd_read_cstring(env, argv[1], 0, &text);
  if (e != 0) return bsd_int(env, e);
  unsigned char packed[sizeof(struct in6_addr)];
  errno = 0;
  int r = inet_pton(af, text, packed);
  int err = errno;
  free(text);
  if (r < 0) return bsd_errno(env, err ? err : EAFNOSUPPORT);
  if (r == 0) return bsd_null(env);
  if (af == AF_INET) return bsd_copy_buffer(env, packed, sizeof(struct in_addr));
  if (af == AF_INET6) return bsd_copy_buffer(env, packed, sizeof(struct in6_addr));
  return bsd_errno(env, EAFNOSUPPORT);
}

/* inet_ntop(af, packed) -> string, or -errno. The packed length must
 * match the family (TypeScript checks it first, as Python does). */
static napi_value js_inet_ntop(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t af;
  void *data;
  size_t len;
  if (bsd_read_int32(env, argv[0], &af) || bsd_read_bytes(env, argv[1], &data, &len)) return BSD_REFUSE(env);
  size_t want = af == AF_INET ? sizeof(struct in_addr) : af == AF_INET6 ? sizeof(struct in6_addr) : 0;
  if (want == 0) return bsd_errno(env, EAFNOSUPPORT);
  if (len != want) return BSD_REFUSE(env);
  unsigned char packed[sizeof(struct in6_addr)];
  memcpy(packed, data, len);
  char text[INET6_ADDRSTRLEN + 1];
  if (inet_ntop(af, packed, text, sizeof text) == NULL) return bsd_errno(env, errno);
  napi_value s;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &s);
  return s;
}

/* The largest value a socklen_t length field may hold, as Python bounds it. */
#define BSD_SOCKLEN_LIMIT ((size_t)INT_MAX)

/* cmsg_len(n) / cmsg_space(n) for 0 <= n: the macro's value, or -1 when
 * n is not such an integer or the result would not fit a socklen_t. */
static napi_value cmsg_common(napi_env env, napi_callback_info info, int space) {
  ARGS(1);
  int64_t n;
  if (bsd_read_int64(env, argv[0], &n) || n < 0) return bsd_int(env, -1);
  size_t length = (size_t)n;
  /* CMSG_SPACE(1) counts the padding before and after the data. */
  size_t overhead = space ? CMSG_SPACE(1) : CMSG_LEN(0);
  if (length > BSD_SOCKLEN_LIMIT - overhead) return bsd_int(env, -1);
  size_t r = space ? CMSG_SPACE(length) : CMSG_LEN(length);
  if (r > BSD_SOCKLEN_LIMIT || r < length) return bsd_int(env, -1);
  return bsd_int(env, (int64_t)r);
}

static napi_value js_cmsg_len(napi_env env, napi_callback_info info) { return cmsg_common(env, info, 0); }
static napi_value js_cmsg_space(napi_env env, napi_callback_info info) { return cmsg_common(env, info, 1); }

void bsd_init_convert(napi_env env, napi_value exports) {
  bsd_export(env, exports, "inet_aton", js_inet_aton);
  bsd_export(env, exports, "inet_pton", js_inet_pton);
  bsd_export(env, exports, "inet_ntop", js_inet_ntop);
  bsd_export(env, exports, "cmsg_len", js_cmsg_len);
  bsd_export(env, exports, "cmsg_space", js_cmsg_space);
}
