/* SPDX-License-Identifier: Apache-2.0
 * The interface between the runtime and the compiler, which the runtime reaches only to check rule
 * files, JIT-compile a policy, or write a .so from one. The compiler implements it in
 * compiler/plugin: linked into the `cordon` command and the tests, and built as
 * libcordon-compiler.so, which libcordon.so opens on demand (runtime/engine/compiler_dl.cpp).
 *
 * Plain C, and programs cross it serialised (runtime/ir/serialize.h): the two libraries share no
 * C++ object, so neither needs the other's build. Both sides check `abi_version`, `ir_format` and
 * `version`, and a compiler of another release is refused, never half used. */
#ifndef CORDON_RUNTIME_ABI_COMPILER_ABI_H_
#define CORDON_RUNTIME_ABI_COMPILER_ABI_H_

#include <stdint.h>

#include "runtime/abi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The one symbol libcordon-compiler.so exports: a function returning the table below. */
#define CORDON_COMPILER_SYMBOL "cordon_compiler_v1"

/* What each call returns. */
#define CORDON_COMPILER_OK 0u
#define CORDON_COMPILER_POLICY 1u /* the rule files have errors; the message lists them */
#define CORDON_COMPILER_IO 2u     /* a root cannot be read */
#define CORDON_COMPILER_FAILED 3u /* the policy cannot be compiled (or a bug): the message says */

/* Bytes the compiler allocated; the runtime frees them with `bytes_free`. */
typedef struct cordon_compiler_bytes {
  uint8_t* data;
  uint64_t size;
} cordon_compiler_bytes;

typedef struct cordon_compiler_check_args {
  const char* const* roots; /* rule files, or directories holding policy.cordon */
  uint64_t root_count;
  /* Searched in order for imports; the caller puts the stdlib last. */
  const char* const* module_path;
  uint64_t module_path_count;
} cordon_compiler_check_args;

/* How the JIT compiles (compiler/codegen/codegen.h: Selector and JitOptions). */
#define CORDON_COMPILER_SELECTOR_AUTO 0u
#define CORDON_COMPILER_SELECTOR_FAST 1u
#define CORDON_COMPILER_SELECTOR_FULL 2u

typedef struct cordon_compiler_api {
  uint32_t struct_size;
  uint32_t abi_version; /* CORDON_ABI_VERSION of the code it generates */
  uint32_t ir_format;   /* the serialised IR it reads and writes */
  const char* version;  /* the Cordon release, "0.1.0" */

  /* Checks a policy. OK: *out holds the serialised program. Otherwise *out holds the message
   * (every diagnostic, rendered as `cordon check` prints them). */
  uint32_t (*check)(const cordon_compiler_check_args* args, cordon_compiler_bytes* out);
  /* Compiles a serialised program in this process. OK: *eval is its evaluator, valid until
   * jit_free(*jit). Otherwise *message says why. */
  uint32_t (*jit)(const uint8_t* program, uint64_t program_size, uint32_t selector,
                  uint32_t threads, void** jit, cordon_abi_eval_fn* eval,
                  cordon_compiler_bytes* message);
  void (*jit_free)(void* jit);
  /* Writes the .so of a serialised program to `path` (as `cordon compile -o`). */
  uint32_t (*write_shared_object)(const uint8_t* program, uint64_t program_size, const char* path,
                                  cordon_compiler_bytes* message);
  void (*bytes_free)(cordon_compiler_bytes* bytes);
} cordon_compiler_api;

typedef const cordon_compiler_api* (*cordon_compiler_entry_fn)(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CORDON_RUNTIME_ABI_COMPILER_ABI_H_ */
