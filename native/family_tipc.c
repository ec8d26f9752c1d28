/* AF_TIPC addresses (Linux): [addr_type, v1, v2, v3, scope], as Python
 * spells them:
 *   TIPC_ADDR_NAMESEQ: v1 = type, v2 = lower, v3 = upper
 *   TIPC_ADDR_NAME:    v1 = type, v2 = instance (v3 repeats it when decoded)
 *   TIPC_ADDR_ID:      v1 = node, v2 = ref (v3 is 0 when decoded) */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_TIPC)
#include <linux/tipc.h>

static int encode_tipc(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_tipc *t = (struct sockaddr_tipc *)ss;
  uint32_t v[5];
  int e;
  for (uint32_t i = 0; i < 5; i++)
    if ((e = bsd_addr_u32(env, addr, i, &v[i]))) return e;
  if (v[4] > 0xff) return -EINVAL;
  t->family = AF_TIPC;
  t->addrtype = (unsigned char)v[0];
  t->scope = (signed char)(unsigned char)v[4];
  switch (v[0]) {
    case TIPC_ADDR_NAMESEQ:
      t->addr.nameseq.type = v[1];
      t->addr.nameseq.lower = v[2];
      t->addr.nameseq.upper = v[3];
      break;
    case TIPC_ADDR_NAME:
      t->addr.name.name.type = v[1];
      t->addr.name.name.instance = v[2];
      break;
    case TIPC_ADDR_ID:
      t->addr.id.node = v[1];
      t->addr.id.ref = v[2];
      break;
    default:
      return -EINVAL;
  }
  *len = sizeof *t;
  return 0;
}

/* An address type Python does not know decodes to -EAFNOSUPPORT, which
 * TypeScript words as Python's ValueError (see bsd_family_codec). */
static napi_value decode_tipc(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_tipc *t = (const struct sockaddr_tipc *)sa;
  uint32_t v1, v2, v3;
  switch (t->addrtype) {
    case TIPC_ADDR_NAMESEQ:
      v1 = t->addr.nameseq.type, v2 = t->addr.nameseq.lower, v3 = t->addr.nameseq.upper;
      break;
    case TIPC_ADDR_NAME:
      v1 = t->addr.name.name.type, v2 = t->addr.name.name.instance, v3 = v2;
      break;
    case TIPC_ADDR_ID:
      v1 = t->addr.id.node, v2 = t->addr.id.ref, v3 = 0;
      break;
    default:
      return bsd_errno(env, EAFNOSUPPORT);
  }
  /* Python reports the signed scope as an unsigned int. */
  napi_value items[5] = {bsd_int(env, t->addrtype), bsd_int(env, v1), bsd_int(env, v2), bsd_int(env, v3),
                         bsd_int(env, (uint32_t)(int32_t)t->scope)};
  return bsd_array(env, 5, items);
}

const bsd_family_codec bsd_codec_tipc = {AF_TIPC, encode_tipc, decode_tipc};
#else
const bsd_family_codec bsd_codec_tipc = {-1, NULL, NULL};
#endif
