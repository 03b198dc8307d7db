/* confab-openai-stream-parser.c
 *
 * Reads the chunk stream of OpenAI and of every OpenAI-compatible server,
 * with their variations (providers.md §0, §6–§14, §17): choices: [] chunks,
 * usage at the top level, inside the choice, or on the finish chunk,
 * reasoning as delta.reasoning_content or delta.reasoning, in-band
 * {"error":…} events, and Spark's non-zero "code".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "confab-error.h"
#include "confab-openai-stream-parser.h"
#include "confab-provider.h"
#include "confab-sse-decoder.h"
#include "confab-util.h"

struct _ConfabOpenaiStreamParser
{
  ConfabStreamParser        parent_instance;

  const ConfabProviderInfo *info;
  ConfabSseDecoder         *decoder;
  JsonParser               *json;
  GError                   *error;
  guint                     done : 1;
};

G_DEFINE_FINAL_TYPE (ConfabOpenaiStreamParser, confab_openai_stream_parser, CONFAB_TYPE_STREAM_PARSER)

static void
read_usage (ConfabOpenaiStreamParser *self,
            JsonObject               *usage)
{
  if (usage == NULL)
    return;
  confab_stream_parser_emit_usage (CONFAB_STREAM_PARSER (self),
                                   confab_json_get_int (usage, "prompt_tokens", -1),
                                   confab_json_get_int (usage, "completion_tokens", -1));
}

static void
read_choice (ConfabOpenaiStreamParser *self,
             JsonObject               *choice)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);
  JsonObject *delta = confab_json_get_object (choice, "delta");
  const char *reasoning;
  const char *finish_reason;

  reasoning = confab_json_get_string (delta, "reasoning_content");
  if (reasoning == NULL)
    reasoning = confab_json_get_string (delta, "reasoning");
  confab_stream_parser_emit_reasoning (parser, reasoning);
  confab_stream_parser_emit_text (parser, confab_json_get_string (delta, "content"));

  /* Moonshot puts the usage inside the choice. */
  read_usage (self, confab_json_get_object (choice, "usage"));

  finish_reason = confab_json_get_string (choice, "finish_reason");
  if (finish_reason != NULL)
    {
      confab_stream_parser_set_finish_reason (parser, finish_reason);
      confab_stream_parser_set_complete (parser);
    }
}

static gboolean
check_in_band_error (ConfabOpenaiStreamParser *self,
                     JsonNode                 *root)
{
  JsonObject *object = json_node_get_object (root);
  JsonNode *error = json_object_get_member (object, "error");

  if (error != NULL && !JSON_NODE_HOLDS_NULL (error))
    {
      self->error = confab_provider_error_from_json (self->info, 0, root, NULL);
      return TRUE;
    }

  /* Spark: {"code":0,"message":"Success",…}; anything else is a failure. */
  if ((self->info->quirks & CONFAB_QUIRK_CODE_IN_CHUNKS) &&
      confab_json_get_int (object, "code", 0) != 0)
    {
      self->error = confab_provider_error_from_json (self->info, 0, root, NULL);
      return TRUE;
    }

  return FALSE;
}

static void
handle_data (ConfabOpenaiStreamParser *self,
             const char               *data,
             gsize                     len)
{
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;
  JsonArray *choices;

  if (len >= 6 && strncmp (data, "[DONE]", 6) == 0)
    {
      self->done = TRUE;
      confab_stream_parser_set_complete (CONFAB_STREAM_PARSER (self));
      return;
    }

  if (!confab_json_parser_load (self->json, data, len, &local_error) ||
      (root = json_parser_get_root (self->json)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                 _("%s sent a malformed stream event: %s"),
                                 confab_provider_info_get_display_name (self->info),
                                 local_error ? local_error->message : _("not a JSON object"));
      return;
    }

  if (check_in_band_error (self, root))
    return;

  choices = confab_json_get_array (json_node_get_object (root), "choices");
  if (choices != NULL && json_array_get_length (choices) > 0)
    {
      JsonNode *first = json_array_get_element (choices, 0);
      if (JSON_NODE_HOLDS_OBJECT (first))
        read_choice (self, json_node_get_object (first));
    }

  read_usage (self, confab_json_get_object (json_node_get_object (root), "usage"));
}

static void
on_sse_event (const ConfabSseEvent *event,
              gpointer              user_data)
{
  ConfabOpenaiStreamParser *self = user_data;

  if (self->error != NULL || self->done)
    return;

  /* OpenAI-style streams use unnamed events; an "error" event carries an
   * error object too. */
  if (g_str_equal (event->type, "error"))
    {
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GBytes) bytes = g_bytes_new_static (event->data, event->data_len);

      root = confab_provider_parse_json_body (bytes);
      self->error = confab_provider_error_from_json (self->info, 0, root, NULL);
      return;
    }

  handle_data (self, event->data, event->data_len);
}

static gboolean
confab_openai_stream_parser_feed (ConfabStreamParser  *parser,
                                  const char          *data,
                                  gsize                len,
                                  GError             **error)
{
  ConfabOpenaiStreamParser *self = CONFAB_OPENAI_STREAM_PARSER (parser);

  confab_sse_decoder_feed (self->decoder, data, len);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

static void
confab_openai_stream_parser_finalize (GObject *object)
{
  ConfabOpenaiStreamParser *self = (ConfabOpenaiStreamParser *)object;

  g_clear_object (&self->decoder);
  g_clear_object (&self->json);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (confab_openai_stream_parser_parent_class)->finalize (object);
}

static void
confab_openai_stream_parser_class_init (ConfabOpenaiStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStreamParserClass *parser_class = CONFAB_STREAM_PARSER_CLASS (klass);

  object_class->finalize = confab_openai_stream_parser_finalize;
  parser_class->feed = confab_openai_stream_parser_feed;
}

static void
confab_openai_stream_parser_init (ConfabOpenaiStreamParser *self)
{
  self->decoder = confab_sse_decoder_new (on_sse_event, self, NULL);
  /* Not immutable: sealing hashes every node of every event, the whole
   * delta text included, and no tree outlives the next event. */
  self->json = json_parser_new ();
}

ConfabStreamParser *
confab_openai_stream_parser_new (const ConfabProviderInfo *info)
{
  ConfabOpenaiStreamParser *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_OPENAI_STREAM_PARSER, NULL);
  self->info = info;
  return CONFAB_STREAM_PARSER (self);
}
