/* Network interface names and indexes (if_nameindex and friends). */
#include "bsd.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>

/* if_nameindex() -> [[index, name], ...], or -errno. */
static napi_value js_if_nameindex(napi_env env, napi_callback_info info) {
  struct if_nameindex *ni = if_nameindex();
  if (ni == NULL) return bsd_errno(env, errno);
  napi_value list;
  napi_create_array(env, &list);
  for (uint32_t i = 0; ni[i].if_index != 0; i++) {
    napi_value pair, name;
    napi_create_array_with_length(env, 2, &pair);
    napi_create_string_utf8(env, ni[i].if_name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, pair, 0, bsd_int(env, ni[i].if_index));
    napi_set_element(env, pair, 1, name);
    napi_set_element(env, list, i, pair);
  }
  if_freenameindex(ni);
  return list;
}

/* if_nametoindex(name: string | bytes) -> index, 0 when there is none, or
 * -errno. */
static napi_value js_if_nametoindex(napi_env env, napi_callback_info info) {
  ARGS(1);
  char *name;
  int e = bsd_read_cstring(env, argv[0], 0, &name);
  if (e != 0) return bsd_int(env, e);
  unsigned int index = if_nametoindex(name);
  free(name);
  return bsd_int(env, index);
}

/* if_indextoname(index) -> name, or -errno. */
static napi_value js_if_indextoname(napi_env env, napi_callback_info info) {
  ARGS(1);
  uint32_t index;
  if (bsd_read_uint32(env, argv[0], &index)) return BSD_REFUSE(env);
  char name[IF_NAMESIZE + 1];
  errno = 0;
  if (if_indextoname(index, name) == NULL) return bsd_errno(env, errno ? errno : ENXIO);
  napi_value s;
  napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &s);
  return s;
}

void bsd_init_interfaces(napi_env env, napi_value exports) {
  bsd_export(env, exports, "if_nameindex", js_if_nameindex);
  bsd_export(env, exports, "if_nametoindex", js_if_nametoindex);
  bsd_export(env, exports, "if_indextoname", js_if_indextoname);
}
