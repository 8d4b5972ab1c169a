/*
 * JPEG decoding with libjpeg (libjpeg-turbo), its errors caught with setjmp.
 *
 * libjpeg's default error manager prints and calls exit(); ours formats the message and
 * longjmps back into the `*_run` function that owns the `setjmp`. libjpeg's warnings about
 * damaged data ("Corrupt JPEG data: ...") and the end of the data before the end of the
 * image ("Premature end of JPEG file") are errors too: libjpeg would otherwise fill the
 * rest of the image with grey and carry on. The state that must survive a `longjmp` lives
 * in a context declared by the caller, outside the function with the `setjmp`.
 */

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "codec_support.h"

/* libjpeg's error manager (first, so libjpeg's pointer to it is a pointer to the context)
 * plus what the handlers need. */
typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    fcdd_image_status status;
    char *message;
    size_t message_capacity;
    /* One decoded row, owned by the codec. */
    uint8_t *row;
} jpeg_context;

/* Records libjpeg's current message with `status` and jumps back to the `*_run` function. */
__attribute__((noreturn)) static void jpeg_fail(j_common_ptr cinfo, fcdd_image_status status) {
    jpeg_context *context = (jpeg_context *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    context->status = status;
    fcdd_set_message(context->message, context->message_capacity, "%s", text);
    longjmp(context->jump, 1);
}

/* libjpeg's fatal errors. Processes and precisions libjpeg does not implement (lossless or
 * 12-bit JPEG) are unsupported variants, everything else damaged data. */
__attribute__((noreturn)) static void jpeg_on_error(j_common_ptr cinfo) {
    int code = cinfo->err->msg_code;
    int unsupported = code == JERR_BAD_PRECISION || code == JERR_SOF_UNSUPPORTED || code == JERR_CONVERSION_NOTIMPL;
    jpeg_fail(cinfo, unsupported ? FCDD_IMAGE_UNSUPPORTED : FCDD_IMAGE_CORRUPT);
}

/* libjpeg's warnings (level -1) and trace messages (level >= 0). Trace messages and the
 * warnings about metadata that do not touch the pixels are dropped; the others mean the
 * image data is damaged or incomplete. */
static void jpeg_on_message(j_common_ptr cinfo, int level) {
    if (level >= 0) return;
    int code = cinfo->err->msg_code;
    if (code == JWRN_JFIF_MAJOR || code == JWRN_ADOBE_XFORM || code == JWRN_BOGUS_ICC) return;
    jpeg_fail(cinfo, code == JWRN_JPEG_EOF ? FCDD_IMAGE_TRUNCATED : FCDD_IMAGE_CORRUPT);
}

/* Nothing is printed. */
static void jpeg_on_output(j_common_ptr cinfo) { (void)cinfo; }

/* Reads the header and chooses the output colour space: grey stays grey, YCbCr and RGB
 * become RGB. */
static void jpeg_read_header_info(j_decompress_ptr cinfo, const uint8_t *data, size_t size, fcdd_image_info *info) {
    jpeg_create_decompress(cinfo);
    jpeg_mem_src(cinfo, data, (unsigned long)size);
    jpeg_read_header(cinfo, TRUE);
    jpeg_context *context = (jpeg_context *)cinfo->err;
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = JCS_RGB;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        context->status = FCDD_IMAGE_UNSUPPORTED;
        fcdd_set_message(context->message, context->message_capacity,
                         "CMYK JPEG (%d components); only grey and RGB (YCbCr) JPEGs are decoded",
                         cinfo->num_components);
        longjmp(context->jump, 1);
    default:
        context->status = FCDD_IMAGE_UNSUPPORTED;
        fcdd_set_message(context->message, context->message_capacity,
                         "JPEG with %d components in an unknown colour space; only grey and RGB (YCbCr) JPEGs are decoded",
                         cinfo->num_components);
        longjmp(context->jump, 1);
    }
    jpeg_calc_output_dimensions(cinfo);
    info->width = cinfo->output_width;
    info->height = cinfo->output_height;
    info->channels = (uint32_t)cinfo->out_color_components;
    info->bit_depth = 8;
}

static fcdd_image_status jpeg_read_info_run(j_decompress_ptr cinfo, const uint8_t *data, size_t size,
                                            fcdd_image_info *info) {
    jpeg_context *context = (jpeg_context *)cinfo->err;
    if (setjmp(context->jump)) return context->status;
    jpeg_read_header_info(cinfo, data, size, info);
    return FCDD_IMAGE_OK;
}

static fcdd_image_status jpeg_decode_run(j_decompress_ptr cinfo, const uint8_t *data, size_t size,
                                         float *pixels, size_t pixel_count) {
    jpeg_context *context = (jpeg_context *)cinfo->err;
    if (setjmp(context->jump)) return context->status;
    fcdd_image_info info;
    jpeg_read_header_info(cinfo, data, size, &info);
    size_t row_samples = (size_t)info.width * info.channels;
    if (row_samples * info.height != pixel_count) {
        context->status = FCDD_IMAGE_CORRUPT;
        fcdd_set_message(context->message, context->message_capacity, "the JPEG header differs from the one read before");
        return context->status;
    }
    float table[256];
    fcdd_fill_byte_table(table);
    jpeg_start_decompress(cinfo);
    context->row = malloc(row_samples);
    if (context->row == NULL) {
        context->status = FCDD_IMAGE_NO_MEMORY;
        fcdd_set_message(context->message, context->message_capacity, "no memory for a JPEG row");
        return context->status;
    }
    JSAMPROW rows[1] = {context->row};
    while (cinfo->output_scanline < cinfo->output_height) {
        float *out = pixels + (size_t)cinfo->output_scanline * row_samples;
        if (jpeg_read_scanlines(cinfo, rows, 1) != 1) {
            context->status = FCDD_IMAGE_TRUNCATED;
            fcdd_set_message(context->message, context->message_capacity, "the JPEG data ends before its last row");
            return context->status;
        }
        fcdd_convert_bytes(context->row, out, row_samples, table);
    }
    /* Reads the rest of the data up to the end-of-image marker. */
    jpeg_finish_decompress(cinfo);
    return FCDD_IMAGE_OK;
}

/* Sets up the error manager around a fresh decompressor, runs the header read or the
 * decode, and releases everything. */
static fcdd_image_status jpeg_read_with(const uint8_t *data, size_t size, char *message, size_t message_capacity,
                                        fcdd_image_info *info, float *pixels, size_t pixel_count) {
    struct jpeg_decompress_struct cinfo;
    jpeg_context context;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&context, 0, sizeof context);
    context.message = message;
    context.message_capacity = message_capacity;
    cinfo.err = jpeg_std_error(&context.manager);
    context.manager.error_exit = jpeg_on_error;
    context.manager.emit_message = jpeg_on_message;
    context.manager.output_message = jpeg_on_output;
    fcdd_image_status status = pixels == NULL
        ? jpeg_read_info_run(&cinfo, data, size, info)
        : jpeg_decode_run(&cinfo, data, size, pixels, pixel_count);
    jpeg_destroy_decompress(&cinfo);
    free(context.row);
    return status;
}

fcdd_image_status fcdd_jpeg_read_info(const uint8_t *data, size_t size, fcdd_image_info *info,
                                      char *message, size_t message_capacity) {
    return jpeg_read_with(data, size, message, message_capacity, info, NULL, 0);
}

fcdd_image_status fcdd_jpeg_decode(const uint8_t *data, size_t size, float *pixels, size_t pixel_count,
                                   char *message, size_t message_capacity) {
    if (pixels == NULL) {
        fcdd_set_message(message, message_capacity, "no pixel buffer");
        return FCDD_IMAGE_CORRUPT;
    }
    return jpeg_read_with(data, size, message, message_capacity, NULL, pixels, pixel_count);
}
