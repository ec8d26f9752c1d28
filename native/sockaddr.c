/* The codec registry: the one list of the families whose struct sockaddr
 * the addon encodes and decodes. Its TypeScript twin, which validates the
 * addresses these codecs receive, is src/families/registry.ts.
 *
 * Adding a family takes:
 *  1. native/family_<name>.c defining
 *       const bsd_family_codec bsd_codec_<name> = {AF_<NAME>, encode, decode};
 *     (or {-1, NULL, NULL} where the system lacks the family). encode takes
 *     the plain form that the family's TypeScript rules return and fills
 *     the struct; decode gives the address back in Python's form, or a
 *     negative errno for one it has no form for (NULL for
 *     either: none). See bsd_family_codec in bsd.h, and the element
 *     readers in family_common.c;
 *  2. one FAMILY(<name>) line in BSD_FAMILIES below.
 * binding.gyp compiles every native/family_*.c by itself. */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#define BSD_FAMILIES(FAMILY) \
  FAMILY(inet)               \
  FAMILY(inet6)              \
  FAMILY(unix)               \
  FAMILY(packet)             \
  FAMILY(netlink)            \
  FAMILY(vsock)              \
  FAMILY(can)                \
  FAMILY(alg)                \
  FAMILY(tipc)               \
  FAMILY(rds)                \
  FAMILY(bluetooth)          \
  FAMILY(qipcrtr)

#define DECLARE_CODEC(name) extern const bsd_family_codec bsd_codec_##name;
BSD_FAMILIES(DECLARE_CODEC)

#define CODEC_ENTRY(name) &bsd_codec_##name,
static const bsd_family_codec *const codecs[] = {BSD_FAMILIES(CODEC_ENTRY)};

#define NCODECS (sizeof codecs / sizeof codecs[0])

static const bsd_family_codec *find_codec(int family) {
  for (size_t i = 0; i < NCODECS; i++)
    if (codecs[i]->family == family) return codecs[i];
  return NULL;
}

int bsd_sockaddr_encode(napi_env env, int family, napi_value addr,
                        struct sockaddr_storage *ss, socklen_t *len) {
  const bsd_family_codec *c = find_codec(family);
  if (c == NULL || c->encode == NULL) return -EAFNOSUPPORT;
  memset(ss, 0, sizeof *ss);
  return c->encode(env, addr, ss, len);
}

/* The protocol of the socket whose address is being decoded, for the
 * families whose address form depends on it; -1 when unknown. Per thread,
 * since worker threads decode concurrently. */
static _Thread_local int decode_proto = -1;

int bsd_sockaddr_proto(void) { return decode_proto; }

napi_value bsd_sockaddr_decode_proto(napi_env env, const struct sockaddr *sa, socklen_t len, int proto) {
  int saved = decode_proto;
  decode_proto = proto;
  napi_value r = bsd_sockaddr_decode(env, sa, len);
  decode_proto = saved;
  return r;
}

/* An address of a family without a codec decodes as Python does:
 * [sa_family, Buffer(sa_data)]; no address at all is null. */
napi_value bsd_sockaddr_decode(napi_env env, const struct sockaddr *sa, socklen_t len) {
  if (len == 0) return bsd_null(env);
  const bsd_family_codec *c = find_codec(sa->sa_family);
  if (c != NULL && c->decode != NULL) return c->decode(env, sa, len);
  napi_value arr;
  napi_create_array_with_length(env, 2, &arr);
  napi_set_element(env, arr, 0, bsd_int(env, sa->sa_family));
  napi_set_element(env, arr, 1, bsd_copy_buffer(env, sa->sa_data, sizeof sa->sa_data));
  return arr;
}

/* sockaddr_encode(family, address) -> Buffer holding the struct, or -errno.
 * Exposed so the codecs can be tested without a kernel that has the family. */
static napi_value js_encode(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t family;
  if (bsd_read_int32(env, argv[0], &family)) return BSD_REFUSE(env);
  struct sockaddr_storage ss;
  socklen_t len = 0;
  int e = bsd_sockaddr_encode(env, family, argv[1], &ss, &len);
  if (e < 0) return bsd_int(env, e);
  return bsd_copy_buffer(env, &ss, len);
}

/* sockaddr_decode(buffer, proto?) -> the JS address of the struct in
 * buffer (or the codec's negative errno); proto is the socket protocol,
 * for the families that need it. A buffer too short to hold sa_family,
 * which TypeScript refuses first, is -EINVAL. */
static napi_value js_decode(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t proto = -1;
  napi_valuetype pt = napi_undefined;
  napi_typeof(env, argv[1], &pt);
  if (pt != napi_undefined && bsd_read_int32(env, argv[1], &proto)) return BSD_REFUSE(env);
  void *data;
  size_t len;
  if (bsd_read_bytes(env, argv[0], &data, &len)) return BSD_REFUSE(env);
  if (len > 0 && len < offsetof(struct sockaddr, sa_data)) return BSD_REFUSE(env);
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (len > sizeof ss) len = sizeof ss;
  memcpy(&ss, data, len);
  return bsd_sockaddr_decode_proto(env, (struct sockaddr *)&ss, (socklen_t)len, proto);
}

void bsd_init_sockaddr(napi_env env, napi_value exports) {
  bsd_export(env, exports, "sockaddr_encode", js_encode);
  bsd_export(env, exports, "sockaddr_decode", js_decode);
  napi_value fams;
  napi_create_array_with_length(env, NCODECS, &fams);
  for (size_t i = 0; i < NCODECS; i++)
    napi_set_element(env, fams, (uint32_t)i, bsd_int(env, codecs[i]->family));
  napi_set_named_property(env, exports, "codec_families", fams);
}
