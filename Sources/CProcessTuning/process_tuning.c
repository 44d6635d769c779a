#include "CProcessTuning.h"

// <limits.h> includes <features.h> on glibc, which is what defines __GLIBC__.
#include <limits.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void sono_keep_large_blocks_in_heap(void) {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}
