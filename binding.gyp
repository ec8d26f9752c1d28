{
  "targets": [
    {
      "target_name": "bsdsock",
      "sources": [
        "native/addon.c",
        "native/util.c",
        "native/sys_fd.c",
        "native/sys_socket.c",
        "native/sys_msg.c",
        "native/sys_mmsg.c",
        "native/sockaddr.c",
        "native/family_inet.c",
        "native/family_unix.c",
        "native/family_common.c",
        "native/family_packet.c",
        "native/family_netlink.c",
        "native/family_vsock.c",
        "native/family_can.c",
        "native/family_alg.c",
        "native/family_tipc.c",
        "native/family_rds.c",
        "native/family_bluetooth.c",
        "native/family_qipcrtr.c",
        "native/constants.c",
        "native/resolver.c",
        "native/async_job.c",
        "native/netdb.c",
        "native/convert.c",
        "native/interfaces.c",
        "native/readiness.c",
        "native/pollset.c",
        "native/readiness_uv.c",
        "native/readiness_thread.c",
        "native/env.c",
        "native/sys_sendfile.c",
        "native/sys_select.c"
      ],
      "include_dirs": ["native", "<(INTERMEDIATE_DIR)"],
      "defines": ["NAPI_VERSION=8", "_GNU_SOURCE"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter", "-O2"]
      },
      "actions": [
        {
          "action_name": "generate_constants",
          "inputs": ["scripts/gen-constants.mjs"],
          "outputs": ["<(INTERMEDIATE_DIR)/bsd_constants_gen.h", "<(INTERMEDIATE_DIR)/bsd_select_constants_gen.h"],
          "action": ["node", "scripts/gen-constants.mjs", "<@(_outputs)"]
        }
      ]
    }
  ]
}
