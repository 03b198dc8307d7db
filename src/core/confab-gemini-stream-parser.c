/* confab-gemini-stream-parser.c
 *
 * Reads streamGenerateContent?alt=sse (providers.md §4, §17): every event
 * is a whole GenerateContentResponse. Parts are text, or reasoning when
 * marked "thought": true; usageMetadata is a running total on every
 * chunk, so each is passed on and the last wins. There is no [DONE]: the
 * reply is whole once a candidate has a finishReason, and a stream that
 * ends before that fails in the base class's finish().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "confab-error.h"
#include "confab-gemini-stream-parser.h"
#include "confab-provider.h"
#include "confab-sse-decoder.h"
#include "confab-util.h"

struct _ConfabGeminiStreamParser
{
  ConfabStreamParser        parent_instance;

  /* borrowed */
  const ConfabProviderInfo *info;

  /* owned */
  ConfabSseDecoder         *decoder;
  JsonParser               *json;
  GError                   *error;
};

G_DEFINE_FINAL_TYPE (ConfabGeminiStreamParser, confab_gemini_stream_parser, CONFAB_TYPE_STREAM_PARSER)

/* Finish reasons that mean Google's filters withheld the reply. */
static const char * const blocked_reasons[] = {
  "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", NULL
};

static void
read_parts (ConfabGeminiStreamParser *self,
            JsonArray                *parts)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonNode *node = json_array_get_element (parts, i);
      JsonObject *part = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *thought = part ? json_object_get_member (part, "thought") : NULL;
      const char *text = confab_json_get_string (part, "text");

      /* Function calls and the like carry no text. */
      if (text == NULL)
        continue;
      if (thought != NULL && JSON_NODE_HOLDS_VALUE (thought) &&
          json_node_get_value_type (thought) == G_TYPE_BOOLEAN && json_node_get_boolean (thought))
        confab_stream_parser_emit_reasoning (parser, text);
      else
        confab_stream_parser_emit_text (parser, text);
    }
}

static void
read_candidate (ConfabGeminiStreamParser *self,
                JsonObject               *candidate)
{
  ConfabStreamParser *parser = CONFAB_STREAM_PARSER (self);
  JsonObject *content = confab_json_get_object (candidate, "content");
  const char *finish_reason = confab_json_get_string (candidate, "finishReason");

  read_parts (self, confab_json_get_array (content, "parts"));
  if (finish_reason == NULL)
    return;

  confab_stream_parser_set_finish_reason (parser, finish_reason);
  if (g_strv_contains (blocked_reasons, finish_reason))
    {
      self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                                 _("%s stopped the reply here: Google’s safety filters withheld "
                                   "the rest. Rephrase the message and try again. (finish reason: "
                                   "%s)"),
                                 confab_provider_info_get_display_name (self->info),
                                 finish_reason);
      return;
    }
  confab_stream_parser_set_complete (parser);
}

/* Thinking is billed as output, so it counts as output here. */
static void
read_usage (ConfabGeminiStreamParser *self,
            JsonObject               *usage)
{
  gint64 candidates, thoughts, output;

  if (usage == NULL)
    return;
  candidates = confab_json_get_int (usage, "candidatesTokenCount", -1);
  thoughts = MAX (confab_json_get_int (usage, "thoughtsTokenCount", 0), 0);
  output = candidates >= 0 ? candidates + thoughts : (thoughts > 0 ? thoughts : -1);
  confab_stream_parser_emit_usage (CONFAB_STREAM_PARSER (self),
                                   confab_json_get_int (usage, "promptTokenCount", -1), output);
}

/* {"error":{"code":429,…}} inside the stream: its code is the HTTP status
 * it would have had. */
static void
read_in_band_error (ConfabGeminiStreamParser *self,
                    JsonNode                 *root)
{
  JsonObject *error = confab_json_get_object (json_node_get_object (root), "error");
  gint64 code = confab_json_get_int (error, "code", 0);

  self->error = confab_provider_error_from_json (self->info, code >= 400 && code <= 599 ? code : 0,
                                                 root, NULL);
}

static void
read_prompt_block (ConfabGeminiStreamParser *self,
                   const char               *reason)
{
  self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_BAD_REQUEST,
                             _("%s refused this message: Google’s safety filters blocked the "
                               "prompt, so no reply was written. Rephrase the message and try "
                               "again. (block reason: %s)"),
                             confab_provider_info_get_display_name (self->info), reason);
}

static void
handle_response (ConfabGeminiStreamParser *self,
                 JsonNode                 *root)
{
  JsonObject *response = json_node_get_object (root);
  JsonObject *feedback = confab_json_get_object (response, "promptFeedback");
  const char *block_reason = confab_json_get_string (feedback, "blockReason");
  JsonArray *candidates = confab_json_get_array (response, "candidates");
  JsonNode *error = json_object_get_member (response, "error");

  if (error != NULL && !JSON_NODE_HOLDS_NULL (error))
    {
      read_in_band_error (self, root);
      return;
    }

  read_usage (self, confab_json_get_object (response, "usageMetadata"));
  if (block_reason != NULL)
    {
      read_prompt_block (self, block_reason);
      return;
    }

  if (candidates != NULL && json_array_get_length (candidates) > 0)
    {
      JsonNode *first = json_array_get_element (candidates, 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        read_candidate (self, json_node_get_object (first));
    }
}

static void
on_sse_event (const ConfabSseEvent *event,
              gpointer              user_data)
{
  ConfabGeminiStreamParser *self = user_data;
  g_autoptr(GError) local_error = NULL;
  JsonNode *root;

  if (self->error != NULL || event->data_len == 0)
    return;

  if (!confab_json_parser_load (self->json, event->data, event->data_len, &local_error) ||
      (root = json_parser_get_root (self->json)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      self->error = g_error_new (CONFAB_ERROR, CONFAB_ERROR_PROTOCOL,
                                 _("%s sent a malformed stream event: %s"),
                                 confab_provider_info_get_display_name (self->info),
                                 local_error ? local_error->message : _("not a JSON object"));
      return;
    }

  handle_response (self, root);
}

static gboolean
confab_gemini_stream_parser_feed (ConfabStreamParser  *parser,
                                  const char          *data,
                                  gsize                len,
                                  GError             **error)
{
  ConfabGeminiStreamParser *self = CONFAB_GEMINI_STREAM_PARSER (parser);

  confab_sse_decoder_feed (self->decoder, data, len);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

static void
confab_gemini_stream_parser_finalize (GObject *object)
{
  ConfabGeminiStreamParser *self = (ConfabGeminiStreamParser *)object;

  g_clear_object (&self->decoder);
  g_clear_object (&self->json);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (confab_gemini_stream_parser_parent_class)->finalize (object);
}

static void
confab_gemini_stream_parser_class_init (ConfabGeminiStreamParserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  ConfabStreamParserClass *parser_class = CONFAB_STREAM_PARSER_CLASS (klass);

  object_class->finalize = confab_gemini_stream_parser_finalize;
  parser_class->feed = confab_gemini_stream_parser_feed;
}

static void
confab_gemini_stream_parser_init (ConfabGeminiStreamParser *self)
{
  self->decoder = confab_sse_decoder_new (on_sse_event, self, NULL);
  /* Not immutable: sealing hashes every node of every event, the whole
   * delta text included, and no tree outlives the next event. */
  self->json = json_parser_new ();
}

ConfabStreamParser *
confab_gemini_stream_parser_new (const ConfabProviderInfo *info)
{
  ConfabGeminiStreamParser *self;

  g_return_val_if_fail (info != NULL, NULL);

  self = g_object_new (CONFAB_TYPE_GEMINI_STREAM_PARSER, NULL);
  self->info = info;
  return CONFAB_STREAM_PARSER (self);
}
