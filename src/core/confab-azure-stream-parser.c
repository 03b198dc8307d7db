/* confab-azure-stream-parser.c
 *
 * Azure streams OpenAI's chunks (read by ConfabOpenaiStreamParser, which
 * already skips the leading prompt-filter chunk with empty choices) with
 * one difference that matters to the user: when the content filter
 * stops a reply the stream ends normally, with finish_reason
 * "content_filter" (providers.md §2). A reply cut short that way must not
 * look finished, so this parser turns it into an error that says why.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-azure-stream-parser.h"
#include "confab-error.h"
#include "confab-openai-stream-parser.h"

struct _ConfabAzureStreamParser
{
  ConfabStreamParser  parent_instance;

  /* owned */
  ConfabStreamParser *chunks;
};

G_DEFINE_FINAL_TYPE (ConfabAzureStreamParser, confab_azure_stream_parser, CONFAB_TYPE_STREAM_PARSER)

static void
on_chunk_delta (const ConfabDelta *delta,
                gpointer           user_data)
{
  ConfabStreamParser *self = user_data;
  ConfabStreamParser *chunks = CONFAB_AZURE_STREAM_PARSER (self)->chunks;

  /* Nothing after the filter's stop is shown, whether it came in the
   * same read or a later one (found by fuzzing). */
  if (g_strcmp0 (confab_stream_parser_get_finish_reason (chunks), "content_filter") == 0)
    return;

  switch (delta->kind)
    {
    case CONFAB_DELTA_TEXT:
      confab_stream_parser_emit_text (self, delta->text);
      break;
    case CONFAB_DELTA_REASONING:
      confab_stream_parser_emit_reasoning (self, delta->text);
      break;
    case CONFAB_DELTA_USAGE:
      confab_stream_parser_emit_usage (self, delta->input_tokens, delta->output_tokens);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Takes over what the chunk parser learnt; FALSE when the filter cut in. */
static gboolean
sync_state (ConfabAzureStreamParser  *self,
            GError                  **error)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);
  const char *finish_reason = confab_stream_parser_get_finish_reason (self->chunks);

  confab_stream_parser_set_finish_reason (parser, finish_reason);
  if (g_strcmp0 (finish_reason, "content_filter") == 0)
    {
      g_set_error_literal (error, CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                           _("Azure OpenAI’s content filter stopped the reply here. Azure checks "
                             "what the model writes against the content policy set on your Azure "
                             "resource, and the reply began to match it. Rephrase the message, or "
                             "ask whoever manages the resource to change its content filter. "
                             "(finish reason: content_filter)"));
      return FALSE;
    }

  if (confab_stream_parser_is_complete (self->chunks))
    confab_stream_parser_set_complete (parser);
  return TRUE;
}

static gboolean
feed_line (ConfabAzureStreamParser  *self,
           const char               *data,
           gsize                     len,
           GError                  **error)
{
  if (!confab_stream_parser_feed (self->chunks, data, len, error))
    {
      /* The filter stopped the reply before the later error: its
       * explanation wins. */
      if (g_strcmp0 (confab_stream_parser_get_finish_reason (self->chunks), "content_filter") != 0)
        return FALSE;
      g_clear_error (error);
    }
  return sync_state (self, error);
}

/* Up to and with the first CR or LF (SSE ends lines with either). */
static gsize
line_length (const char *data,
             gsize       len)
{
  for (gsize i = 0; i < len; i++)
    if (data[i] == '\n' || data[i] == '\r')
      return i + 1;
  return len;
}

/* Line by line, so that the filter's stop is seen as soon as its event
 * ends, before anything after it in the same read: what the user gets
 * must not depend on how the bytes arrived (found by fuzzing). */
static gboolean
confab_azure_stream_parser_feed (ConfabStreamParser  *parser,
                                 const char          *data,
                                 gsize                len,
                                 GError             **error)
{
  ConfabAzureStreamParser *self = CONFAB_AZURE_STREAM_PARSER (parser);
  const char *end = data + len;

  while (data < end)
    {
      gsize line = line_length (data, end - data);

      if (!feed_line (self, data, line, error))
        return FALSE;
      data += line;
    }
  return TRUE;
}

static gboolean
confab_azure_stream_parser_finish (ConfabStreamParser  *parser,
                                   GError             **error)
{
  ConfabAzureStreamParser *self = CONFAB_AZURE_STREAM_PARSER (parser);

  if (!confab_stream_parser_finish (self->chunks, error))
    return FALSE;
  return sync_state (self, error);
}

static void
confab_azure_stream_parser_finalize (GObject *object)
{
  ConfabAzureStreamParser *self = (ConfabAzureStreamParser *)object;

  g_clear_object (&self->chunks);

  G_OBJECT_CLASS (confab_azure_stream_parser_parent_class)->finalize (object);
}

static void
confab_azure_stream_parser_class_init (ConfabAzureStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStreamParserClass *parser_class = CONFAB_STREAM_PARSER_CLASS (klass);

  object_class->finalize = confab_azure_stream_parser_finalize;
  parser_class->feed = confab_azure_stream_parser_feed;
  parser_class->finish = confab_azure_stream_parser_finish;
}

static void
confab_azure_stream_parser_init (ConfabAzureStreamParser *self)
{
}

ConfabStreamParser *
confab_azure_stream_parser_new (const ConfabProviderInfo *info)
{
  ConfabAzureStreamParser *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_AZURE_STREAM_PARSER, NULL);
  self->chunks = confab_openai_stream_parser_new (info);
  confab_stream_parser_set_delta_func (self->chunks, on_chunk_delta, self);
  return CONFAB_STREAM_PARSER (self);
}
