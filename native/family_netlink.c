/* AF_NETLINK addresses (Linux): [pid, groups], both unsigned 32-bit. */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_NETLINK)
#include <linux/netlink.h>

static int encode_netlink(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_nl *nl = (struct sockaddr_nl *)ss;
  uint32_t pid, groups;
  int e;
  if ((e = bsd_addr_u32(env, addr, 0, &pid))) return e;
  if ((e = bsd_addr_u32(env, addr, 1, &groups))) return e;
  nl->nl_family = AF_NETLINK;
  nl->nl_pid = pid;
  nl->nl_groups = groups;
  *len = sizeof *nl;
  return 0;
}

static napi_value decode_netlink(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_nl *nl = (const struct sockaddr_nl *)sa;
  napi_value items[2] = {bsd_int(env, nl->nl_pid), bsd_int(env, nl->nl_groups)};
  return bsd_array(env, 2, items);
}

const bsd_family_codec bsd_codec_netlink = {AF_NETLINK, encode_netlink, decode_netlink};
#else
const bsd_family_codec bsd_codec_netlink = {-1, NULL, NULL};
#endif
