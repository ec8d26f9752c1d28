/* AF_BLUETOOTH addresses (Linux, BlueZ), one form per protocol as Python
 * has them. Bluetooth device addresses are strings 'XX:XX:XX:XX:XX:XX'
 * (most significant byte first; stored reversed in bdaddr_t).
 *
 * The native (encode) form names the protocol first, since L2CAP and
 * RFCOMM addresses have the same shape:
 *   [BTPROTO_L2CAP, bdaddr, psm]        decodes to [bdaddr, psm]
 *   [BTPROTO_RFCOMM, bdaddr, channel]   decodes to [bdaddr, channel]
 *   [BTPROTO_HCI, dev, channel]         decodes to dev (a number, as Python)
 *   [BTPROTO_SCO, bdaddr]               decodes to bdaddr
 * Decoding uses the socket's protocol when the caller knows it
 * (bsd_sockaddr_decode_proto); otherwise the length the kernel reported,
 * which differs for each of the four structs. */
#include "bsd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#if defined(__linux__) && defined(AF_BLUETOOTH)
#include <endian.h>

#if defined(__has_include)
#if __has_include(<bluetooth/bluetooth.h>)
#include <bluetooth/bluetooth.h>
#include <bluetooth/hci.h>
#include <bluetooth/l2cap.h>
#include <bluetooth/rfcomm.h>
#include <bluetooth/sco.h>
#define BSD_HAVE_BLUEZ_H 1
#endif
#endif

#ifndef BSD_HAVE_BLUEZ_H
/* BlueZ's headers (libbluetooth-dev) are not installed: the kernel ABI
 * layouts from include/net/bluetooth/{bluetooth,hci_sock,l2cap,rfcomm,sco}.h. */
#define BTPROTO_L2CAP 0
#define BTPROTO_HCI 1
#define BTPROTO_SCO 2
#define BTPROTO_RFCOMM 3
typedef struct {
  uint8_t b[6];
} __attribute__((packed)) bdaddr_t;
struct sockaddr_l2 {
  sa_family_t l2_family;
  unsigned short l2_psm; /* little-endian */
  bdaddr_t l2_bdaddr;
  unsigned short l2_cid;
  uint8_t l2_bdaddr_type;
};
struct sockaddr_rc {
  sa_family_t rc_family;
  bdaddr_t rc_bdaddr;
  uint8_t rc_channel;
};
struct sockaddr_hci {
  sa_family_t hci_family;
  unsigned short hci_dev;
  unsigned short hci_channel;
};
struct sockaddr_sco {
  sa_family_t sco_family;
  bdaddr_t sco_bdaddr;
};
#endif

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Exactly 'XX:XX:XX:XX:XX:XX' (TypeScript normalizes Python's looser forms). */
static int get_bdaddr(napi_env env, napi_value arr, uint32_t i, bdaddr_t *out) {
  char s[18];
  size_t n;
  int e = bsd_addr_string(env, arr, i, s, sizeof s, &n);
  if (e == -ENAMETOOLONG) return -EINVAL;
  if (e) return e;
  if (n != 17) return -EINVAL;
  for (int k = 0; k < 6; k++) {
    int hi = hexval(s[3 * k]), lo = hexval(s[3 * k + 1]);
    if (hi < 0 || lo < 0 || (k < 5 && s[3 * k + 2] != ':')) return -EINVAL;
    out->b[5 - k] = (uint8_t)(hi << 4 | lo);
  }
  return 0;
}

static napi_value make_bdaddr(napi_env env, const bdaddr_t *a) {
  char s[18];
  snprintf(s, sizeof s, "%02X:%02X:%02X:%02X:%02X:%02X", a->b[5], a->b[4], a->b[3], a->b[2], a->b[1], a->b[0]);
  return bsd_string(env, s, 17);
}

static int encode_bluetooth(napi_env env, napi_value addr, struct sockaddr_storage *ss, socklen_t *len) {
  uint32_t proto, a, b;
  int e;
  if ((e = bsd_addr_u32(env, addr, 0, &proto))) return e;
  switch (proto) {
    case BTPROTO_L2CAP: {
      struct sockaddr_l2 *l2 = (struct sockaddr_l2 *)ss;
      if ((e = get_bdaddr(env, addr, 1, &l2->l2_bdaddr))) return e;
      if ((e = bsd_addr_u32(env, addr, 2, &a))) return e;
      if (a > 0xffff) return -EINVAL;
      l2->l2_family = AF_BLUETOOTH;
      l2->l2_psm = htole16((uint16_t)a);
      *len = sizeof *l2;
      return 0;
    }
    case BTPROTO_RFCOMM: {
      struct sockaddr_rc *rc = (struct sockaddr_rc *)ss;
      if ((e = get_bdaddr(env, addr, 1, &rc->rc_bdaddr))) return e;
      if ((e = bsd_addr_u32(env, addr, 2, &a))) return e;
      if (a > 0xff) return -EINVAL;
      rc->rc_family = AF_BLUETOOTH;
      rc->rc_channel = (uint8_t)a;
      *len = sizeof *rc;
      return 0;
    }
    case BTPROTO_HCI: {
      struct sockaddr_hci *hci = (struct sockaddr_hci *)ss;
      if ((e = bsd_addr_u32(env, addr, 1, &a))) return e;
      if ((e = bsd_addr_u32(env, addr, 2, &b))) return e;
      if (a > 0xffff || b > 0xffff) return -EINVAL;
      hci->hci_family = AF_BLUETOOTH;
      hci->hci_dev = (unsigned short)a;
      hci->hci_channel = (unsigned short)b;
      *len = sizeof *hci;
      return 0;
    }
    case BTPROTO_SCO: {
      struct sockaddr_sco *sco = (struct sockaddr_sco *)ss;
      if ((e = get_bdaddr(env, addr, 1, &sco->sco_bdaddr))) return e;
      sco->sco_family = AF_BLUETOOTH;
      *len = sizeof *sco;
      return 0;
    }
    default:
      return -EPROTONOSUPPORT;
  }
}

static napi_value decode_bluetooth(napi_env env, const struct sockaddr *sa, socklen_t len) {
  int proto = bsd_sockaddr_proto();
  if (proto < 0) {
    if (len == sizeof(struct sockaddr_l2)) proto = BTPROTO_L2CAP;
    else if (len == sizeof(struct sockaddr_rc)) proto = BTPROTO_RFCOMM;
    else if (len == sizeof(struct sockaddr_hci)) proto = BTPROTO_HCI;
    else if (len == sizeof(struct sockaddr_sco)) proto = BTPROTO_SCO;
  }
  switch (proto) {
    case BTPROTO_L2CAP: {
      const struct sockaddr_l2 *l2 = (const struct sockaddr_l2 *)sa;
      napi_value items[2] = {make_bdaddr(env, &l2->l2_bdaddr), bsd_int(env, le16toh(l2->l2_psm))};
      return bsd_array(env, 2, items);
    }
    case BTPROTO_RFCOMM: {
      const struct sockaddr_rc *rc = (const struct sockaddr_rc *)sa;
      napi_value items[2] = {make_bdaddr(env, &rc->rc_bdaddr), bsd_int(env, rc->rc_channel)};
      return bsd_array(env, 2, items);
    }
    case BTPROTO_HCI:
      return bsd_int(env, ((const struct sockaddr_hci *)sa)->hci_dev);
    case BTPROTO_SCO:
      return make_bdaddr(env, &((const struct sockaddr_sco *)sa)->sco_bdaddr);
    default:
      /* A protocol without an address form here: TypeScript words it. */
      if (proto >= 0) return bsd_errno(env, EPROTONOSUPPORT);
      /* Neither the protocol nor the length says: Python's generic form. */
      napi_value items[2] = {bsd_int(env, sa->sa_family), bsd_copy_buffer(env, sa->sa_data, sizeof sa->sa_data)};
      return bsd_array(env, 2, items);
  }
}

const bsd_family_codec bsd_codec_bluetooth = {AF_BLUETOOTH, encode_bluetooth, decode_bluetooth};
#else
const bsd_family_codec bsd_codec_bluetooth = {-1, NULL, NULL};
#endif
