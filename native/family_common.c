/* Helpers shared by the family codecs: reading the elements of a native
 * address array, and interface names <-> indexes. The codecs receive
 * addresses that TypeScript has already validated; these checks only
 * keep input TypeScript never passes from crashing or reaching the kernel:
 * they refuse it with -EINVAL and throw nothing. */
#include "bsd.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>

int bsd_addr_elem(napi_env env, napi_value arr, uint32_t i, napi_value *out) {
  bool is;
  if (napi_is_array(env, arr, &is) != napi_ok || !is) return -EINVAL;
  if (napi_get_element(env, arr, i, out) != napi_ok) return -EINVAL;
  return 0;
}

uint32_t bsd_addr_length(napi_env env, napi_value arr) {
  uint32_t n = 0;
  bool is;
  if (napi_is_array(env, arr, &is) == napi_ok && is) napi_get_array_length(env, arr, &n);
  return n;
}

int bsd_addr_present(napi_env env, napi_value arr, uint32_t i) {
  napi_value v;
  napi_valuetype t;
  if (i >= bsd_addr_length(env, arr)) return 0;
  if (napi_get_element(env, arr, i, &v) != napi_ok || napi_typeof(env, v, &t) != napi_ok) return 0;
  return t != napi_undefined && t != napi_null;
}

int bsd_addr_u32(napi_env env, napi_value arr, uint32_t i, uint32_t *out) {
  napi_value v;
  int e = bsd_addr_elem(env, arr, i, &v);
  return e ? e : bsd_read_uint32(env, v, out);
}

int bsd_addr_string(napi_env env, napi_value arr, uint32_t i, char *buf, size_t size, size_t *len) {
  napi_value v;
  napi_valuetype t;
  void *data;
  size_t n;
  int e = bsd_addr_elem(env, arr, i, &v);
  if (e) return e;
  if (napi_typeof(env, v, &t) != napi_ok) return -EINVAL;
  if (t == napi_string) {
    /* Ask for the full length first so that truncation is visible. */
    if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return -EINVAL;
    if (n >= size) {
      *len = n;
      return -ENAMETOOLONG;
    }
    if (napi_get_value_string_utf8(env, v, buf, size, &n) != napi_ok) return -EINVAL;
  } else {
    /* A bytes-like name (a Buffer). */
    if (bsd_read_bytes(env, v, &data, &n)) return -EINVAL;
    if (n >= size) {
      *len = n;
      return -ENAMETOOLONG;
    }
    memcpy(buf, data, n);
    buf[n] = 0;
  }
  *len = n;
  /* A NUL inside would silently shorten the name. */
  if (memchr(buf, 0, n) != NULL) return -EINVAL;
  return 0;
}

int bsd_ifname_to_index(const char *name, unsigned int *index) {
  if (name[0] == 0) return -ENODEV;
  errno = 0;
  unsigned int i = if_nametoindex(name);
  if (i == 0) return errno != 0 ? -errno : -ENODEV;
  *index = i;
  return 0;
}

void bsd_ifindex_to_name(unsigned int index, char *buf, size_t size) {
  char name[IF_NAMESIZE + 1];
  buf[0] = 0;
  if (index == 0 || size == 0) return;
  if (if_indextoname(index, name) == NULL) return;
  name[IF_NAMESIZE] = 0;
  size_t n = strlen(name);
  if (n >= size) n = size - 1;
  memcpy(buf, name, n);
  buf[n] = 0;
}

napi_value bsd_string(napi_env env, const char *s, size_t len) {
  napi_value v;
  if (napi_create_string_utf8(env, s, len, &v) != napi_ok) return NULL;
  return v;
}

napi_value bsd_array(napi_env env, size_t n, const napi_value *items) {
  napi_value arr;
  if (napi_create_array_with_length(env, n, &arr) != napi_ok) return NULL;
  for (size_t i = 0; i < n; i++) {
    if (items[i] == NULL) return NULL;
    napi_set_element(env, arr, (uint32_t)i, items[i]);
  }
  return arr;
}
