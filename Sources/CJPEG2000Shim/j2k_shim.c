#include "CJPEG2000Shim.h"

#include <openjpeg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sono_memory_stream {
    const unsigned char *data;
    size_t size;
    size_t offset;
} sono_memory_stream;

typedef struct sono_messages {
    char *message;
    size_t message_size;
    int has_error;
} sono_messages;

static OPJ_SIZE_T sono_read(void *buffer, OPJ_SIZE_T count, void *user) {
    sono_memory_stream *s = (sono_memory_stream *)user;
    if (s->offset >= s->size) return (OPJ_SIZE_T)-1;
    size_t n = s->size - s->offset;
    if (n > count) n = count;
    memcpy(buffer, s->data + s->offset, n);
    s->offset += n;
    return n;
}

static OPJ_OFF_T sono_skip(OPJ_OFF_T count, void *user) {
    sono_memory_stream *s = (sono_memory_stream *)user;
    if (count < 0) {
        if ((size_t)(-count) > s->offset) return -1;
        s->offset -= (size_t)(-count);
        return count;
    }
    size_t n = s->size - s->offset;
    if ((OPJ_UINT64)count < n) n = (size_t)count;
    s->offset += n;
    return (OPJ_OFF_T)n;
}

static OPJ_BOOL sono_seek(OPJ_OFF_T position, void *user) {
    sono_memory_stream *s = (sono_memory_stream *)user;
    if (position < 0 || (OPJ_UINT64)position > s->size) return OPJ_FALSE;
    s->offset = (size_t)position;
    return OPJ_TRUE;
}

// The first error is kept: later ones are usually consequences of it.
static void sono_error(const char *text, void *user) {
    sono_messages *m = (sono_messages *)user;
    if (m->has_error || m->message == NULL || m->message_size == 0) return;
    m->has_error = 1;
    snprintf(m->message, m->message_size, "%s", text);
    size_t len = strlen(m->message);
    while (len > 0 && (m->message[len - 1] == '\n' || m->message[len - 1] == ' ')) m->message[--len] = '\0';
}

static void sono_quiet(const char *text, void *user) { (void)text; (void)user; }

static void sono_set_message(sono_messages *m, const char *text) {
    if (!m->has_error) sono_error(text, m);
}

int sono_j2k_decode(const unsigned char *data, size_t size, size_t max_pixels, sono_j2k_image *image,
                    char *message, size_t message_size) {
    memset(image, 0, sizeof(*image));
    sono_messages messages = {message, message_size, 0};
    if (message != NULL && message_size > 0) message[0] = '\0';
    if (size < 12) {
        sono_set_message(&messages, "data too short for JPEG 2000");
        return SONO_J2K_ERROR;
    }
    static const unsigned char jp2_signature[12] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};
    OPJ_CODEC_FORMAT format = memcmp(data, jp2_signature, 12) == 0 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K;

    opj_codec_t *codec = opj_create_decompress(format);
    if (codec == NULL) {
        sono_set_message(&messages, "cannot create the OpenJPEG decoder");
        return SONO_J2K_ERROR;
    }
    opj_set_error_handler(codec, sono_error, &messages);
    opj_set_warning_handler(codec, sono_quiet, NULL);
    opj_set_info_handler(codec, sono_quiet, NULL);
    opj_dparameters_t parameters;
    opj_set_default_decoder_parameters(&parameters);

    sono_memory_stream memory = {data, size, 0};
    opj_stream_t *stream = opj_stream_create(1 << 16, OPJ_TRUE);
    opj_image_t *decoded = NULL;
    int status = SONO_J2K_ERROR;
    if (stream == NULL) {
        sono_set_message(&messages, "cannot create an OpenJPEG stream");
        opj_destroy_codec(codec);
        return SONO_J2K_ERROR;
    }
    opj_stream_set_user_data(stream, &memory, NULL);
    opj_stream_set_user_data_length(stream, (OPJ_UINT64)size);
    opj_stream_set_read_function(stream, sono_read);
    opj_stream_set_skip_function(stream, sono_skip);
    opj_stream_set_seek_function(stream, sono_seek);

    if (!opj_setup_decoder(codec, &parameters) || !opj_read_header(stream, codec, &decoded) || decoded == NULL) {
        sono_set_message(&messages, "cannot read the JPEG 2000 header");
        goto done;
    }
    size_t width = decoded->x1 - decoded->x0, height = decoded->y1 - decoded->y0;
    if (width == 0 || height == 0 || decoded->numcomps == 0) {
        sono_set_message(&messages, "JPEG 2000 image is empty");
        goto done;
    }
    if (width * height > max_pixels) {
        image->width = (int)width;
        image->height = (int)height;
        status = SONO_J2K_TOO_LARGE;
        goto done;
    }
    if (!opj_decode(codec, stream, decoded) || !opj_end_decompress(codec, stream)) {
        sono_set_message(&messages, "JPEG 2000 decoding failed");
        goto done;
    }
    for (OPJ_UINT32 c = 0; c < decoded->numcomps; c++) {
        opj_image_comp_t *comp = &decoded->comps[c];
        if (comp->w != width || comp->h != height || comp->dx != 1 || comp->dy != 1 || comp->data == NULL
            || comp->prec != decoded->comps[0].prec || comp->prec > 16 || comp->prec < 1) {
            sono_set_message(&messages, "subsampled, unequal or over-16-bit JPEG 2000 components");
            status = SONO_J2K_UNSUPPORTED;
            goto done;
        }
    }
    size_t plane = width * height;
    image->samples = (int32_t *)malloc(plane * decoded->numcomps * sizeof(int32_t));
    if (image->samples == NULL) {
        sono_set_message(&messages, "out of memory");
        goto done;
    }
    for (OPJ_UINT32 c = 0; c < decoded->numcomps; c++) {
        memcpy(image->samples + c * plane, decoded->comps[c].data, plane * sizeof(int32_t));
    }
    image->width = (int)width;
    image->height = (int)height;
    image->components = (int)decoded->numcomps;
    image->precision = (int)decoded->comps[0].prec;
    image->is_signed = (int)decoded->comps[0].sgnd;
    status = SONO_J2K_OK;

done:
    if (decoded != NULL) opj_image_destroy(decoded);
    opj_stream_destroy(stream);
    opj_destroy_codec(codec);
    return status;
}

void sono_j2k_free(int32_t *samples) { free(samples); }

const char *sono_j2k_library_version(void) { return opj_version(); }
