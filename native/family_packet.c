/* AF_PACKET addresses (Linux): [ifname, proto, pkttype, hatype, addr].
 * The interface name is resolved to its index here, and back to a name
 * when decoding ('' when the index is 0 or no longer exists). */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_PACKET)
#include <arpa/inet.h>
#include <net/if.h>
#include <netpacket/packet.h>

/* encode: [ifname (string or Buffer), proto, pkttype?, hatype?, addr?]
 * with proto 0-65535, pkttype 0-255, hatype 0-65535, addr at most 8 bytes. */
static int encode_packet(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_ll *sll = (struct sockaddr_ll *)ss;
  char name[IF_NAMESIZE];
  size_t n;
  uint32_t proto, pkttype = PACKET_HOST, hatype = 0;
  unsigned int index;
  int e;
  if ((e = bsd_addr_string(env, addr, 0, name, sizeof name, &n))) return e;
  if ((e = bsd_addr_u32(env, addr, 1, &proto))) return e;
  if (bsd_addr_present(env, addr, 2) && (e = bsd_addr_u32(env, addr, 2, &pkttype))) return e;
  if (bsd_addr_present(env, addr, 3) && (e = bsd_addr_u32(env, addr, 3, &hatype))) return e;
  if (bsd_addr_present(env, addr, 4)) {
    napi_value v;
    void *data;
    size_t hlen;
    if (bsd_addr_elem(env, addr, 4, &v) || bsd_read_bytes(env, v, &data, &hlen)) return -EINVAL;
    if (hlen > sizeof sll->sll_addr) return -EINVAL;
    memcpy(sll->sll_addr, data, hlen);
    sll->sll_halen = (unsigned char)hlen;
  }
  if (proto > 0xffff || pkttype > 0xff || hatype > 0xffff) return -EINVAL;
  if ((e = bsd_ifname_to_index(name, &index))) return e;
  sll->sll_family = AF_PACKET;
  sll->sll_protocol = htons((uint16_t)proto);
  sll->sll_ifindex = (int)index;
  sll->sll_pkttype = (unsigned char)pkttype;
  sll->sll_hatype = (unsigned short)hatype;
  *len = sizeof *sll;
  return 0;
}

static napi_value decode_packet(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_ll *sll = (const struct sockaddr_ll *)sa;
  char name[IF_NAMESIZE];
  bsd_ifindex_to_name(sll->sll_ifindex > 0 ? (unsigned int)sll->sll_ifindex : 0, name, sizeof name);
  /* sll_halen may exceed sll_addr (InfiniBand's 20 bytes follow on in the
   * storage); never read past the storage. */
  size_t off = offsetof(struct sockaddr_ll, sll_addr);
  size_t halen = sll->sll_halen;
  if (halen > sizeof(struct sockaddr_storage) - off) halen = sizeof(struct sockaddr_storage) - off;
  napi_value items[5] = {
      bsd_string(env, name, strlen(name)),
      bsd_int(env, ntohs(sll->sll_protocol)),
      bsd_int(env, sll->sll_pkttype),
      bsd_int(env, sll->sll_hatype),
      bsd_copy_buffer(env, (const char *)sa + off, halen),
  };
  return bsd_array(env, 5, items);
}

const bsd_family_codec bsd_codec_packet = {AF_PACKET, encode_packet, decode_packet};
#else
/* No AF_PACKET on this system: a codec that matches no family. */
const bsd_family_codec bsd_codec_packet = {-1, NULL, NULL};
#endif
