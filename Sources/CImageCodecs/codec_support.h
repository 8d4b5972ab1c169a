#ifndef CIMAGECODECS_CODEC_SUPPORT_H
#define CIMAGECODECS_CODEC_SUPPORT_H

/* Helpers shared by the PNG and JPEG codecs (private to the target). */

#include <stdarg.h>
#include <stdio.h>
#include "CImageCodecs.h"

/* Writes a printf-style message into `message` (NUL-terminated, cut to `capacity` bytes). */
static inline void fcdd_set_message(char *message, size_t capacity, const char *format, ...) {
    if (message == NULL || capacity == 0) return;
    va_list arguments;
    va_start(arguments, format);
    vsnprintf(message, capacity, format, arguments);
    va_end(arguments);
}

/* Fills `table` with i / 255 for every byte value i: the correctly rounded quotient, so an
 * 8-bit sample converts to the same float as `Float(i) / 255` in Swift. */
static inline void fcdd_fill_byte_table(float table[256]) {
    for (int value = 0; value < 256; value++) table[value] = (float)value / 255.0f;
}

/* Converts `count` 8-bit samples to floats through `table`. */
static inline void fcdd_convert_bytes(const uint8_t *samples, float *out, size_t count, const float table[256]) {
    for (size_t index = 0; index < count; index++) out[index] = table[samples[index]];
}

#endif
