/* AF_QIPCRTR addresses (Linux, Qualcomm IPC router): [node, port], both
 * unsigned 32-bit. */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_QIPCRTR)
#if defined(__has_include)
#if __has_include(<linux/qrtr.h>)
#include <linux/qrtr.h>
#define BSD_HAVE_QRTR_H 1
#endif
#endif
#ifndef BSD_HAVE_QRTR_H
/* The layout of linux/qrtr.h (kernel ABI), for systems without the header. */
struct sockaddr_qrtr {
  unsigned short sq_family;
  uint32_t sq_node;
  uint32_t sq_port;
};
#endif

static int encode_qipcrtr(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_qrtr *sq = (struct sockaddr_qrtr *)ss;
  uint32_t node, port;
  int e;
  if ((e = bsd_addr_u32(env, addr, 0, &node))) return e;
  if ((e = bsd_addr_u32(env, addr, 1, &port))) return e;
  sq->sq_family = AF_QIPCRTR;
  sq->sq_node = node;
  sq->sq_port = port;
  *len = sizeof *sq;
  return 0;
}

static napi_value decode_qipcrtr(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_qrtr *sq = (const struct sockaddr_qrtr *)sa;
  napi_value items[2] = {bsd_int(env, sq->sq_node), bsd_int(env, sq->sq_port)};
  return bsd_array(env, 2, items);
}

const bsd_family_codec bsd_codec_qipcrtr = {AF_QIPCRTR, encode_qipcrtr, decode_qipcrtr};
#else
const bsd_family_codec bsd_codec_qipcrtr = {-1, NULL, NULL};
#endif
