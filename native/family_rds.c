/* AF_RDS addresses (Linux): RDS sockets take a struct sockaddr_in, so the
 * address is AF_INET's [host, port] (numeric host) and the struct says
 * AF_INET, as CPython builds it. What the kernel reports back is an
 * AF_INET address and decodes through that codec. */
#include "bsd.h"

#include <errno.h>

#if defined(__linux__) && defined(AF_RDS)
static int encode_rds(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  return bsd_sockaddr_encode(env, AF_INET, addr, ss, len);
}

const bsd_family_codec bsd_codec_rds = {AF_RDS, encode_rds, NULL};
#else
const bsd_family_codec bsd_codec_rds = {-1, NULL, NULL};
#endif
