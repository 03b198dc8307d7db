/* fuzz-gemini-stream.c: the Gemini stream parser (see fuzz-stream.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "fuzz-stream.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  return confab_fuzz_stream_parser (CONFAB_PROTOCOL_GEMINI, data, size);
}
