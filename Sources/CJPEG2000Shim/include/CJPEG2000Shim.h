// C shim for OpenJPEG.
//
// Why this target exists: OpenJPEG reads through a callback stream and reports errors through
// message callbacks; this shim owns the in-memory stream, the callbacks and every opj_* call of
// one decode, and hands back plain integers, a status code and OpenJPEG's message. Nothing is
// ever printed.
#ifndef SONO_CJPEG2000SHIM_H
#define SONO_CJPEG2000SHIM_H

#include <stddef.h>
#include <stdint.h>

#define SONO_J2K_OK 0
#define SONO_J2K_ERROR 1
#define SONO_J2K_TOO_LARGE 2
#define SONO_J2K_UNSUPPORTED 3

typedef struct sono_j2k_image {
    int width;
    int height;
    int components;
    int precision;      // bits per sample of component 0 (all components must agree)
    int is_signed;
    int32_t *samples;   // planar: component c, row y, column x at [c*width*height + y*width + x]; free with sono_j2k_free
} sono_j2k_image;

// Decodes a JPEG 2000 codestream (or JP2 file) held in memory. Refuses images over max_pixels
// after reading the header (SONO_J2K_TOO_LARGE, nothing decoded), and components that are
// subsampled, differ in precision or exceed 16 bits (SONO_J2K_UNSUPPORTED).
int sono_j2k_decode(const unsigned char *data, size_t size, size_t max_pixels, sono_j2k_image *image,
                    char *message, size_t message_size);

void sono_j2k_free(int32_t *samples);

// OpenJPEG's version string, for `--version` and report provenance.
const char *sono_j2k_library_version(void);

#endif
