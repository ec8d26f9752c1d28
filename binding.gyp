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
        "<!@(node -p \"require('fs').readdirSync('native').filter((f) => f.startsWith('family_') && f.endsWith('.c')).sort().map((f) => 'native/' + f).join(' ')\")",
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
