// libdeflate's whole-buffer zlib decompressor, for PNG image data (PNGCodec's grey fast path).
#include <libdeflate.h>
