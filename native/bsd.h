/* Shared declarations of the bsdsock addon: argument helpers and the
 * per-family sockaddr codec table.
 *
 * The boundary convention (src/native.ts says the same for TypeScript):
 * - Every binding returns its result, or a negative errno (a JS number
 *   < 0) when the call failed. Nothing else means failure.
 * - The resolver's failures are not errnos: getaddrinfo/getnameinfo return
 *   {eai, errno, message} (the EAI_* code, errno for EAI_SYSTEM,
 *   gai_strerror()) and gethostbyname_ex/gethostbyaddr {herrno, message}
 *   (h_errno, hstrerror()): a plain object tagged by its first key.
 * - The addon holds no policy: TypeScript validates every argument before
 *   the call, words every message, and decides retries and timeouts. A
 *   binding given an argument TypeScript never passes (a bug) returns
 *   -EINVAL rather than a message of its own; the bsd_read_* readers below
 *   serve that, and never throw.
 * - The one internal-error path: when Node-API itself fails (it cannot
 *   allocate a value), or a binding whose result has no room for an errno
 *   refuses its arguments (cmsg_encode), a JS exception is pending (code
 *   ERR_BSDSOCK_INTERNAL when bsdsock raised it: bsd_fail) and the binding
 *   returns NULL.
 * - The sockaddr codecs follow the rule: encode refuses an address that
 *   TypeScript never passes with -EINVAL (or the errno it names, such as
 *   -ENAMETOOLONG or -ENODEV). Decode, given the kernel's bytes, gives the
 *   address, or a negative errno for an address it has no form for:
 *   -EAFNOSUPPORT for an AF_TIPC address type Python does not know,
 *   -EPROTONOSUPPORT for an AF_BLUETOOTH socket protocol it does not know.
 *   Every decoded address is otherwise a string, array, null, or a number
 *   >= 0 (the AF_BLUETOOTH HCI device), so a negative number is
 *   unambiguous; TypeScript raises Python's ValueError for it.
 *
 * The rule for lists and objects (buffer lists, sendmmsg messages,
 * addresses, ancillary items): the addon reads only arrays that TypeScript
 * built from the caller's value, each element read once there and checked.
 * No caller getter, Proxy trap or valueOf may run inside a binding: one
 * that ran after a buffer's pointer was taken could detach or shrink that
 * buffer while the kernel still uses it. */
#ifndef BSD_H
#define BSD_H

#include <errno.h>
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The first n arguments of a binding's call, in argv (missing ones are
 * undefined). */
#define ARGS(n)                                                  \
  size_t argc = (n);                                             \
  napi_value argv[(n) > 0 ? (n) : 1];                            \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL)

/* Argument readers of the bindings: 0, or -EINVAL for a value TypeScript
 * never passes (no exception). Integers must be exact and in range. */
int bsd_read_int32(napi_env env, napi_value v, int32_t *out);
int bsd_read_int64(napi_env env, napi_value v, int64_t *out);
int bsd_read_uint32(napi_env env, napi_value v, uint32_t *out);
int bsd_read_bool(napi_env env, napi_value v, int *out);
int bsd_read_bytes(napi_env env, napi_value v, void **data, size_t *len);
/* An Int32Array of at least `min` elements that a binding writes results
 * into (mmsg's per-message lengths, recvfrom's byte count). */
int bsd_read_int32s(napi_env env, napi_value v, size_t min, int32_t **out);
/* The (buffer, offset, length) triple of the hot paths, bounds-checked. */
int bsd_read_span(napi_env env, napi_value *argv, char **data, size_t *len);
/* A string or bytes-like argument as a fresh malloc'd C string (NULL for
 * null/undefined when optional): 0, -EINVAL or -ENOMEM. */
int bsd_read_cstring(napi_env env, napi_value v, int optional, char **out);
/* A binding's return for a refused argument. */
#define BSD_REFUSE(env) bsd_errno((env), EINVAL)

napi_value bsd_int(napi_env env, int64_t n);
napi_value bsd_undefined(napi_env env);
napi_value bsd_null(napi_env env);
/* -errno as a JS number: the error convention of every syscall binding. */
napi_value bsd_errno(napi_env env, int err);
void bsd_export(napi_env env, napi_value exports, const char *name, napi_callback fn);
napi_value bsd_copy_buffer(napi_env env, const void *data, size_t len);

/* One entry per address family: encode a canonical JS address (already
 * validated and resolved by TypeScript) into a sockaddr, and decode back.
 * encode returns 0 or a negative errno and throws nothing; decode returns
 * the address, or a negative errno (a JS number) for one it has no form
 * for (see the convention above), or NULL only when Node-API failed. */
typedef struct bsd_family_codec {
  int family;
  int (*encode)(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len);
  napi_value (*decode)(napi_env env, const struct sockaddr *sa, socklen_t len);
} bsd_family_codec;

/* Each family's codec (native/family_<name>.c) is listed once, in
 * native/sockaddr.c's registry; a family this system lacks has a codec
 * with family -1, which matches nothing. */

/* Families whose address form depends on the socket's protocol (AF_CAN,
 * AF_BLUETOOTH) read it with bsd_sockaddr_proto() while decoding: the
 * proto given to bsd_sockaddr_decode_proto, or -1 when the caller did not
 * say (bsd_sockaddr_decode), in which case they go by the length. */
napi_value bsd_sockaddr_decode_proto(napi_env env, const struct sockaddr *sa, socklen_t len, int proto);
int bsd_sockaddr_proto(void);

/* Helpers for the family codecs (family_common.c). The address is a JS
 * array; element readers return 0, or -EINVAL for a value of the wrong
 * type or one that does not fit (no exception). */
int bsd_addr_elem(napi_env env, napi_value arr, uint32_t i, napi_value *out);
uint32_t bsd_addr_length(napi_env env, napi_value arr);
int bsd_addr_present(napi_env env, napi_value arr, uint32_t i);
int bsd_addr_u32(napi_env env, napi_value arr, uint32_t i, uint32_t *out);
/* A string or Buffer element copied NUL-terminated into buf; -ENAMETOOLONG
 * when it does not fit, -EINVAL when it holds a NUL. */
int bsd_addr_string(napi_env env, napi_value arr, uint32_t i, char *buf, size_t size, size_t *len);
int bsd_ifname_to_index(const char *name, unsigned int *index);
/* The interface's name, or '' when there is none. */
void bsd_ifindex_to_name(unsigned int index, char *buf, size_t size);
napi_value bsd_string(napi_env env, const char *s, size_t len);
/* An array of items; NULL (an exception pending) if any item is NULL. */
napi_value bsd_array(napi_env env, size_t n, const napi_value *items);

/* sys_msg.c helpers shared with sys_mmsg.c: whether v is null or
 * undefined; and the internal-error path: make sure an exception is
 * pending (an Error with code ERR_BSDSOCK_INTERNAL and message `what` if
 * none is) and return NULL. */
int bsd_is_nullish(napi_env env, napi_value v);
napi_value bsd_fail(napi_env env, const char *what);

int bsd_sockaddr_encode(napi_env env, int family, napi_value addr,
                        struct sockaddr_storage *ss, socklen_t *len);
napi_value bsd_sockaddr_decode(napi_env env, const struct sockaddr *sa, socklen_t len);

void bsd_init_util(napi_env env, napi_value exports);
void bsd_init_fd(napi_env env, napi_value exports);
void bsd_init_socket(napi_env env, napi_value exports);
void bsd_init_msg(napi_env env, napi_value exports);
void bsd_init_mmsg(napi_env env, napi_value exports);
void bsd_init_sockaddr(napi_env env, napi_value exports);
void bsd_init_constants(napi_env env, napi_value exports);
void bsd_init_resolver(napi_env env, napi_value exports);
void bsd_init_env(napi_env env, napi_value exports);
void bsd_init_sendfile(napi_env env, napi_value exports);
void bsd_init_select(napi_env env, napi_value exports);

/* Per-environment state, see env.c. */
typedef struct bsd_env {
  napi_async_cleanup_hook_handle hook;
  int tearing_down;
  /* The readiness state (readiness.h), opaque here; `readiness_closing`
   * while its teardown has not finished. */
  struct bsd_readiness *readiness;
  int readiness_closing;
  int hook_freed_by_runtime; /* see env.c */
  int *fds;
  size_t nfds, capfds;
  /* sys_mmsg.c's headers for batches too big for the stack, kept for the
   * next call (one call at a time per environment: its own thread). */
  void *mmsg_scratch;
  size_t mmsg_scratch_len;
} bsd_env;
bsd_env *bsd_env_get(napi_env env);

/* Jobs on libuv's thread pool (async_job.c). A job struct embeds bsd_job
 * first; `run` executes a blocking library call on a pool thread (no JS
 * there), `done` builds the result on the JS thread, `release` frees it. */
typedef struct bsd_job bsd_job;
struct bsd_job {
  napi_async_work work;
  napi_deferred deferred;
  void (*run)(bsd_job *job);
  napi_value (*done)(napi_env env, bsd_job *job);
  void (*release)(bsd_job *job);
};
/* Queues the job and returns its Promise (the job is released either way). */
napi_value bsd_job_start(napi_env env, bsd_job *job, const char *name);
/* Runs the job on the calling thread and returns done's value. */
napi_value bsd_job_sync(napi_env env, bsd_job *job);
void bsd_init_netdb(napi_env env, napi_value exports);
void bsd_init_convert(napi_env env, napi_value exports);
void bsd_init_interfaces(napi_env env, napi_value exports);

#endif
