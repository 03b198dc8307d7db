/* confab-stream-parser.h: turns a provider's response body into deltas
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "confab-types.h"

G_BEGIN_DECLS

typedef enum
{
  CONFAB_DELTA_TEXT,
  CONFAB_DELTA_REASONING,
  CONFAB_DELTA_USAGE,
} ConfabDeltaKind;

/**
 * ConfabDelta:
 * @kind: what arrived
 * @text: for TEXT and REASONING, the fragment (UTF-8, NUL-terminated)
 * @input_tokens: for USAGE, the prompt tokens so far, or -1
 * @output_tokens: for USAGE, the completion tokens so far, or -1
 *
 * Usage is reported as totals: a later USAGE delta replaces an earlier one.
 */
typedef struct
{
  ConfabDeltaKind  kind;
  const char      *text;
  gint64           input_tokens;
  gint64           output_tokens;
} ConfabDelta;

typedef void (*ConfabDeltaFunc) (const ConfabDelta *delta,
                                 gpointer           user_data);

#define CONFAB_TYPE_STREAM_PARSER (confab_stream_parser_get_type ())

G_DECLARE_DERIVABLE_TYPE (ConfabStreamParser, confab_stream_parser, CONFAB, STREAM_PARSER, GObject)

struct _ConfabStreamParserClass
{
  GObjectClass parent_class;

  /* Consume bytes of the body; FALSE with @error on an in-band error or
   * a malformed body. */
  gboolean (*feed)   (ConfabStreamParser  *self,
                      const char          *data,
                      gsize                len,
                      GError             **error);
  /* The body ended; the default fails unless the reply was complete. */
  gboolean (*finish) (ConfabStreamParser  *self,
                      GError             **error);
};

void        confab_stream_parser_set_delta_func   (ConfabStreamParser  *self,
                                                   ConfabDeltaFunc      func,
                                                   gpointer             user_data);
gboolean    confab_stream_parser_feed             (ConfabStreamParser  *self,
                                                   const char          *data,
                                                   gsize                len,
                                                   GError             **error);
gboolean    confab_stream_parser_finish           (ConfabStreamParser  *self,
                                                   GError             **error);
gboolean    confab_stream_parser_is_complete      (ConfabStreamParser  *self);
const char *confab_stream_parser_get_finish_reason (ConfabStreamParser *self);

char       *confab_finish_reason_normalize        (const char          *reason);

/* For subclasses. */
void        confab_stream_parser_emit_text        (ConfabStreamParser  *self,
                                                   const char          *text);
void        confab_stream_parser_emit_reasoning   (ConfabStreamParser  *self,
                                                   const char          *text);
void        confab_stream_parser_emit_usage       (ConfabStreamParser  *self,
                                                   gint64               input_tokens,
                                                   gint64               output_tokens);
void        confab_stream_parser_set_finish_reason (ConfabStreamParser *self,
                                                   const char          *finish_reason);
void        confab_stream_parser_set_complete     (ConfabStreamParser  *self);

G_END_DECLS
