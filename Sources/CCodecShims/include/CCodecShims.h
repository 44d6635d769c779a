// C shims for libjpeg.
//
// Why this target exists: libjpeg reports fatal errors through `error_exit`, whose default calls
// exit(), and the only way to return from it is longjmp. Swift cannot call setjmp, and a longjmp
// must never cross Swift frames. So each function below owns its setjmp, its error manager and
// every libjpeg call of one operation, returns a status code, and copies libjpeg's message into a
// caller-supplied buffer. Nothing is ever printed.
#ifndef SONO_CCODECSHIMS_H
#define SONO_CCODECSHIMS_H

#include <stddef.h>

#define SONO_OK 0
#define SONO_ERROR 1
#define SONO_TOO_LARGE 2
#define SONO_SIZE_MISMATCH 3
#define SONO_TOO_MANY_SCANS 4

typedef struct sono_jpeg_info {
    int width;
    int height;
    int components;         // components stored in the file (1 grey, 3 YCbCr/RGB, 4 CMYK)
    int jpeg_color_space;   // libjpeg's J_COLOR_SPACE of the file
    int progressive;        // 1 when the file is progressive
    int density_unit;       // JFIF: 0 none (aspect only), 1 dots/inch, 2 dots/cm
    int x_density;
    int y_density;
    int warnings;           // libjpeg warnings (e.g. premature end of data) seen so far
    int restart_interval;   // in MCUs; 0 when the file has no restart markers
} sono_jpeg_info;

// Reads only the header (cheap: lets the caller refuse a decompression bomb before allocating).
int sono_jpeg_read_header(const unsigned char *data, size_t size, sono_jpeg_info *info,
                          char *message, size_t message_size);

// Decodes to 8-bit grey straight into `out` (rows of `width` bytes). Colour files are converted
// by libjpeg itself (YCbCr → Y), so there is no separate conversion pass. Fails with
// SONO_TOO_LARGE when width*height exceeds max_pixels or libjpeg would need more than max_memory
// bytes of working memory (a progressive file keeps every coefficient), with SONO_TOO_MANY_SCANS
// when a progressive file has more than max_scans scans (a progress monitor stops it, as djpeg
// -maxscans does: each scan re-walks the whole image, so thousands of tiny scans in a 58 KB file
// took 30 s), and with SONO_SIZE_MISMATCH when the header disagrees with expected_width/height.
int sono_jpeg_decode_gray(const unsigned char *data, size_t size, unsigned char *out,
                          int expected_width, int expected_height, size_t max_pixels,
                          size_t max_memory, int max_scans,
                          sono_jpeg_info *info, char *message, size_t message_size);

// Encodes 8-bit grey (components 1) or RGB (components 3). `*out` is malloc'ed: release it with
// sono_free. density_dots_per_cm <= 0 writes no physical density.
int sono_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                     int quality, int progressive, double density_dots_per_cm,
                     unsigned char **out, unsigned long *out_size,
                     char *message, size_t message_size);

void sono_free(void *pointer);

// libjpeg-turbo's version as MMMmmmppp (2.1.5 → 2001005); 0 for a libjpeg that is not turbo.
int sono_jpeg_library_version(void);

// libpng's regular read API, behind the same kind of shim.
#include "png_shim.h"

#endif
