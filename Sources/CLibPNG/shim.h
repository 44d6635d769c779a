#include <png.h>
// zlib's crc32 checks ancillary-chunk CRCs (libpng only warns about those).
#include <zlib.h>
