/* bsdsock's native core: system calls and sockaddr codecs on Node-API.
 * Context-aware, so it loads in worker threads too. */
#include "bsd.h"

NAPI_MODULE_INIT(/* napi_env env, napi_value exports */) {
  bsd_init_util(env, exports);
  bsd_init_fd(env, exports);
  bsd_init_socket(env, exports);
  bsd_init_msg(env, exports);
  bsd_init_mmsg(env, exports);
  bsd_init_sockaddr(env, exports);
  bsd_init_constants(env, exports);
  bsd_init_resolver(env, exports);
  bsd_init_netdb(env, exports);
  bsd_init_convert(env, exports);
  bsd_init_interfaces(env, exports);
  bsd_init_env(env, exports);
  bsd_init_sendfile(env, exports);
  bsd_init_select(env, exports);
  return exports;
}
