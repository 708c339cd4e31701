/* SPDX-License-Identifier: Apache-2.0 */
/* What a host pays before its first decision: load libcordon, open an AOT engine on a compiled
 * policy, open a session, decide one JSON request. libcordon is opened by path with dlopen, so one
 * binary times any build of it (bench/open_first.py compares two in one run).
 *
 *   open_first LIBCORDON_SO POLICY_SO REQUEST_JSON
 *
 * Prints the microseconds from before dlopen to after the decision, and the outcome. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "runtime/include/cordon/cordon.h"

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

#define LOAD(name)                                                   \
  __typeof__(&name) p_##name = (__typeof__(&name))dlsym(lib, #name); \
  if (p_##name == NULL) {                                            \
    fprintf(stderr, "%s has no %s\n", argv[1], #name);               \
    return 2;                                                        \
  }

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s LIBCORDON_SO POLICY_SO REQUEST_JSON\n", argv[0]);
    return 2;
  }
  double start = now_us();
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  LOAD(cordon_config_init)
  LOAD(cordon_engine_open)
  LOAD(cordon_session_open)
  LOAD(cordon_decision_new)
  LOAD(cordon_decide_json)
  LOAD(cordon_decision_outcome)
  LOAD(cordon_error_message)
  /* The config of the library loaded: an older one is a prefix of this one, and its init sets
   * struct_size to its own size. */
  cordon_config config;
  memset(&config, 0, sizeof config);
  p_cordon_config_init(&config);
  config.kind = CORDON_ENGINE_AOT;
  config.library = (cordon_string){argv[2], strlen(argv[2])};
  cordon_engine* engine = NULL;
  cordon_session* session = NULL;
  cordon_decision* decision = NULL;
  cordon_error* error = NULL;
  if (p_cordon_engine_open(&config, &engine, &error) != CORDON_OK ||
      p_cordon_session_open(engine, &session, &error) != CORDON_OK ||
      p_cordon_decision_new(&decision, &error) != CORDON_OK ||
      p_cordon_decide_json(session, (cordon_string){argv[3], strlen(argv[3])}, 0, decision,
                           &error) != CORDON_OK) {
    fprintf(stderr, "failed: %s\n", error ? p_cordon_error_message(error).data : "");
    return 1;
  }
  double end = now_us();
  printf("%.1f %s\n", end - start, p_cordon_decision_outcome(decision).data);
  return 0; /* the process exits: nothing to free for this measurement */
}
