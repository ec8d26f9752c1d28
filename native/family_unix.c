/* AF_UNIX addresses: a string path, a Buffer (abstract names start with a
 * NUL byte), or '' for autobind. */
#include "bsd.h"

#include <errno.h>
#include <string.h>
#include <sys/un.h>

#define SUN_PATH_SIZE (sizeof(((struct sockaddr_un *)0)->sun_path))

static int encode_unix(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  struct sockaddr_un *sun = (struct sockaddr_un *)ss;
  char path[SUN_PATH_SIZE + 2];
  size_t n;
  napi_valuetype t;
  napi_typeof(env, addr, &t);
  if (t == napi_string) {
    if (napi_get_value_string_utf8(env, addr, path, sizeof path, &n) != napi_ok) return -EINVAL;
    /* A NUL inside a string path would silently truncate it. */
    if (memchr(path, 0, n) != NULL) return -EINVAL;
  } else {
    void *data;
    if (bsd_read_bytes(env, addr, &data, &n)) return -EINVAL;
    if (n > SUN_PATH_SIZE) return -ENAMETOOLONG;
    memcpy(path, data, n);
  }
  int abstract = n == 0 || path[0] == 0;
  /* A filesystem path needs room for its terminating NUL; an abstract name
   * (or the empty autobind name) may fill sun_path. */
  if (n > SUN_PATH_SIZE || (!abstract && n >= SUN_PATH_SIZE)) return -ENAMETOOLONG;
  sun->sun_family = AF_UNIX;
  memcpy(sun->sun_path, path, n);
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
#ifdef __APPLE__
  sun->sun_len = (unsigned char)*len;
#endif
  return 0;
}

static int valid_utf8(const unsigned char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t extra;
    uint32_t cp;
    if (c < 0x80) { i++; continue; }
    if ((c & 0xe0) == 0xc0) { extra = 1; cp = c & 0x1f; }
    else if ((c & 0xf0) == 0xe0) { extra = 2; cp = c & 0x0f; }
    else if ((c & 0xf8) == 0xf0) { extra = 3; cp = c & 0x07; }
    else return 0;
    if (i + extra >= n) return 0;
    for (size_t k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xc0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += extra + 1;
  }
  return 1;
}

/* Python's rules: an abstract name comes back as bytes; a path as a
 * string up to its first NUL. A path that is not valid UTF-8 comes back as
 * a Buffer so that it can be used again without loss. */
static napi_value decode_unix(napi_env env, const struct sockaddr *sa, socklen_t len) {
  const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
  size_t off = offsetof(struct sockaddr_un, sun_path);
  size_t n = len > off ? len - off : 0;
  if (n > SUN_PATH_SIZE) n = SUN_PATH_SIZE;
#ifdef __linux__
  if (n > 0 && sun->sun_path[0] == 0) return bsd_copy_buffer(env, sun->sun_path, n);
#endif
  const char *end = memchr(sun->sun_path, 0, n);
  if (end != NULL) n = (size_t)(end - sun->sun_path);
  if (!valid_utf8((const unsigned char *)sun->sun_path, n)) return bsd_copy_buffer(env, sun->sun_path, n);
  napi_value s;
  napi_create_string_utf8(env, sun->sun_path, n, &s);
  return s;
}

const bsd_family_codec bsd_codec_unix = {AF_UNIX, encode_unix, decode_unix};
