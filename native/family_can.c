/* AF_CAN addresses (Linux). The form depends on the socket's protocol:
 *   CAN_RAW, CAN_BCM: [interface]
 *   CAN_ISOTP:        [interface, rx_id, tx_id]
 *   CAN_J1939:        [interface, name, pgn, addr]   (name a BigInt when decoded)
 * Encoding goes by the number of elements (TypeScript picks the form from
 * the protocol). Decoding uses the protocol when the caller knows it
 * (bsd_sockaddr_decode_proto); otherwise the length the kernel reported
 * tells the forms apart, since Linux 5.4 reports just the part of struct
 * sockaddr_can that the protocol uses. An empty interface name is index 0
 * (every interface). */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_CAN)
#include <linux/can.h>
#include <net/if.h>

#define REQUIRED(member) (offsetof(struct sockaddr_can, member) + sizeof(((struct sockaddr_can *)0)->member))

static int encode_can(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_can *can = (struct sockaddr_can *)ss;
  char name[IF_NAMESIZE];
  size_t n;
  unsigned int index = 0;
  int e;
  uint32_t count = bsd_addr_length(env, addr);
  if ((e = bsd_addr_string(env, addr, 0, name, sizeof name, &n))) return e;
  if (count == 3) {
    uint32_t rx, tx;
    if ((e = bsd_addr_u32(env, addr, 1, &rx))) return e;
    if ((e = bsd_addr_u32(env, addr, 2, &tx))) return e;
    can->can_addr.tp.rx_id = rx;
    can->can_addr.tp.tx_id = tx;
  } else if (count == 4) {
#ifdef CAN_J1939
    napi_value v;
    napi_valuetype t;
    uint64_t jname;
    uint32_t pgn, jaddr;
    if ((e = bsd_addr_elem(env, addr, 1, &v))) return e;
    napi_typeof(env, v, &t);
    if (t == napi_bigint) {
      bool lossless;
      if (napi_get_value_bigint_uint64(env, v, &jname, &lossless) != napi_ok) return -EINVAL;
      if (!lossless) return -EINVAL;
    } else {
      uint32_t small;
      if ((e = bsd_addr_u32(env, addr, 1, &small))) return e;
      jname = small;
    }
    if ((e = bsd_addr_u32(env, addr, 2, &pgn))) return e;
    if ((e = bsd_addr_u32(env, addr, 3, &jaddr))) return e;
    if (jaddr > 0xff) return -EINVAL;
    can->can_addr.j1939.name = jname;
    can->can_addr.j1939.pgn = pgn;
    can->can_addr.j1939.addr = (uint8_t)jaddr;
#else
    return -EAFNOSUPPORT;
#endif
  } else if (count != 1) {
    return -EINVAL;
  }
  if (n > 0 && (e = bsd_ifname_to_index(name, &index))) return e;
  can->can_family = AF_CAN;
  can->can_ifindex = (int)index;
  *len = sizeof *can;
  return 0;
}

static napi_value decode_can(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_can *can = (const struct sockaddr_can *)sa;
  char name[IF_NAMESIZE];
  bsd_ifindex_to_name(can->can_ifindex > 0 ? (unsigned int)can->can_ifindex : 0, name, sizeof name);
  napi_value ifname = bsd_string(env, name, strlen(name));
  int proto = bsd_sockaddr_proto();
  if (proto < 0) {
#ifdef CAN_J1939
    if (len >= REQUIRED(can_addr.j1939)) proto = CAN_J1939;
    else
#endif
    if (len >= REQUIRED(can_addr.tp)) proto = CAN_ISOTP;
    else proto = CAN_RAW;
  }
  if (proto == CAN_ISOTP) {
    napi_value items[3] = {ifname, bsd_int(env, can->can_addr.tp.rx_id), bsd_int(env, can->can_addr.tp.tx_id)};
    return bsd_array(env, 3, items);
  }
#ifdef CAN_J1939
  if (proto == CAN_J1939) {
    napi_value big;
    if (napi_create_bigint_uint64(env, can->can_addr.j1939.name, &big) != napi_ok) return NULL;
    napi_value items[4] = {ifname, big, bsd_int(env, can->can_addr.j1939.pgn), bsd_int(env, can->can_addr.j1939.addr)};
    return bsd_array(env, 4, items);
  }
#endif
  return bsd_array(env, 1, &ifname);
}

const bsd_family_codec bsd_codec_can = {AF_CAN, encode_can, decode_can};
#else
const bsd_family_codec bsd_codec_can = {-1, NULL, NULL};
#endif
