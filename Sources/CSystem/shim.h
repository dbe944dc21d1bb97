// Linux calls that glibc declares only under _GNU_SOURCE, which Swift's Glibc
// module is built without. They are in glibc itself; nothing more is linked.

// renameat2(2), glibc 2.28 and later.
int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath,
              unsigned int flags);

// Swap the two paths atomically; both must exist (RENAME_EXCHANGE in <linux/fs.h>).
#define CSYSTEM_RENAME_EXCHANGE 2

// Asks the processor to bring the cache line holding `address` in ahead of a read:
// a hint that never faults, whatever the address.
static inline void csystem_prefetch(const void *address) {
    __builtin_prefetch(address);
}
