/* The constants table: names and values taken from the system headers at
 * build time (see scripts/gen-constants.mjs), plus the few that CPython
 * defines itself when the headers lack them (kernel ABI values under
 * #ifndef, in gen-constants.mjs's header list). */
#include "bsd.h"

#include <sys/un.h>

#define BSD_CONST_HEADERS
#include "bsd_constants_gen.h"
#undef BSD_CONST_HEADERS

typedef struct {
  const char *name;
  long long value;
} bsd_constant;

#define BSD_CONST(name) {#name, (long long)(name)},

static const bsd_constant table[] = {
#include "bsd_constants_gen.h"
};

void bsd_init_constants(napi_env env, napi_value exports) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
    napi_create_int64(env, table[i].value, &v);
    napi_set_named_property(env, obj, table[i].name, v);
  }
  napi_set_named_property(env, exports, "constants", obj);

  /* Sizes the TypeScript layer validates against before calling in. */
  napi_value limits;
  napi_create_object(env, &limits);
  napi_set_named_property(env, limits, "sun_path", bsd_int(env, sizeof(((struct sockaddr_un *)0)->sun_path)));
  napi_set_named_property(env, limits, "sockaddr_storage", bsd_int(env, sizeof(struct sockaddr_storage)));
  napi_set_named_property(env, exports, "limits", limits);
}
