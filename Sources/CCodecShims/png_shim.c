#include "png_shim.h"
#include "CCodecShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct sono_png_context {
    const unsigned char *data;
    size_t size;
    size_t offset;
    char *message;
    size_t message_size;
    int warnings;
} sono_png_context;

static void sono_png_set_message(sono_png_context *context, const char *text) {
    if (context->message == NULL || context->message_size == 0) return;
    snprintf(context->message, context->message_size, "%s", text);
}

static void sono_png_error(png_structp png, png_const_charp text) {
    sono_png_set_message((sono_png_context *)png_get_error_ptr(png), text);
    png_longjmp(png, 1);
}

// Warnings (and benign errors, which libpng 1.6 downgrades to warnings when reading) are counted
// and the first one kept; the caller decides whether they are fatal.
static void sono_png_warning(png_structp png, png_const_charp text) {
    sono_png_context *context = (sono_png_context *)png_get_error_ptr(png);
    if (context->warnings == 0) sono_png_set_message(context, text);
    context->warnings += 1;
}

static void sono_png_read(png_structp png, png_bytep out, size_t length) {
    sono_png_context *context = (sono_png_context *)png_get_io_ptr(png);
    if (length > context->size - context->offset) png_error(png, "file ends inside a chunk");
    memcpy(out, context->data + context->offset, length);
    context->offset += length;
}

// The colour-management chunks are never applied to samples, so libpng is told to skip them: a
// malformed gAMA or an ICC profile libpng dislikes cannot fail a decode whose pixels ignore it.
// (Their CRCs are still verified by the Swift chunk walk.)
static const png_byte sono_ignored_chunks[] = "gAMA\0cHRM\0sRGB\0iCCP\0";

// Reads up to the image data and sets the transforms that expand every layout to 8 or 16 bits
// per sample without changing any stored value.
static void sono_png_prepare(png_structp png, png_infop info, sono_png_info *out) {
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, sono_ignored_chunks, 4);
    png_read_info(png, info);
    int colour_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    out->width = (int)png_get_image_width(png, info);
    out->height = (int)png_get_image_height(png, info);
    out->bit_depth = bit_depth;
    out->colour_type = colour_type;
    out->interlaced = png_get_interlace_type(png, info) == PNG_INTERLACE_ADAM7 ? 1 : 0;
    if (colour_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (colour_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    out->channels = png_get_channels(png, info);
    out->bytes_per_sample = png_get_bit_depth(png, info) == 16 ? 2 : 1;
}

// One libpng read of `data`: the chunks before the image data and, when `out` is not NULL, the
// image into `out` and the chunks after it. Both entry points share it, so the setup, the
// setjmp and the clean-up exist once.
static int sono_png_run(const unsigned char *data, size_t size, unsigned char *out, size_t out_size,
                        size_t max_pixels, sono_png_info *info, char *message, size_t message_size) {
    sono_png_context context = {data, size, 0, message, message_size, 0};
    memset(info, 0, sizeof(*info));
    if (message != NULL && message_size > 0) message[0] = '\0';
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &context, sono_png_error, sono_png_warning);
    if (png == NULL) {
        sono_png_set_message(&context, "out of memory");
        return SONO_ERROR;
    }
    png_infop png_info = png_create_info_struct(png);
    if (png_info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        sono_png_set_message(&context, "out of memory");
        return SONO_ERROR;
    }
    // Allocated after setjmp, so volatile: the error path must see the pointer longjmp left.
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        info->warnings = context.warnings;
        free(rows);
        png_destroy_read_struct(&png, &png_info, NULL);
        return SONO_ERROR;
    }
    png_set_read_fn(png, &context, sono_png_read);
    sono_png_prepare(png, png_info, info);
    int status = SONO_OK;
    if (out != NULL) {
        size_t width = (size_t)info->width, height = (size_t)info->height;
        size_t row_bytes = width * (size_t)info->channels * (size_t)info->bytes_per_sample;
        if (width * height > max_pixels) {
            status = SONO_TOO_LARGE;
        } else if (png_get_rowbytes(png, png_info) != row_bytes || row_bytes * height != out_size) {
            status = SONO_SIZE_MISMATCH;
        } else {
            rows = malloc(height * sizeof(png_bytep));
            if (rows == NULL) png_error(png, "out of memory");
            for (size_t y = 0; y < height; y++) rows[y] = out + y * row_bytes;
            png_read_image(png, rows);
            // Reads the chunks after the image data: libpng checks there that the zlib stream
            // ended (Adler-32 included) and that no image data is left over.
            png_read_end(png, NULL);
            free(rows);
        }
    }
    info->warnings = context.warnings;
    png_destroy_read_struct(&png, &png_info, NULL);
    return status;
}

int sono_png_read_header(const unsigned char *data, size_t size, sono_png_info *info,
                         char *message, size_t message_size) {
    return sono_png_run(data, size, NULL, 0, 0, info, message, message_size);
}

int sono_png_decode(const unsigned char *data, size_t size, unsigned char *out, size_t out_size,
                    size_t max_pixels, sono_png_info *info, char *message, size_t message_size) {
    // A NULL `out` would make this a header read that reports success without decoding.
    if (out == NULL) return SONO_SIZE_MISMATCH;
    return sono_png_run(data, size, out, out_size, max_pixels, info, message, message_size);
}
