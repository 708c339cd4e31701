/* SPDX-License-Identifier: Apache-2.0 */
/* Lists the dynamic symbols libcordon.so defines and fails on any that is not part of the C
 * API (cordon.h): LLVM, ANTLR, the compiler and the C++ runtime must all stay hidden.
 *   symbols_test LIBCORDON_SO */
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cordon/cordon.h>

/* Every function cordon.h declares. Taking their addresses also proves they link. */
static const struct {
  const char* name;
  const void* address;
} kApi[] = {
#define API(f) {#f, (const void*)&f}
    API(cordon_str),
    API(cordon_status_name),
    API(cordon_version),
    API(cordon_error_status),
    API(cordon_error_message),
    API(cordon_error_free),
    API(cordon_config_init),
    API(cordon_engine_open),
    API(cordon_engine_free),
    API(cordon_engine_kind_of),
    API(cordon_engine_schema_hash),
    API(cordon_engine_policy_hash),
    API(cordon_engine_request_size),
    API(cordon_engine_swap_table),
    API(cordon_engine_swap_table_file),
    API(cordon_engine_table_count),
    API(cordon_engine_table_info),
    API(cordon_session_open),
    API(cordon_session_free),
    API(cordon_request_new),
    API(cordon_request_free),
    API(cordon_request_clear),
    API(cordon_request_set_text),
    API(cordon_request_set_int),
    API(cordon_request_set_decimal),
    API(cordon_request_set_bool),
    API(cordon_request_set_null),
    API(cordon_request_set_json),
    API(cordon_decision_new),
    API(cordon_decision_free),
    API(cordon_decide),
    API(cordon_decide_json),
    API(cordon_decide_struct),
    API(cordon_batch_new),
    API(cordon_batch_free),
    API(cordon_decide_batch),
    API(cordon_decide_batch_jsonl),
    API(cordon_batch_size),
    API(cordon_batch_outcome_id),
    API(cordon_batch_decision),
    API(cordon_batch_jsonl),
    API(cordon_decision_outcome),
    API(cordon_decision_outcome_id),
    API(cordon_decision_is_error),
    API(cordon_decision_reason_count),
    API(cordon_decision_reason),
    API(cordon_decision_error_count),
    API(cordon_decision_error),
    API(cordon_decision_warning_count),
    API(cordon_decision_warning),
    API(cordon_decision_json),
#undef API
};
enum { kApiCount = sizeof kApi / sizeof kApi[0] };

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: symbols_test LIBCORDON_SO\n");
    return 2;
  }
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) {
    fprintf(stderr, "%s: cannot read it\n", argv[1]);
    return 2;
  }
  const unsigned char* file = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (file == MAP_FAILED) return 2;
  const Elf64_Ehdr* eh = (const Elf64_Ehdr*)file;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) {
    fprintf(stderr, "%s: not a 64-bit ELF file\n", argv[1]);
    return 2;
  }
  const Elf64_Shdr* sections = (const Elf64_Shdr*)(file + eh->e_shoff);
  int found[kApiCount] = {0};
  int defined = 0, bad = 0;
  for (int s = 0; s < eh->e_shnum; ++s) {
    if (sections[s].sh_type != SHT_DYNSYM) continue;
    const Elf64_Sym* syms = (const Elf64_Sym*)(file + sections[s].sh_offset);
    const char* names = (const char*)(file + sections[sections[s].sh_link].sh_offset);
    size_t count = sections[s].sh_size / sizeof(Elf64_Sym);
    for (size_t i = 1; i < count; ++i) {
      if (syms[i].st_shndx == SHN_UNDEF) continue; /* imported, not exported */
      int bind = ELF64_ST_BIND(syms[i].st_info);
      if (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE) continue;
      const char* name = names + syms[i].st_name;
      if (ELF64_ST_TYPE(syms[i].st_info) == STT_OBJECT && strcmp(name, "CORDON_1") == 0) continue;
      if (syms[i].st_value == 0 && ELF64_ST_TYPE(syms[i].st_info) == STT_OBJECT) continue;
      ++defined;
      int known = 0;
      for (int k = 0; k < kApiCount; ++k) {
        if (strcmp(name, kApi[k].name) == 0) found[k] = known = 1;
      }
      if (!known) {
        printf("exported but not in cordon.h: %s\n", name);
        ++bad;
      }
    }
  }
  for (int k = 0; k < kApiCount; ++k) {
    if (!found[k]) {
      printf("declared in cordon.h but not exported: %s\n", kApi[k].name);
      ++bad;
    }
  }
  printf("%s: %d exported symbols, %d in the C API, %d unexpected or missing\n", argv[1], defined,
         kApiCount, bad);
  return bad == 0 ? 0 : 1;
}
