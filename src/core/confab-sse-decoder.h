/* confab-sse-decoder.h: incremental, WHATWG-conformant text/event-stream decoder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

/**
 * ConfabSseEvent:
 * @type: the event type ("message" when the stream named none)
 * @data: the data buffer, without its final LF, valid UTF-8 (invalid
 *   sequences are replaced with U+FFFD) and NUL-terminated; it may contain
 *   NUL bytes, so use @data_len
 * @data_len: length of @data in bytes
 * @last_event_id: the last event ID string ("" when none)
 *
 * One dispatched event. Every pointer is borrowed and valid only during the
 * callback.
 */
typedef struct
{
  const char *type;
  const char *data;
  gsize       data_len;
  const char *last_event_id;
} ConfabSseEvent;

typedef void (*ConfabSseEventFunc) (const ConfabSseEvent *event,
                                    gpointer              user_data);

#define CONFAB_TYPE_SSE_DECODER (confab_sse_decoder_get_type ())

G_DECLARE_FINAL_TYPE (ConfabSseDecoder, confab_sse_decoder, CONFAB, SSE_DECODER, GObject)

ConfabSseDecoder *confab_sse_decoder_new                (ConfabSseEventFunc  func,
                                                         gpointer            user_data,
                                                         GDestroyNotify      destroy);
void              confab_sse_decoder_feed               (ConfabSseDecoder   *self,
                                                         const char         *data,
                                                         gsize               len);
void              confab_sse_decoder_finish             (ConfabSseDecoder   *self);
gint64            confab_sse_decoder_get_retry          (ConfabSseDecoder   *self);
const char       *confab_sse_decoder_get_last_event_id  (ConfabSseDecoder   *self);
gsize             confab_sse_decoder_get_pending_size   (ConfabSseDecoder   *self);

G_END_DECLS
