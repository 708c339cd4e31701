/* SPDX-License-Identifier: Apache-2.0
 * The binary contract between generated evaluators (JIT or AOT .so) and the runtime that calls
 * them. Plain C, so the generated code, the runtime and the helper bitcode agree on every byte.
 * Bump CORDON_ABI_VERSION on any change: a .so built for another version is refused. */
#ifndef CORDON_RUNTIME_ABI_ABI_H_
#define CORDON_RUNTIME_ABI_ABI_H_

#include <stdint.h>

#define CORDON_ABI_VERSION 9u
#define CORDON_ABI_DESCRIPTOR_SYMBOL "cordon_policy_v1"

/* A key as the generated code passes it to `find`; which members mean something follows the
 * column's kind, as in ir::Datum. */
typedef struct cordon_abi_cell {
  __int128 num; /* numbers are exact fractions of 128-bit integers (runtime/base/rational.h) */
  __int128 den;
  int64_t bits;
  const char* text;
  uint64_t text_size;
  const void* set; /* kCountrySet: uint64_t[11]; kTextSet: an opaque runtime set */
  uint8_t present;
} cordon_abi_cell;

/* A table's rows as the runtime holds them: `columns` cells to a row, row after row. A cell is
 * the runtime's own value (ir::Datum, checked against these offsets where the runtime builds
 * the env), read in place: a row read costs loads, not a call. */
typedef struct cordon_abi_rows {
  const uint8_t* cells;
  uint64_t columns;
} cordon_abi_rows;

#define CORDON_ABI_ROW_CELL_SIZE 40u
#define CORDON_ABI_ROW_CELL_PRESENT 1u   /* uint8_t: 0 for an absent optional */
#define CORDON_ABI_ROW_CELL_BITS 8u      /* int64_t: bool, date, country, enum, enum set */
#define CORDON_ABI_ROW_CELL_NUM 8u       /* __int128, 8-aligned: a number's numerator */
#define CORDON_ABI_ROW_CELL_DEN 24u      /* __int128, 8-aligned: its denominator */
#define CORDON_ABI_ROW_CELL_SET 8u       /* pointer: a country set's words or a text set */
#define CORDON_ABI_ROW_CELL_TEXT_SIZE 8u /* uint64_t */
#define CORDON_ABI_ROW_CELL_TEXT 16u     /* const char* */

/* A text passed to `text_op`. */
typedef struct cordon_abi_text {
  const char* data;
  uint64_t size;
} cordon_abi_text;

/* What the runtime lends the evaluator for one decision. Tables are reached only through
 * it, so the host can swap a table without recompiling. */
typedef struct cordon_abi_env {
  void* self;
  /* The row whose key matches, or -1: `find` for a table matched exactly, `find_name` for a
   * table `match normalized` (the key is always text). `key` says which request field the text
   * is, by its index in ir::LookupKeySlots, or is CORDON_ABI_NO_KEY for any other text: the
   * runtime normalises a field once a decision and finds its row in a table once, where a
   * memo by the text's address cost a search on every call. */
  int64_t (*find)(void* self, uint32_t table, const cordon_abi_cell* key);
  int64_t (*find_name)(void* self, uint32_t table, uint32_t key, const char* text, uint64_t size);
  /* Membership and equality of opaque text sets (request fields, table cells, constants). */
  uint8_t (*text_set_has)(const void* set, const char* text, uint64_t size);
  uint8_t (*text_set_equal)(const void* a, const void* b);
  /* Constant text sets, by index into the program's constants (null for other constants). */
  const void* const* constant_sets;
  /* Each table's rows, by table id. */
  const cordon_abi_rows* rows;
  /* `near(table, name)`: as `find_name`, or else the first row one edit away
   * (ir::TableData::FindNear). */
  int64_t (*find_near)(void* self, uint32_t table, uint32_t key, const char* text, uint64_t size);
  /* Where a fired rule writes the values of its message's holes (`{e.name}`), one cell each,
   * numbered as ir::MessageHoleStarts numbers them. Texts point into the request or the rows,
   * which stay put for the decision. */
  cordon_abi_cell* holes;
  /* The text functions (`upper`, `trim`, `contains`, `replace`, ...: ir::EvalText), by their
   * ir::Op, on args[0..2]: returns a length, 0 or 1 for a test, or a text's size with its bytes
   * at *out, which stay until the decision ends. The interpreter computes them in the same code. */
  int64_t (*text_op)(void* self, uint32_t op, const cordon_abi_text* args, const char** out);
} cordon_abi_env;

#define CORDON_ABI_NO_KEY 0xffffffffu

#define CORDON_RULE_FIRED 1u
#define CORDON_RULE_ERROR 2u

/* One per rule that fired or failed, in rule order; rules that did not fire leave no entry.
 * FIRED: `exception` is the index of the `unless` that applied, or UINT32_MAX, and `value` the
 * outcome it gave (so the runtime need not look the rule up). ERROR: `value` is the IR value
 * that failed and `status` a CORDON_RATIONAL_* or CORDON_EVAL_DATE_RANGE reason. */
typedef struct cordon_abi_result {
  uint32_t rule;
  uint32_t state;
  uint32_t exception;
  uint32_t value;
  uint32_t status;
} cordon_abi_result;

#define CORDON_EVAL_DATE_RANGE 1u /* reported as an overflow, like the interpreter */
#define CORDON_EVAL_TOO_DEEP 3u   /* recursion past its unrolled depth (ir::Op::kTooDeep) */

/* What the evaluator returns for a request struct holding a value no request could hold (a
 * presence byte or bool other than 0 or 1, a country or enum out of range, a denominator that is
 * not positive, a date outside the years 1 to 9999, a null text with a size): it decides nothing,
 * and the runtime finds the field to name in its message. Text sets are not checked: the runtime
 * passes its own, and refuses a host's. */
#define CORDON_ABI_BAD_REQUEST 0xffffffffu

/* Decides one request. `results` has room for one entry per rule; returns how many it wrote, or
 * CORDON_ABI_BAD_REQUEST. */
typedef uint32_t (*cordon_abi_eval_fn)(const void* request, int64_t as_of,
                                       const cordon_abi_env* env, cordon_abi_result* results);

/* The one symbol an AOT .so exports. `program` is the serialised IR (runtime/ir/serialize.h):
 * rules, citations, messages, schema and the initial rows of every table. */
typedef struct cordon_abi_descriptor {
  uint32_t abi_version;
  uint32_t rule_count;
  uint64_t schema_hash;
  const uint8_t* program;
  uint64_t program_size;
  cordon_abi_eval_fn eval;
  uint32_t request_size;
  uint32_t request_align;
} cordon_abi_descriptor;

/* A .so written by `cordon compile` ends in 16 bytes the loader ignores: these 8, then the
 * FNV-1a 64 hash (little-endian) of every byte before them. The runtime checks them before
 * dlopen, so that flipped code bytes are refused rather than run. */
#define CORDON_FILE_TRAILER_MAGIC "CRDNSUM1"
#define CORDON_FILE_TRAILER_SIZE 16u

#endif /* CORDON_RUNTIME_ABI_ABI_H_ */
