/* confab-anthropic-stream-parser.c
 *
 * Reads the Messages API's named SSE events (providers.md §3, §17):
 * message_start carries the input usage, content_block_delta the text
 * (text_delta) and the reasoning (thinking_delta), message_delta the stop
 * reason and cumulative usage, message_stop the end. ping and event types
 * added later are ignored; an error event fails the stream. There is no
 * [DONE]: only message_stop proves the reply whole, so a stream that ends
 * without it fails in the base class's finish().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-anthropic-stream-parser.h"
#include "confab-error.h"
#include "confab-provider.h"
#include "confab-sse-decoder.h"
#include "confab-util.h"

struct _ConfabAnthropicStreamParser
{
  ConfabStreamParser        parent_instance;

  /* borrowed */
  const ConfabProviderInfo *info;

  /* owned */
  ConfabSseDecoder         *decoder;
  JsonParser               *json;
  GError                   *error;

  gint64                    input_tokens;
  guint                     stopped : 1;
};

G_DEFINE_FINAL_TYPE (ConfabAnthropicStreamParser, confab_anthropic_stream_parser, CONFAB_TYPE_STREAM_PARSER)

/* Prompt tokens are input_tokens plus those written to or read from the
 * prompt cache: Anthropic counts the three apart. */
static gint64
read_input_tokens (JsonObject *usage)
{
  gint64 input = confab_json_get_int (usage, "input_tokens", -1);

  if (input < 0)
    return -1;
  return input + MAX (confab_json_get_int (usage, "cache_creation_input_tokens", 0), 0) +
         MAX (confab_json_get_int (usage, "cache_read_input_tokens", 0), 0);
}

static void
on_message_start (ConfabAnthropicStreamParser *self,
                  JsonObject                  *event)
{
  JsonObject *message = confab_json_get_object (event, "message");
  JsonObject *usage = confab_json_get_object (message, "usage");

  self->input_tokens = read_input_tokens (usage);
  /* The output count here is a placeholder of one or so; message_delta
   * brings the real one. */
  confab_stream_parser_emit_usage (CONFAB_STREAM_PARSER (self), self->input_tokens, -1);
}

static void
on_content_block_start (ConfabAnthropicStreamParser *self,
                        JsonObject                  *event)
{
  JsonObject *block = confab_json_get_object (event, "content_block");
  const char *type = confab_json_get_string (block, "type");

  /* Blocks start empty in practice; should one not, keep its text. */
  if (g_strcmp0 (type, "text") == 0)
    confab_stream_parser_emit_text (CONFAB_STREAM_PARSER (self),
                                    confab_json_get_string (block, "text"));
  else if (g_strcmp0 (type, "thinking") == 0)
    confab_stream_parser_emit_reasoning (CONFAB_STREAM_PARSER (self),
                                         confab_json_get_string (block, "thinking"));
}

/* signature_delta, input_json_delta and citations_delta carry nothing to
 * show. */
static void
on_content_block_delta (ConfabAnthropicStreamParser *self,
                        JsonObject                  *event)
{
  JsonObject *delta = confab_json_get_object (event, "delta");
  const char *type = confab_json_get_string (delta, "type");

  if (g_strcmp0 (type, "text_delta") == 0)
    confab_stream_parser_emit_text (CONFAB_STREAM_PARSER (self),
                                    confab_json_get_string (delta, "text"));
  else if (g_strcmp0 (type, "thinking_delta") == 0)
    confab_stream_parser_emit_reasoning (CONFAB_STREAM_PARSER (self),
                                         confab_json_get_string (delta, "thinking"));
}

static void
on_message_delta (ConfabAnthropicStreamParser *self,
                  JsonObject                  *event)
{
  JsonObject *delta = confab_json_get_object (event, "delta");
  JsonObject *usage = confab_json_get_object (event, "usage");
  const char *stop_reason = confab_json_get_string (delta, "stop_reason");
  gint64 input_tokens;

  if (stop_reason != NULL)
    confab_stream_parser_set_finish_reason (CONFAB_STREAM_PARSER (self), stop_reason);

  /* Totals so far; newer servers repeat the input count here. */
  if (usage == NULL)
    return;
  input_tokens = read_input_tokens (usage);
  if (input_tokens >= 0)
    self->input_tokens = input_tokens;
  confab_stream_parser_emit_usage (CONFAB_STREAM_PARSER (self), self->input_tokens,
                                   confab_json_get_int (usage, "output_tokens", -1));
}

static void
on_error_event (ConfabAnthropicStreamParser *self,
                JsonNode                    *root)
{
  self->error = confab_provider_error_from_json (self->info, 0, root, NULL);
}

static void
set_malformed (ConfabAnthropicStreamParser *self,
               const char                  *detail)
{
  self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                             _("%s sent a malformed stream event: %s"),
                             confab_provider_info_get_display_name (self->info), detail);
}

/* The event's name, or for a stream that names none, its data's "type"
 * (the two are always the same). */
static const char *
event_type (const ConfabSseEvent *event,
            JsonObject           *data)
{
  if (g_strcmp0 (event->type, "message") != 0)
    return event->type;
  return confab_json_get_string (data, "type");
}

static void
handle_event (ConfabAnthropicStreamParser *self,
              const ConfabSseEvent        *event)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonObject *data;
  const char *type;

  if (!confab_json_parser_load (self->json, event->data, event->data_len, &local_error))
    {
      set_malformed (self, local_error->message);
      return;
    }
  root = json_parser_get_root (self->json);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_malformed (self, _("not a JSON object"));
      return;
    }

  data = json_node_get_object (root);
  type = event_type (event, data);
  if (g_strcmp0 (type, "message_start") == 0)
    on_message_start (self, data);
  else if (g_strcmp0 (type, "content_block_start") == 0)
    on_content_block_start (self, data);
  else if (g_strcmp0 (type, "content_block_delta") == 0)
    on_content_block_delta (self, data);
  else if (g_strcmp0 (type, "message_delta") == 0)
    on_message_delta (self, data);
  else if (g_strcmp0 (type, "error") == 0)
    on_error_event (self, root);
  else if (g_strcmp0 (type, "message_stop") == 0)
    {
      self->stopped = TRUE;
      confab_stream_parser_set_complete (CONFAB_STREAM_PARSER (self));
    }
  /* ping, content_block_stop and types added later: nothing to do. */
}

static void
on_sse_event (const ConfabSseEvent *event,
              gpointer              user_data)
{
  ConfabAnthropicStreamParser *self = user_data;

  if (self->error != NULL || self->stopped)
    return;
  /* A ping may come without data. */
  if (event->data_len == 0)
    return;
  handle_event (self, event);
}

static gboolean
confab_anthropic_stream_parser_feed (ConfabStreamParser  *parser,
                                     const char          *data,
                                     gsize                len,
                                     GError             **error)
{
  ConfabAnthropicStreamParser *self = CONFAB_ANTHROPIC_STREAM_PARSER (parser);

  confab_sse_decoder_feed (self->decoder, data, len);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

static void
confab_anthropic_stream_parser_finalize (GObject *object)
{
  ConfabAnthropicStreamParser *self = (ConfabAnthropicStreamParser *)object;

  g_clear_object (&self->decoder);
  g_clear_object (&self->json);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (confab_anthropic_stream_parser_parent_class)->finalize (object);
}

static void
confab_anthropic_stream_parser_class_init (ConfabAnthropicStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStreamParserClass *parser_class = CONFAB_STREAM_PARSER_CLASS (klass);

  object_class->finalize = confab_anthropic_stream_parser_finalize;
  parser_class->feed = confab_anthropic_stream_parser_feed;
}

static void
confab_anthropic_stream_parser_init (ConfabAnthropicStreamParser *self)
{
  self->decoder = confab_sse_decoder_new (on_sse_event, self, NULL);
  /* Not immutable: sealing hashes every node of every event, the whole
   * delta text included, and no tree outlives the next event. */
  self->json = json_parser_new ();
  self->input_tokens = -1;
}

ConfabStreamParser *
confab_anthropic_stream_parser_new (const ConfabProviderInfo *info)
{
  ConfabAnthropicStreamParser *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_ANTHROPIC_STREAM_PARSER, NULL);
  self->info = info;
  return CONFAB_STREAM_PARSER (self);
}
