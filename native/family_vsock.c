/* AF_VSOCK addresses (Linux): [cid, port], both unsigned 32-bit. */
#include "bsd.h"

#include <errno.h>
#include <string.h>

#if defined(__linux__) && defined(AF_VSOCK)
#include <linux/vm_sockets.h>

static int encode_vsock(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_vm *vm = (struct sockaddr_vm *)ss;
  uint32_t cid, port;
  int e;
  if ((e = bsd_addr_u32(env, addr, 0, &cid))) return e;
  if ((e = bsd_addr_u32(env, addr, 1, &port))) return e;
  vm->svm_family = AF_VSOCK;
  vm->svm_cid = cid;
  vm->svm_port = port;
  *len = sizeof *vm;
  return 0;
}

static napi_value decode_vsock(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_vm *vm = (const struct sockaddr_vm *)sa;
  napi_value items[2] = {bsd_int(env, vm->svm_cid), bsd_int(env, vm->svm_port)};
  return bsd_array(env, 2, items);
}

const bsd_family_codec bsd_codec_vsock = {AF_VSOCK, encode_vsock, decode_vsock};
#else
const bsd_family_codec bsd_codec_vsock = {-1, NULL, NULL};
#endif
