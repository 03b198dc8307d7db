/* confab-stream-parser.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-error.h"
#include "confab-stream-parser.h"
#include "confab-util.h"

typedef struct
{
  ConfabDeltaFunc  func;
  gpointer         user_data;
  char            *finish_reason;
  GError          *error;
  guint            complete : 1;
} ConfabStreamParserPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ConfabStreamParser, confab_stream_parser, G_TYPE_OBJECT)

static gboolean
confab_stream_parser_real_finish (ConfabStreamParser  *self,
                                  GError             **error)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  if (priv->complete)
    return TRUE;

  /* libsoup before 3.6.5 reports a truncated chunked body as a clean end,
   * so only the provider's own terminator proves the reply is whole. */
  g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_NETWORK,
                       _("The connection closed before the reply was complete"));
  return FALSE;
}

static void
confab_stream_parser_finalize (GObject *object)
{
  ConfabStreamParser *self = CONFAB_STREAM_PARSER (object);
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_clear_pointer (&priv->finish_reason, g_free);
  g_clear_error (&priv->error);

  G_OBJECT_CLASS (confab_stream_parser_parent_class)->finalize (object);
}

static void
confab_stream_parser_class_init (ConfabStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = confab_stream_parser_finalize;
  klass->finish = confab_stream_parser_real_finish;
}

static void
confab_stream_parser_init (ConfabStreamParser *self)
{
}

void
confab_stream_parser_set_delta_func (ConfabStreamParser *self,
                                     ConfabDeltaFunc     func,
                                     gpointer            user_data)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_return_if_fail (CONFAB_IS_STREAM_PARSER (self));

  priv->func = func;
  priv->user_data = user_data;
}

/* After the first error every call fails with it again: a stream that
 * went wrong stays wrong. */
gboolean
confab_stream_parser_feed (ConfabStreamParser  *self,
                           const char          *data,
                           gsize                len,
                           GError             **error)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_STREAM_PARSER (self), FALSE);

  if (priv->error == NULL &&
      !CONFAB_STREAM_PARSER_GET_CLASS (self)->feed (self, data, len, &priv->error))
    g_assert (priv->error != NULL);

  if (priv->error != NULL)
    {
      g_propagate_error (error, g_error_copy (priv->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
confab_stream_parser_finish (ConfabStreamParser  *self,
                             GError             **error)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_STREAM_PARSER (self), FALSE);

  if (priv->error == NULL &&
      !CONFAB_STREAM_PARSER_GET_CLASS (self)->finish (self, &priv->error))
    g_assert (priv->error != NULL);

  if (priv->error != NULL)
    {
      g_propagate_error (error, g_error_copy (priv->error));
      return FALSE;
    }
  return TRUE;
}

gboolean
confab_stream_parser_is_complete (ConfabStreamParser *self)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_STREAM_PARSER (self), FALSE);
  return priv->complete;
}

const char *
confab_stream_parser_get_finish_reason (ConfabStreamParser *self)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_return_val_if_fail (CONFAB_IS_STREAM_PARSER (self), NULL);
  return priv->finish_reason;
}

static void
emit (ConfabStreamParser *self,
      const ConfabDelta  *delta)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  if (priv->func != NULL)
    priv->func (delta, priv->user_data);
}

void
confab_stream_parser_emit_text (ConfabStreamParser *self,
                                const char         *text)
{
  ConfabDelta delta = { CONFAB_DELTA_TEXT, text, -1, -1 };

  if (text != NULL && *text != '\0')
    emit (self, &delta);
}

void
confab_stream_parser_emit_reasoning (ConfabStreamParser *self,
                                     const char         *text)
{
  ConfabDelta delta = { CONFAB_DELTA_REASONING, text, -1, -1 };

  if (text != NULL && *text != '\0')
    emit (self, &delta);
}

void
confab_stream_parser_emit_usage (ConfabStreamParser *self,
                                 gint64              input_tokens,
                                 gint64              output_tokens)
{
  ConfabDelta delta = { CONFAB_DELTA_USAGE, NULL, input_tokens, output_tokens };

  if (input_tokens >= 0 || output_tokens >= 0)
    emit (self, &delta);
}

/* Every protocol's finish reasons in OpenAI's words, so history, the CLI
 * and the UI speak one vocabulary: stop, length, content_filter,
 * tool_calls; anything else in lower case. */
char *
confab_finish_reason_normalize (const char *reason)
{
  static const struct { const char *from; const char *to; } map[] = {
    { "end_turn", "stop" }, { "stop_sequence", "stop" }, { "STOP", "stop" },
    { "max_tokens", "length" }, { "MAX_TOKENS", "length" },
    { "refusal", "content_filter" }, { "SAFETY", "content_filter" },
    { "RECITATION", "content_filter" }, { "BLOCKLIST", "content_filter" },
    { "PROHIBITED_CONTENT", "content_filter" }, { "SPII", "content_filter" },
    { "IMAGE_SAFETY", "content_filter" },
    { "tool_use", "tool_calls" }, { "function_call", "tool_calls" },
  };

  if (reason == NULL)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_equal (reason, map[i].from))
      return g_strdup (map[i].to);
  return g_ascii_strdown (reason, -1);
}

void
confab_stream_parser_set_finish_reason (ConfabStreamParser *self,
                                        const char         *finish_reason)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  g_free (priv->finish_reason);
  priv->finish_reason = confab_finish_reason_normalize (finish_reason);
}

void
confab_stream_parser_set_complete (ConfabStreamParser *self)
{
  ConfabStreamParserPrivate *priv = confab_stream_parser_get_instance_private (self);

  priv->complete = TRUE;
}
