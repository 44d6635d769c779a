// Process-wide allocator settings for the `sonoqc` executable.
//
// Why C: glibc's mallopt and its M_* constants live in <malloc.h>, which Swift's Glibc module
// does not export.
#ifndef SONO_CPROCESSTUNING_H
#define SONO_CPROCESSTUNING_H

/// Keeps blocks of up to 32 MB in the heap instead of fresh mmaps, and returns freed memory to the
/// kernel only above 128 MB. A no-op where the C library is not glibc.
void sono_keep_large_blocks_in_heap(void);

#endif
