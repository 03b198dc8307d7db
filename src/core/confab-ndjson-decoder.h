/* confab-ndjson-decoder.h: incremental newline-delimited JSON line splitter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

/* @line is one non-empty line (LF or CRLF stripped, surrounding blanks
 * kept out), valid UTF-8, NUL-terminated; borrowed for the call. */
typedef void (*ConfabNdjsonLineFunc) (const char *line,
                                      gsize       len,
                                      gpointer    user_data);

#define CONFAB_TYPE_NDJSON_DECODER (confab_ndjson_decoder_get_type ())

G_DECLARE_FINAL_TYPE (ConfabNdjsonDecoder, confab_ndjson_decoder, CONFAB, NDJSON_DECODER, GObject)

ConfabNdjsonDecoder *confab_ndjson_decoder_new     (ConfabNdjsonLineFunc  func,
                                                    gpointer              user_data,
                                                    GDestroyNotify        destroy);
void                 confab_ndjson_decoder_feed    (ConfabNdjsonDecoder  *self,
                                                    const char           *data,
                                                    gsize                 len);
/* Delivers a final line that had no terminating LF. */
void                 confab_ndjson_decoder_finish  (ConfabNdjsonDecoder  *self);

G_END_DECLS
