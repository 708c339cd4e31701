/* SPDX-License-Identifier: Apache-2.0 */
/* Opens a JIT engine on rule files through libcordon and checks the status, and that the message
 * holds a phrase: `compiler_link_test POLICY STATUS_NAME PHRASE`. libcordon opens the compiler
 * once per process, so each case is a process of its own (tests/runtime/CMakeLists.txt). */
#include <cordon/cordon.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s POLICY STATUS_NAME PHRASE\n", argv[0]);
    return 2;
  }
  cordon_config config;
  cordon_config_init(&config);
  config.kind = CORDON_ENGINE_JIT;
  config.policy[0] = cordon_str(argv[1]);
  config.policy_count = 1;
  cordon_engine* engine = NULL;
  cordon_error* error = NULL;
  cordon_status status = cordon_engine_open(&config, &engine, &error);
  const char* message = error ? cordon_error_message(error).data : "";
  printf("%s: %s\n", cordon_status_name(status), message);
  int ok = strcmp(cordon_status_name(status), argv[2]) == 0 && strstr(message, argv[3]) != NULL;
  if (!ok) fprintf(stderr, "expected %s with \"%s\"\n", argv[2], argv[3]);
  /* A second open in the same process gives the same answer (the failure is kept, not retried). */
  cordon_engine* again = NULL;
  cordon_status second = cordon_engine_open(&config, &again, NULL);
  if (second != status) {
    fprintf(stderr, "the second open gave %s\n", cordon_status_name(second));
    ok = 0;
  }
  cordon_engine_free(again);
  cordon_error_free(error);
  cordon_engine_free(engine);
  return ok ? 0 : 1;
}
