// C shims for libpng's regular (sequential) read API.
//
// Why not libpng's simplified API: it converts to sRGB whenever a file carries gAMA (or sRGB,
// iCCP, cHRM), so the samples a QC rule sees would depend on a metadata chunk rather than on what
// the scanner wrote. The regular API returns the stored samples, but reports errors by longjmp;
// as for libjpeg, each function below owns its setjmp and every libpng call of one operation,
// returns a status code (SONO_* from CCodecShims.h) and copies libpng's message into a
// caller-supplied buffer. Nothing is ever printed.
#ifndef SONO_PNG_SHIM_H
#define SONO_PNG_SHIM_H

#include <stddef.h>

typedef struct sono_png_info {
    int width;
    int height;
    int bit_depth;          // bits per sample as stored (1, 2, 4, 8, 16)
    int colour_type;        // as stored (0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA)
    int interlaced;         // 1 for Adam7
    int channels;           // per decoded pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
    int bytes_per_sample;   // per decoded sample: 1, or 2 (big-endian) for 16-bit files
    int warnings;           // libpng warnings (and benign errors) seen so far
} sono_png_info;

// Reads the chunks before the image data and reports the decoded layout, without inflating
// anything, so the caller can allocate exactly `width * height * channels * bytes_per_sample`.
int sono_png_read_header(const unsigned char *data, size_t size, sono_png_info *info,
                         char *message, size_t message_size);

// Decodes the stored samples into `out` (rows of width * channels * bytes_per_sample bytes, no
// padding): palette expanded to RGB, grey below 8 bits scaled to 8 (v * 255 / max), tRNS turned
// into an alpha channel, 16-bit kept, Adam7 de-interlaced. No gamma or colour-space conversion.
// Fails with SONO_TOO_LARGE when width*height exceeds max_pixels and SONO_SIZE_MISMATCH when the
// layout differs from out_size.
int sono_png_decode(const unsigned char *data, size_t size, unsigned char *out, size_t out_size,
                    size_t max_pixels, sono_png_info *info, char *message, size_t message_size);

#endif
