/* AF_ALG addresses (Linux kernel crypto API): [type, name, feat, mask].
 * type and name are NUL-terminated in fixed-size fields (at most 13 and
 * 63 bytes). */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_ALG)
#include <linux/if_alg.h>

static int encode_alg(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_alg *alg = (struct sockaddr_alg *)ss;
  char type[sizeof alg->salg_type];
  char name[sizeof alg->salg_name];
  size_t tn, nn;
  uint32_t feat = 0, mask = 0;
  int e;
  if ((e = bsd_addr_string(env, addr, 0, type, sizeof type, &tn))) return e;
  if ((e = bsd_addr_string(env, addr, 1, name, sizeof name, &nn))) return e;
  if (bsd_addr_present(env, addr, 2) && (e = bsd_addr_u32(env, addr, 2, &feat))) return e;
  if (bsd_addr_present(env, addr, 3) && (e = bsd_addr_u32(env, addr, 3, &mask))) return e;
  alg->salg_family = AF_ALG;
  memcpy(alg->salg_type, type, tn);
  memcpy(alg->salg_name, name, nn);
  alg->salg_feat = feat;
  alg->salg_mask = mask;
  *len = sizeof *alg;
  return 0;
}

static napi_value decode_alg(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_alg *alg = (const struct sockaddr_alg *)sa;
  const char *type = (const char *)alg->salg_type;
  const char *name = (const char *)alg->salg_name;
  napi_value items[4] = {
      bsd_string(env, type, strnlen(type, sizeof alg->salg_type)),
      bsd_string(env, name, strnlen(name, sizeof alg->salg_name)),
      bsd_int(env, alg->salg_feat),
      bsd_int(env, alg->salg_mask),
  };
  return bsd_array(env, 4, items);
}

const bsd_family_codec bsd_codec_alg = {AF_ALG, encode_alg, decode_alg};
#else
const bsd_family_codec bsd_codec_alg = {-1, NULL, NULL};
#endif
