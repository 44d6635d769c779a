#include "CCodecShims.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

_Static_assert(JPEG_LIB_VERSION >= 62, "needs the libjpeg 6.2 API (jpeg_mem_src)");

typedef struct sono_error_manager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char *message;
    size_t message_size;
    int warnings;
} sono_error_manager;

static void sono_copy_message(j_common_ptr cinfo) {
    sono_error_manager *manager = (sono_error_manager *)cinfo->err;
    if (manager->message == NULL || manager->message_size == 0) return;
    char buffer[JMSG_LENGTH_MAX];
    manager->base.format_message(cinfo, buffer);
    snprintf(manager->message, manager->message_size, "%s", buffer);
}

static void sono_error_exit(j_common_ptr cinfo) {
    sono_error_manager *manager = (sono_error_manager *)cinfo->err;
    sono_copy_message(cinfo);
    longjmp(manager->escape, 1);
}

// Warnings (level < 0) are counted and the first one kept: a truncated file is only a warning to
// libjpeg, which pads the missing rows with grey. The caller decides whether that is fatal.
static void sono_emit_message(j_common_ptr cinfo, int level) {
    sono_error_manager *manager = (sono_error_manager *)cinfo->err;
    if (level < 0) {
        if (manager->warnings == 0) sono_copy_message(cinfo);
        manager->warnings += 1;
        cinfo->err->num_warnings += 1;
    }
}

static void sono_output_message(j_common_ptr cinfo) { (void)cinfo; }

// Progress monitor that stops a progressive decode after max_scans scans. It runs inside
// libjpeg's call stack, so leaving it by longjmp through the same escape as errors is safe.
typedef struct sono_progress {
    struct jpeg_progress_mgr base;
    int max_scans;
    int too_many_scans;
} sono_progress;

static void sono_progress_monitor(j_common_ptr cinfo) {
    sono_progress *progress = (sono_progress *)cinfo->progress;
    j_decompress_ptr dinfo = (j_decompress_ptr)cinfo;
    if (dinfo->input_scan_number > progress->max_scans) {
        sono_error_manager *manager = (sono_error_manager *)cinfo->err;
        progress->too_many_scans = 1;
        if (manager->message != NULL && manager->message_size > 0) {
            snprintf(manager->message, manager->message_size,
                     "progressive JPEG has more than %d scans (limit)", progress->max_scans);
        }
        longjmp(manager->escape, 1);
    }
}

static void sono_install(sono_error_manager *manager, char *message, size_t message_size) {
    jpeg_std_error(&manager->base);
    manager->base.error_exit = sono_error_exit;
    manager->base.emit_message = sono_emit_message;
    manager->base.output_message = sono_output_message;
    manager->message = message;
    manager->message_size = message_size;
    manager->warnings = 0;
    if (message != NULL && message_size > 0) message[0] = '\0';
}

static void sono_fill_info(struct jpeg_decompress_struct *cinfo, sono_error_manager *manager,
                           sono_jpeg_info *info) {
    info->width = (int)cinfo->image_width;
    info->height = (int)cinfo->image_height;
    info->components = cinfo->num_components;
    info->jpeg_color_space = (int)cinfo->jpeg_color_space;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
    info->density_unit = cinfo->saw_JFIF_marker ? cinfo->density_unit : 0;
    info->x_density = cinfo->X_density;
    info->y_density = cinfo->Y_density;
    info->warnings = manager->warnings;
    info->restart_interval = (int)cinfo->restart_interval;
}

int sono_jpeg_read_header(const unsigned char *data, size_t size, sono_jpeg_info *info,
                          char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    sono_error_manager manager;
    memset(info, 0, sizeof(*info));
    cinfo.err = NULL;
    sono_install(&manager, message, message_size);
    cinfo.err = &manager.base;
    if (setjmp(manager.escape)) {
        jpeg_destroy_decompress(&cinfo);
        return SONO_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    sono_fill_info(&cinfo, &manager, info);
    jpeg_destroy_decompress(&cinfo);
    return SONO_OK;
}

int sono_jpeg_decode_gray(const unsigned char *data, size_t size, unsigned char *out,
                          int expected_width, int expected_height, size_t max_pixels,
                          size_t max_memory, int max_scans,
                          sono_jpeg_info *info, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    sono_error_manager manager;
    sono_progress progress;
    memset(info, 0, sizeof(*info));
    memset(&progress, 0, sizeof(progress));
    progress.base.progress_monitor = sono_progress_monitor;
    progress.max_scans = max_scans;
    sono_install(&manager, message, message_size);
    cinfo.err = &manager.base;
    if (setjmp(manager.escape)) {
        info->warnings = manager.warnings;
        jpeg_destroy_decompress(&cinfo);
        return progress.too_many_scans ? SONO_TOO_MANY_SCANS : SONO_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress.base;
    // libjpeg-turbo's memory manager (jmemnobs) fails with "Insufficient memory" instead of using a
    // backing store once this is exceeded.
    cinfo.mem->max_memory_to_use = (long)(max_memory > (size_t)0x7FFFFFFF ? 0x7FFFFFFF : max_memory);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    sono_fill_info(&cinfo, &manager, info);
    if ((size_t)cinfo.image_width * (size_t)cinfo.image_height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        return SONO_TOO_LARGE;
    }
    if ((int)cinfo.image_width != expected_width || (int)cinfo.image_height != expected_height) {
        jpeg_destroy_decompress(&cinfo);
        return SONO_SIZE_MISMATCH;
    }
    cinfo.out_color_space = JCS_GRAYSCALE;
    jpeg_start_decompress(&cinfo);
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + (size_t)cinfo.output_scanline * (size_t)expected_width;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    info->warnings = manager.warnings;
    jpeg_destroy_decompress(&cinfo);
    return SONO_OK;
}

int sono_jpeg_encode(const unsigned char *pixels, int width, int height, int components,
                     int quality, int progressive, double density_dots_per_cm,
                     unsigned char **out, unsigned long *out_size,
                     char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    sono_error_manager manager;
    *out = NULL;
    *out_size = 0;
    sono_install(&manager, message, message_size);
    cinfo.err = &manager.base;
    if (setjmp(manager.escape)) {
        jpeg_destroy_compress(&cinfo);
        free(*out);
        *out = NULL;
        *out_size = 0;
        return SONO_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = components;
    cinfo.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    if (progressive) jpeg_simple_progression(&cinfo);
    if (density_dots_per_cm > 0) {
        cinfo.write_JFIF_header = TRUE;
        cinfo.density_unit = 2;
        cinfo.X_density = (UINT16)(density_dots_per_cm + 0.5);
        cinfo.Y_density = cinfo.X_density;
    }
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)components;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * stride);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return SONO_OK;
}

void sono_free(void *pointer) { free(pointer); }

int sono_jpeg_library_version(void) {
#ifdef LIBJPEG_TURBO_VERSION_NUMBER
    return LIBJPEG_TURBO_VERSION_NUMBER;
#else
    return 0;
#endif
}
