/* Kfunc sets as the kernel's include/linux/btf_ids.h lays them out in .BTF_ids. */
#define BTF_SET8_KFUNCS (1 << 0)
#define KF_ACQUIRE (1 << 0)
#define KF_FASTCALL (1 << 12)
#define KF_ARENA_RET (1 << 13)
#define KF_ARENA_ARG1 (1 << 14)
#define KF_ARENA_ARG2 (1 << 15)
#define __str(x) #x
#define __stringify(x) __str(x)
#define ___PASTE(a, b) a##b
#define __PASTE(a, b) ___PASTE(a, b)
#define ____BTF_ID(symbol, word)                                         \
  asm(".pushsection .BTF_ids,\"a\";\n"                                   \
      ".local " #symbol " ;\n"                                           \
      ".type  " #symbol ", STT_OBJECT;\n"                                \
      ".size  " #symbol ", 4;\n"                                         \
      #symbol ":\n"                                                      \
      ".zero 4\n" word ".popsection;\n");
#define __BTF_ID(symbol, word) ____BTF_ID(symbol, word)
#define __ID(prefix) __PASTE(__PASTE(prefix, __COUNTER__), __LINE__)
#define BTF_ID(prefix, name) __BTF_ID(__ID(__BTF_ID__##prefix##__##name##__), "")
#define ____BTF_ID_FLAGS(prefix, name, flags) \
  __BTF_ID(__ID(__BTF_ID__##prefix##__##name##__), ".long " #flags "\n")
#define __BTF_ID_FLAGS(prefix, name, flags, ...) ____BTF_ID_FLAGS(prefix, name, flags)
#define BTF_ID_FLAGS(prefix, name, ...) __BTF_ID_FLAGS(prefix, name, ##__VA_ARGS__, 0)
#define BTF_ID_LIST(name)                                   \
  asm(".pushsection .BTF_ids,\"a\";\n"                      \
      ".local " #name ";\n" #name ":;\n"                    \
      ".popsection;\n");
#define __BTF_SET8_START(name, scope, flags)                \
  BTF_ID_LIST(name)                                         \
  asm(".pushsection .BTF_ids,\"a\";\n"                      \
      "." #scope " __BTF_ID__set8__" #name ";\n"            \
      "__BTF_ID__set8__" #name ":;\n"                       \
      ".zero 4\n"                                           \
      ".long " __stringify(flags) "\n"                      \
      ".popsection;\n");
#define BTF_SET8_START(name, flags) __BTF_SET8_START(name, local, flags)
#define BTF_SET8_END(name)                                  \
  asm(".pushsection .BTF_ids,\"a\";\n"                      \
      ".size __BTF_ID__set8__" #name ", .-" #name "\n"      \
      ".popsection;\n");

struct task { int pid; long state; };

__attribute__((noinline)) struct task *kf_acquire(int pid) { static struct task t; t.pid = pid; return &t; }
__attribute__((noinline)) int kf_fast(struct task *t, long v) { return t->pid + (int)v; }
__attribute__((noinline)) long kf_notset(struct task *t) { return t->state; }
__attribute__((noinline)) int kf_listed(int x) { return x * 7; }
__attribute__((noinline)) int not_a_kfunc(int x) { return x + 3; }
/* Arena kfuncs: the flagged return value and first two parameters point into a BPF arena. */
__attribute__((noinline)) void *kf_arena_alloc(void *arena, struct task *t, int pages) { return pages ? arena : t; }
__attribute__((noinline)) long kf_arena_free(void *arena, void *ptr, long n) { return (long)arena + (long)ptr + n; }

BTF_SET8_START(test_kfunc_ids, BTF_SET8_KFUNCS)
BTF_ID_FLAGS(func, kf_acquire, KF_ACQUIRE)
BTF_ID_FLAGS(func, kf_fast, KF_FASTCALL)
BTF_ID_FLAGS(func, kf_arena_alloc, KF_ARENA_RET | KF_ARENA_ARG2)
BTF_ID_FLAGS(func, kf_arena_free, KF_ARENA_ARG1 | KF_ARENA_ARG2)
BTF_SET8_END(test_kfunc_ids)

/* A set8 without BTF_SET8_KFUNCS (Linux 6.1's sets): its members are not tagged. */
BTF_SET8_START(plain_set, 0)
BTF_ID_FLAGS(func, kf_notset)
BTF_SET8_END(plain_set)

/* A plain BTF_ID list: not a set at all. */
BTF_ID_LIST(some_ids)
BTF_ID(func, kf_listed)

int main(int argc, char **argv) {
  struct task *t = kf_acquire(argc);
  return kf_fast(t, 2) + (int)kf_notset(t) + kf_listed(argc) + not_a_kfunc(argc) +
         (int)kf_arena_free(kf_arena_alloc(argv, t, argc), argv, argc);
}
