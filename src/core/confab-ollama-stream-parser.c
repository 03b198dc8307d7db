/* confab-ollama-stream-parser.c
 *
 * Reads Ollama's /api/chat stream (providers.md §5, §17): one JSON object
 * per line, message.content as text and message.thinking as reasoning,
 * until a line with "done": true brings done_reason and the token counts.
 * A failure while generating arrives as a line {"error":"…"} with the
 * HTTP status still 200.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-error.h"
#include "confab-ndjson-decoder.h"
#include "confab-ollama-stream-parser.h"
#include "confab-provider.h"
#include "confab-util.h"

struct _ConfabOllamaStreamParser
{
  ConfabStreamParser        parent_instance;

  /* borrowed */
  const ConfabProviderInfo *info;

  /* owned */
  ConfabNdjsonDecoder      *decoder;
  JsonParser               *json;
  GError                   *error;

  guint                     done : 1;
};

G_DEFINE_FINAL_TYPE (ConfabOllamaStreamParser, confab_ollama_stream_parser, CONFAB_TYPE_STREAM_PARSER)

static gboolean
is_done (JsonObject *line)
{
  JsonNode *done = json_object_get_member (line, "done");

  return done != NULL && JSON_NODE_HOLDS_VALUE (done) &&
         json_node_get_value_type (done) == G_TYPE_BOOLEAN && json_node_get_boolean (done);
}

/* prompt_eval_count is sometimes missing from streamed replies. */
static void
read_final_line (ConfabOllamaStreamParser *self,
                 JsonObject               *line)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);

  confab_stream_parser_emit_usage (parser, confab_json_get_int (line, "prompt_eval_count", -1),
                                   confab_json_get_int (line, "eval_count", -1));
  confab_stream_parser_set_finish_reason (parser, confab_json_get_string (line, "done_reason"));
  confab_stream_parser_set_complete (parser);
  self->done = TRUE;
}

static void
handle_line (ConfabOllamaStreamParser *self,
             JsonNode                 *root)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);
  JsonObject *line = json_node_get_object (root);
  JsonObject *message = confab_json_get_object (line, "message");
  JsonNode *error = json_object_get_member (line, "error");

  if (error != NULL && !JSON_NODE_HOLDS_NULL (error))
    {
      self->error = confab_provider_error_from_json (self->info, 0, root, NULL);
      return;
    }

  /* Thinking comes before the answer; a line may carry either. */
  confab_stream_parser_emit_reasoning (parser, confab_json_get_string (message, "thinking"));
  confab_stream_parser_emit_text (parser, confab_json_get_string (message, "content"));

  if (is_done (line))
    read_final_line (self, line);
}

static void
on_line (const char *data,
         gsize       len,
         gpointer    user_data)
{
  ConfabOllamaStreamParser *self = user_data;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (self->error != NULL || self->done)
    return;

  if (!confab_json_parser_load (self->json, data, len, &local_error) ||
      (root = json_parser_get_root (self->json)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                 _("%s sent a malformed stream line: %s"),
                                 confab_provider_info_get_display_name (self->info),
                                 local_error ? local_error->message : _("not a JSON object"));
      return;
    }

  handle_line (self, root);
}

static gboolean
take_error (ConfabOllamaStreamParser  *self,
            GError                   **error)
{
  if (self->error == NULL)
    return FALSE;
  g_propagate_error (error, g_steal_pointer (&self->error));
  return TRUE;
}

static gboolean
confab_ollama_stream_parser_feed (ConfabStreamParser  *parser,
                                  const char          *data,
                                  gsize                len,
                                  GError             **error)
{
  ConfabOllamaStreamParser *self = CONFAB_OLLAMA_STREAM_PARSER (parser);

  confab_ndjson_decoder_feed (self->decoder, data, len);
  return !take_error (self, error);
}

/* The last line may lack its newline. */
static gboolean
confab_ollama_stream_parser_finish (ConfabStreamParser  *parser,
                                    GError             **error)
{
  ConfabOllamaStreamParser *self = CONFAB_OLLAMA_STREAM_PARSER (parser);

  confab_ndjson_decoder_finish (self->decoder);
  if (take_error (self, error))
    return FALSE;
  return CONFAB_STREAM_PARSER_CLASS (confab_ollama_stream_parser_parent_class)->finish (parser, error);
}

static void
confab_ollama_stream_parser_finalize (GObject *object)
{
  ConfabOllamaStreamParser *self = (ConfabOllamaStreamParser *)object;

  g_clear_object (&self->decoder);
  g_clear_object (&self->json);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (confab_ollama_stream_parser_parent_class)->finalize (object);
}

static void
confab_ollama_stream_parser_class_init (ConfabOllamaStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStreamParserClass *parser_class = CONFAB_STREAM_PARSER_CLASS (klass);

  object_class->finalize = confab_ollama_stream_parser_finalize;
  parser_class->feed = confab_ollama_stream_parser_feed;
  parser_class->finish = confab_ollama_stream_parser_finish;
}

static void
confab_ollama_stream_parser_init (ConfabOllamaStreamParser *self)
{
  self->decoder = confab_ndjson_decoder_new (on_line, self, NULL);
  /* Not immutable: sealing hashes every node of every event, the whole
   * delta text included, and no tree outlives the next event. */
  self->json = json_parser_new ();
}

ConfabStreamParser *
confab_ollama_stream_parser_new (const ConfabProviderInfo *info)
{
  ConfabOllamaStreamParser *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_OLLAMA_STREAM_PARSER, NULL);
  self->info = info;
  return CONFAB_STREAM_PARSER (self);
}
