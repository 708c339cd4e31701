/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cordon.h: the C API of libcordon, the Cordon runtime.
 *
 * A host opens an *engine* for one policy: from a shared object written by `cordon compile -o`
 * (CORDON_ENGINE_AOT), from a policy bundle written by `cordon compile --bundle` (the reference
 * interpreter, CORDON_ENGINE_INTERP with config.bundle), or from rule files (checked, and for
 * CORDON_ENGINE_JIT compiled, in process). The first two need only libcordon; rule files need the
 * compiler component too (libcordon-compiler, opened when first asked for: without it such an
 * engine fails with CORDON_ERROR_NO_COMPILER). Each deciding thread opens
 * its own *session* on the engine, fills a *request* (by field name, from JSON, or as the
 * struct declared in the header `cordon compile --header` writes), and decides it into a
 * *decision*: the outcome, and every rule that produced it with its citation and message.
 *
 * Conventions
 *   - Every function that can fail returns a cordon_status. CORDON_OK is 0. On failure, when
 *     `error` is not NULL, *error receives a new cordon_error holding the status and a
 *     message for people; free it with cordon_error_free. Nothing else is changed on
 *     failure, except that a decide call on a malformed request (which also sets *error)
 *     fills the decision with "error" and the reasons, so a host that ignores the status
 *     still fails closed.
 *   - CORDON_OK from a decide call means a decision was made, and it may still be "error" (a
 *     rule that could not be evaluated): always read the decision.
 *   - Strings passed in are pointer + length (cordon_string), need not be NUL-terminated, and
 *     are copied when kept. Strings returned point into the object that returned them and
 *     stay valid until that object is changed or freed; they are also NUL-terminated.
 *   - Each handle has one _free function, which accepts NULL.
 *   - Thread safety: an engine may be used from any number of threads at once, including
 *     cordon_engine_swap_table while other threads decide. A session, a request, a batch
 *     and a decision are used by one thread at a time (a batch starts its own threads).
 *     Sessions, requests, batches and decisions must be freed before their engine.
 *   - Decisions fail closed: a malformed request, or a rule that cannot be evaluated, gives
 *     the outcome "error", never a silent "no license required".
 */
#ifndef CORDON_CORDON_H_
#define CORDON_CORDON_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CORDON_API __attribute__((visibility("default")))
#else
#define CORDON_API
#endif

/* The version of the interface between libcordon and compiled policies (.so). A compiled
 * policy records the version it was built for; libcordon opens only its own. */
#define CORDON_ABI_VERSION_CURRENT 9

typedef enum cordon_status {
  CORDON_OK = 0,
  CORDON_ERROR_INVALID_ARGUMENT = 1,  /* a NULL handle or pointer, or a bad config */
  CORDON_ERROR_IO = 2,                /* a file cannot be read */
  CORDON_ERROR_POLICY = 3,            /* the rule files have errors (the message lists them) */
  CORDON_ERROR_NOT_A_POLICY = 4,      /* not a compiled Cordon policy, or a corrupt one */
  CORDON_ERROR_ABI_VERSION = 5,       /* a compiled policy for another ABI version */
  CORDON_ERROR_SCHEMA_MISMATCH = 6,   /* a compiled policy or table for another schema */
  CORDON_ERROR_UNKNOWN_FIELD = 7,     /* no such request field */
  CORDON_ERROR_BAD_VALUE = 8,         /* a value of the wrong type for its field */
  CORDON_ERROR_MALFORMED_REQUEST = 9, /* the request cannot be decided (the decision says why) */
  CORDON_ERROR_TABLE = 10,            /* no such table, a bad CSV row, a table not `extern` */
  CORDON_ERROR_UNSUPPORTED = 11,      /* no longer returned (every engine decides structs) */
  CORDON_ERROR_INTERNAL = 12,         /* a bug in Cordon: please report it with the message */
  CORDON_ERROR_NO_COMPILER = 13       /* rule files need the compiler component, which is not
                                         installed, or is of another Cordon version */
} cordon_status;

/* A byte string: `data` need not be NUL-terminated. `data` may be NULL only with `size` 0; a
 * function given NULL with a size returns CORDON_ERROR_INVALID_ARGUMENT. */
typedef struct cordon_string {
  const char* data;
  size_t size;
} cordon_string;

/* A cordon_string of a NUL-terminated C string (NULL gives the empty string). */
CORDON_API cordon_string cordon_str(const char* text);

/* "CORDON_ERROR_TABLE" and so on; "CORDON_UNKNOWN_STATUS" for other values. Static storage. */
CORDON_API const char* cordon_status_name(cordon_status status);

/* The library version, "MAJOR.MINOR.PATCH". Static storage. */
CORDON_API const char* cordon_version(void);

/* ---- Errors ---------------------------------------------------------------------------- */

typedef struct cordon_error cordon_error;

CORDON_API cordon_status cordon_error_status(const cordon_error* error);
/* One or more lines for people; for CORDON_ERROR_POLICY and CSV rows, each problem at
 * file:line:col with the source line and a hint, as `cordon check` prints them. */
CORDON_API cordon_string cordon_error_message(const cordon_error* error);
CORDON_API void cordon_error_free(cordon_error* error);

/* ---- Engines --------------------------------------------------------------------------- */

typedef enum cordon_engine_kind {
  CORDON_ENGINE_INTERP = 0, /* the reference interpreter, over a bundle or rule files */
  CORDON_ENGINE_JIT = 1,    /* rule files compiled to native code in this process */
  CORDON_ENGINE_AOT = 2     /* a shared object written by `cordon compile -o`, or rule files
                               compiled to one (in a temporary file) when the engine opens */
} cordon_engine_kind;

typedef struct cordon_config {
  /* sizeof(cordon_config), set by cordon_config_init: lets later versions add fields. */
  uint32_t struct_size;
  cordon_engine_kind kind;
  /* INTERP and JIT without a bundle, and AOT without a library: the policy, a rule file or a
   * directory holding policy.cordon. Up to 8 roots, combined as repeated `--policy` options combine
   * them. Needs the compiler component. */
  cordon_string policy[8];
  size_t policy_count;
  /* Directories searched for imported modules, before the standard library, separated by
   * ':'. May be empty. */
  cordon_string module_path;
  /* Where the standard library (stdlib/) is; empty: $CORDON_STDLIB, else the installed one. */
  cordon_string stdlib_dir;
  /* AOT: the shared object. */
  cordon_string library;
  /* When not 0, the schema hash the host was built against (the *_SCHEMA_HASH of the
   * generated header): a policy (a .so, or rule files) with another request schema is
   * refused with CORDON_ERROR_SCHEMA_MISMATCH. */
  uint64_t expected_schema_hash;
  /* When not 0, the policy hash the host expects (the *_POLICY_HASH of the generated header):
   * a policy with other rules, messages, dates or initial table rows is refused with
   * CORDON_ERROR_SCHEMA_MISMATCH, so a .so compiled before an Entity List update is not run
   * in its place. */
  uint64_t expected_policy_hash;
  /* INTERP and JIT: a policy bundle written by `cordon compile --bundle` (the checked policy and
   * its tables), instead of rule files. INTERP needs no compiler; JIT compiles the bundle. */
  cordon_string bundle;
  /* AOT: where the policy's table files are now, found by file name; empty: where the policy
   * had them when it was compiled. Each file found is compared with the rows compiled into the
   * .so: the same rows are kept; other rows replace an `extern` table's; other rows of any other
   * table refuse the .so (CORDON_ERROR_SCHEMA_MISMATCH, naming the file and both versions). A
   * file changed while it is read is refused too. A file not found leaves the compiled rows. */
  cordon_string table_dir;
  /* AOT: when not 0, decide with the rows compiled into the .so, reading no table file. */
  int embedded_tables;
} cordon_config;

/* Fills `config` with defaults: CORDON_ENGINE_JIT, nothing else set. */
CORDON_API void cordon_config_init(cordon_config* config);

typedef struct cordon_engine cordon_engine;

/* Opens an engine. Fails with CORDON_ERROR_POLICY (rule files with errors), CORDON_ERROR_IO
 * (a missing file), CORDON_ERROR_NOT_A_POLICY (a .so or bundle that is not a compiled policy, or
 * is truncated or corrupt), CORDON_ERROR_ABI_VERSION (a .so or bundle of another version),
 * CORDON_ERROR_SCHEMA_MISMATCH (another policy than expected_schema_hash names), or
 * CORDON_ERROR_NO_COMPILER (rule files or JIT without the compiler component). Nothing is
 * loaded on failure. JIT compilation takes tens of milliseconds. */
CORDON_API cordon_status cordon_engine_open(const cordon_config* config, cordon_engine** engine,
                                            cordon_error** error);
/* Frees the engine. Every session, request and decision made from it must be freed first. */
CORDON_API void cordon_engine_free(cordon_engine* engine);

CORDON_API cordon_engine_kind cordon_engine_kind_of(const cordon_engine* engine);
/* The request schema's hash: equal to the *_SCHEMA_HASH of a header generated from the same
 * policy. */
CORDON_API uint64_t cordon_engine_schema_hash(const cordon_engine* engine);
/* The whole policy's hash (rules, messages, dates, initial table rows): equal to the
 * *_POLICY_HASH of a header generated from the same policy. */
CORDON_API uint64_t cordon_engine_policy_hash(const cordon_engine* engine);
/* sizeof the generated request struct (every engine). */
CORDON_API size_t cordon_engine_request_size(const cordon_engine* engine);

/* What a table decides with now. */
typedef struct cordon_table_info {
  cordon_string name; /* valid while the engine lives */
  int is_extern;
  uint64_t rows;
  uint64_t hash; /* of the rows themselves: equal rows, equal hash, wherever they came from */
  /* The file (or the name given to a CSV) the rows were read from, "" when they are the rows
   * compiled into the policy; and that file's modification time, UTC ISO 8601
   * ("2026-12-07T09:30:00Z"), "" when not read from a file. NUL-terminated; a longer path is
   * cut at 1023 bytes. */
  char source[1024];
  char modified[32];
} cordon_table_info;

/* How many tables the policy has. */
CORDON_API size_t cordon_engine_table_count(const cordon_engine* engine);
/* The version of table `index` (0 to count - 1, in the policy's order) now. */
CORDON_API cordon_status cordon_engine_table_info(const cordon_engine* engine, size_t index,
                                                  cordon_table_info* info, cordon_error** error);

/* Replaces the rows of the policy's `extern table` named `table` with the CSV `csv` (a header
 * line naming at least the declared columns, then rows), for every decision that starts
 * after this call returns; decisions already under way finish with the old rows. Deciding
 * threads never wait; this call does, until no decision still reads the old rows, which it
 * then frees. Columns the table does not declare are ignored, in any order; `set<text>` cells
 * are written `a;b;c`; quoting is RFC 4180; a file with only the header empties the table.
 * `source_name` names the CSV in messages (a path, say). On any bad row nothing changes and the
 * error lists each problem at source_name:line:col (CORDON_ERROR_TABLE). Swaps are serialised: two
 * threads swapping at once both succeed, one after the other. */
CORDON_API cordon_status cordon_engine_swap_table(cordon_engine* engine, cordon_string table,
                                                  cordon_string csv, cordon_string source_name,
                                                  cordon_error** error);
/* The same, reading the CSV from the file at `path`. A file that changes while it is read is
 * refused (CORDON_ERROR_TABLE), and the table keeps its rows. */
CORDON_API cordon_status cordon_engine_swap_table_file(cordon_engine* engine, cordon_string table,
                                                       cordon_string path, cordon_error** error);

/* ---- Sessions -------------------------------------------------------------------------- */

/* Per-thread state for deciding: scratch space, and the table set it is reading. */
typedef struct cordon_session cordon_session;

CORDON_API cordon_status cordon_session_open(cordon_engine* engine, cordon_session** session,
                                             cordon_error** error);
CORDON_API void cordon_session_free(cordon_session* session);

/* ---- Requests -------------------------------------------------------------------------- */

/* A request built field by field. Field paths are the JSON keys joined by '.', as in
 * "end_user.hq_country". Values are checked for their field's type when set, and fully (a
 * country code, an enum value, a date) when decided, exactly as JSON requests are. */
typedef struct cordon_request cordon_request;

CORDON_API cordon_status cordon_request_new(cordon_engine* engine, cordon_request** request,
                                            cordon_error** error);
CORDON_API void cordon_request_free(cordon_request* request);
/* Unsets every field. */
CORDON_API void cordon_request_clear(cordon_request* request);

/* text, date ("2024-06-01"), country ("CN") and enum ("export") fields, and duration fields as an
 * ISO 8601 duration of whole days ("P30D", "PT720H"). */
CORDON_API cordon_status cordon_request_set_text(cordon_request* request, cordon_string path,
                                                 cordon_string value, cordon_error** error);
/* int and number fields, in the unit the policy declares for the field. */
CORDON_API cordon_status cordon_request_set_int(cordon_request* request, cordon_string path,
                                                int64_t value, cordon_error** error);
/* number fields, exactly, as a decimal ("5.92"). */
CORDON_API cordon_status cordon_request_set_decimal(cordon_request* request, cordon_string path,
                                                    cordon_string value, cordon_error** error);
CORDON_API cordon_status cordon_request_set_bool(cordon_request* request, cordon_string path,
                                                 int value, cordon_error** error);
/* An optional field (or record) set to none, like JSON null. */
CORDON_API cordon_status cordon_request_set_null(cordon_request* request, cordon_string path,
                                                 cordon_error** error);
/* Any field (a record or a set included) as a JSON value. (A whole request as JSON is decided
 * with cordon_decide_json.) Setting a field replaces what was set at, inside or around it: a
 * field set inside a record given whole with set_json or set_null replaces that record. */
CORDON_API cordon_status cordon_request_set_json(cordon_request* request, cordon_string path,
                                                 cordon_string json, cordon_error** error);

/* ---- Deciding -------------------------------------------------------------------------- */

/* A decision belongs to the engine of its last decide call and must not be read after that
 * engine is freed. */
typedef struct cordon_decision cordon_decision;

CORDON_API cordon_status cordon_decision_new(cordon_decision** decision, cordon_error** error);
CORDON_API void cordon_decision_free(cordon_decision* decision);

/* Flags for the cordon_decide functions. */
#define CORDON_DECIDE_EXPLAIN 1u /* record, per rule, whether it held and the values compared */

/* Decides `request` with the session's engine into `decision` (its previous contents are
 * replaced). The day is the request's `as_of`. A malformed request (a missing field, an
 * unknown country, ...) returns CORDON_ERROR_MALFORMED_REQUEST and the decision is "error",
 * its errors saying why. A decision of "error" for a rule that could not be evaluated returns
 * CORDON_OK: read the decision. */
CORDON_API cordon_status cordon_decide(cordon_session* session, const cordon_request* request,
                                       uint32_t flags, cordon_decision* decision,
                                       cordon_error** error);
/* The same for a request as one JSON object (the format of `cordon decide`). */
CORDON_API cordon_status cordon_decide_json(cordon_session* session, cordon_string json,
                                            uint32_t flags, cordon_decision* decision,
                                            cordon_error** error);
/* The same for the request struct of the header generated from this policy; `size` must be
 * its sizeof (CORDON_ERROR_SCHEMA_MISMATCH otherwise). Every engine: the interpreter reads the
 * struct as decoded fields, after the same checks. The day is the struct's `as_of` field. A field
 * no request could hold (a country index that is not an ISO 3166-1 code, an enum value out of
 * range, a denominator not positive, or not 1 for an `int` field, a NULL text with a size, a bool
 * or presence byte other than 0 or 1, a date outside the years 1 to 9999) gives
 * CORDON_ERROR_MALFORMED_REQUEST, naming the field. The fields of an absent optional (its has_
 * byte 0), and every field of an absent optional record, are not read, so a zeroed struct is a
 * valid start. The compiled evaluator itself refuses such a struct before it decides. Texts need
 * stay valid during the call only. The fastest path: no decoding, and no allocation once the
 * decision has grown. Explain is not available here. */
CORDON_API cordon_status cordon_decide_struct(cordon_session* session, const void* request,
                                              size_t size, cordon_decision* decision,
                                              cordon_error** error);

/* ---- Batches --------------------------------------------------------------------------- */

/* Many requests decided in one call, by the calling thread or by up to `threads` threads (0 and
 * 1 both mean the calling thread alone; a thread is started only for some thousands of
 * requests). Each thread decides one contiguous run of the requests, so decision `i` is request
 * `i`'s whatever the thread count. A malformed request is an `error` decision in its place,
 * saying why; the others are decided as usual. A batch belongs to one engine and is reused from
 * call to call (it keeps its memory); one call at a time. */
typedef struct cordon_batch cordon_batch;

CORDON_API cordon_status cordon_batch_new(cordon_engine* engine, cordon_batch** batch,
                                          cordon_error** error);
CORDON_API void cordon_batch_free(cordon_batch* batch);

/* Decides `count` request structs of the generated header, back to back (`size` is their
 * sizeof: CORDON_ERROR_SCHEMA_MISMATCH otherwise). Every engine. Fields are checked
 * as by cordon_decide_struct. While one request is decided, the names of the next are read and
 * their table lookups started, so that memory is fetched while the evaluator works. The
 * requests' texts need stay valid during the call only. */
CORDON_API cordon_status cordon_decide_batch(cordon_batch* batch, const void* requests,
                                             size_t count, size_t size, uint32_t threads,
                                             cordon_error** error);
/* Decides JSON Lines: one request object a line, each line ended by '\n' (a '\r' before it is
 * ignored; the last line's newline is optional). A blank line is an `error` decision in its
 * place. Every engine. The decisions are also written as JSON Lines (cordon_batch_jsonl). */
CORDON_API cordon_status cordon_decide_batch_jsonl(cordon_batch* batch, cordon_string jsonl,
                                                   uint32_t threads, cordon_error** error);
/* How many decisions the last call made. */
CORDON_API size_t cordon_batch_size(const cordon_batch* batch);
/* Decision `index`'s outcome id (CORDON_OUTCOME_ERROR for an error): the cheap read. */
CORDON_API uint32_t cordon_batch_outcome_id(const cordon_batch* batch, size_t index);
/* Copies decision `index` into `decision`, to be read with the functions below; returns what
 * deciding it alone would have returned (CORDON_ERROR_MALFORMED_REQUEST for a malformed
 * request, the decision then saying why). */
CORDON_API cordon_status cordon_batch_decision(const cordon_batch* batch, size_t index,
                                               cordon_decision* decision, cordon_error** error);
/* The last cordon_decide_batch_jsonl's decisions as `cordon decide` prints them: one JSON object
 * a line, in the requests' order, each line ended by '\n'. Valid until the batch's next call. */
CORDON_API cordon_string cordon_batch_jsonl(cordon_batch* batch);

/* ---- Reading a decision ---------------------------------------------------------------- */

/* Outcome ids are the *_OUTCOME_* constants of the generated header: 0 is the highest. */
#define CORDON_OUTCOME_ERROR UINT32_MAX

/* "prohibited", "license_required", ..., or "error". */
CORDON_API cordon_string cordon_decision_outcome(const cordon_decision* decision);
CORDON_API uint32_t cordon_decision_outcome_id(const cordon_decision* decision);
CORDON_API int cordon_decision_is_error(const cordon_decision* decision);

/* A rule that fired, in source order. */
typedef struct cordon_reason {
  uint32_t rule_id;      /* the *_RULE_* constant of the generated header */
  cordon_string rule;    /* "entity_list_party" */
  cordon_string outcome; /* the rule's outcome, or that of the `unless` that replaced it */
  cordon_string cites;   /* "15 CFR 744.11; Supplement No. 4 to part 744", may be empty */
  cordon_string message; /* the rule's message for people */
} cordon_reason;

CORDON_API size_t cordon_decision_reason_count(const cordon_decision* decision);
/* Fills `reason` with reason `index` (< reason_count). */
CORDON_API cordon_status cordon_decision_reason(const cordon_decision* decision, size_t index,
                                                cordon_reason* reason);
/* Why the decision is "error": each problem of a malformed request (at its JSON path), or
 * each rule that could not be evaluated. */
CORDON_API size_t cordon_decision_error_count(const cordon_decision* decision);
CORDON_API cordon_string cordon_decision_error(const cordon_decision* decision, size_t index);
/* What a reader of a decision that stands must know: for a request dated after the policy's
 * review date (within its grace period), that the law after that date is not encoded and the
 * request was decided as of the review date. The JSON has them as "warnings" (only when there
 * are some). A request dated past the grace period is decided "error" (CORDON_OK: read the
 * decision), with the rules that fired on the review date still in its reasons. */
CORDON_API size_t cordon_decision_warning_count(const cordon_decision* decision);
CORDON_API cordon_string cordon_decision_warning(const cordon_decision* decision, size_t index);
/* The decision as one JSON object, as `cordon decide` prints it (strings returned earlier for
 * this decision stay valid); with CORDON_DECIDE_EXPLAIN,
 * also "as_of" and "explain": per rule, whether it was in force, whether it held, and the
 * values compared (including, for names, the closest listed name). */
CORDON_API cordon_string cordon_decision_json(cordon_decision* decision);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CORDON_CORDON_H_ */
